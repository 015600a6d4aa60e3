package evaltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A member of a JSON object: its decoded key, the offsets of the key and of
// the value, and the end of the value.
type member struct {
	key                  string
	keyAt, valAt, valEnd int
}

// objectMembers appends the members of raw, a valid JSON object, to ms.
// It is a lean scanner that relies on raw being valid; it reports false if
// raw turns out not to be an object.
func objectMembers(raw []byte, ms []member) ([]member, bool) {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return ms, false
	}
	i++
	for {
		i = skipWS(raw, i)
		if i < len(raw) && raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
		if i >= len(raw) {
			return ms, false
		}
		if raw[i] == '}' {
			return ms, true
		}
		if raw[i] != '"' {
			return ms, false
		}
		keyAt := i
		keyEnd := skipString(raw, i)
		key, ok := jsonString(raw[keyAt:keyEnd])
		if !ok {
			return ms, false
		}
		i = skipWS(raw, keyEnd)
		if i >= len(raw) || raw[i] != ':' {
			return ms, false
		}
		valAt := skipWS(raw, i+1)
		valEnd := skipValue(raw, valAt)
		if valEnd <= valAt {
			return ms, false
		}
		ms = append(ms, member{key, keyAt, valAt, valEnd})
		i = valEnd
	}
}

// jsonString decodes the JSON string literal b.
func jsonString(b []byte) (string, bool) {
	if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), true
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err == nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the end of the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the end of the (valid) JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	default:
		j := i
		for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
			j++
		}
		return j
	}
}

// quoteKey quotes a key for a message, cutting a long one short.
func quoteKey(k string) string {
	if len(k) > 64 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(k[cut]) {
			cut--
		}
		return strconv.Quote(k[:cut]) + "…"
	}
	return strconv.Quote(k)
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return append(json.RawMessage(nil), v...)
	}
	return json.RawMessage(b.Bytes())
}

// outOfRangeNumber finds the first number in the JSON value v written
// with a fraction or an exponent that overflows a float64 (Python would read
// it as inf). Integers are exact in Python, whatever their size.
func outOfRangeNumber(v []byte) (num string, at int, bad bool) {
	inString := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			continue
		}
		j := i
		for j < len(v) && strings.IndexByte("+-0123456789.eE", v[j]) >= 0 {
			j++
		}
		lit := string(v[i:j])
		if strings.ContainsAny(lit, ".eE") {
			if f, err := strconv.ParseFloat(lit, 64); err != nil || math.IsInf(f, 0) {
				return lit, i, true
			}
		}
		i = j - 1
	}
	return "", 0, false
}

func isNumber(v []byte) bool {
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
}

func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
