package evaltest

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The host compares a returned value with the expected one as Python's
// json module would see them: a JSON number is a Python int when its literal
// has no fraction or exponent and a float otherwise; a string keeps lone
// surrogates (as "\ud800"), which Go's own decoding would turn into U+FFFD.
// NaN and infinities never occur: JSON has no literal for them, the cases
// reader refuses numbers that overflow a float, and so does the reply reader.

// number is a JSON number, by its literal.
type number string

// decodeValue decodes the valid JSON value at b[i:] into nil, bool, number,
// string, []any or map[string]any (the last of duplicate keys wins, as in
// Python), and returns the offset after it. b must be valid JSON (json.Valid),
// which also bounds its nesting depth.
func decodeValue(b []byte, i int) (any, int) {
	i = skipWS(b, i)
	switch b[i] {
	case '{':
		m := map[string]any{}
		i++
		for {
			i = skipWS(b, i)
			switch b[i] {
			case '}':
				return m, i + 1
			case ',':
				i++
				continue
			}
			end := skipString(b, i)
			key := unquote(b[i:end])
			i = skipWS(b, end) + 1 // past the ':'
			m[key], i = decodeValue(b, i)
		}
	case '[':
		list := []any{}
		i++
		for {
			i = skipWS(b, i)
			switch b[i] {
			case ']':
				return list, i + 1
			case ',':
				i++
				continue
			}
			var v any
			v, i = decodeValue(b, i)
			list = append(list, v)
		}
	case '"':
		end := skipString(b, i)
		return unquote(b[i:end]), end
	case 't':
		return true, i + 4
	case 'f':
		return false, i + 5
	case 'n':
		return nil, i + 4
	}
	end := skipValue(b, i)
	return number(b[i:end]), end
}

// unquote decodes the valid JSON string literal q, writing a lone surrogate
// as its three-byte generalised UTF-8 form so that it stays distinct.
func unquote(q []byte) string {
	q = q[1 : len(q)-1]
	if !strings.Contains(string(q), `\`) {
		return string(q)
	}
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch q[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hex4(q[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) && r < 0xDC00 && i+6 < len(q) && q[i+1] == '\\' && q[i+2] == 'u' {
				if lo := hex4(q[i+3 : i+7]); lo >= 0xDC00 && lo <= 0xDFFF {
					b.WriteRune(utf16.DecodeRune(r, lo))
					i += 6
					continue
				}
			}
			if utf16.IsSurrogate(r) {
				b.Write([]byte{0xE0 | byte(r>>12), 0x80 | byte(r>>6)&0x3F, 0x80 | byte(r)&0x3F})
			} else {
				b.WriteRune(r)
			}
		default: // '"', '\\', '/'
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

func hex4(h []byte) rune {
	n, _ := strconv.ParseUint(string(h), 16, 32) // valid JSON: four hex digits
	return rune(n)
}

// equalJSON is the harness's old _equal: JSON equality, numbers within tol,
// booleans are not numbers, objects compared by their keys.
func equalJSON(actual, expected any, tol float64) bool {
	_, ab := actual.(bool)
	_, eb := expected.(bool)
	if ab || eb {
		return ab && eb && actual == expected
	}
	an, aNum := actual.(number)
	en, eNum := expected.(number)
	if aNum || eNum {
		return aNum && eNum && numbersWithin(an, en, tol)
	}
	if actual == nil || expected == nil {
		return actual == nil && expected == nil
	}
	switch e := expected.(type) {
	case string:
		a, ok := actual.(string)
		return ok && a == e
	case []any:
		a, ok := actual.([]any)
		if !ok || len(a) != len(e) {
			return false
		}
		for i := range e {
			if !equalJSON(a[i], e[i], tol) {
				return false
			}
		}
		return true
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok || len(a) != len(e) {
			return false
		}
		for k, ev := range e {
			av, ok := a[k]
			if !ok || !equalJSON(av, ev, tol) {
				return false
			}
		}
		return true
	}
	return false
}

// numbersWithin compares two JSON numbers as Python compares an int or a
// float: equal exactly, or |a - e| <= tol, the difference of two ints taken
// exactly and any other in float arithmetic (an int too large for a float
// never matches a float then, as Python's OverflowError).
func numbersWithin(a, e number, tol float64) bool {
	ax, aInt := exactValue(a)
	ex, eInt := exactValue(e)
	if ax == nil || ex == nil {
		return false
	}
	if ax.Cmp(ex) == 0 {
		return true
	}
	if aInt && eInt {
		d := new(big.Float).Sub(ax, ex) // exact: the precision is big enough
		return d.Abs(d).Cmp(big.NewFloat(tol)) <= 0
	}
	af, _ := ax.Float64()
	ef, _ := ex.Float64()
	if math.IsInf(af, 0) || math.IsInf(ef, 0) {
		return false
	}
	return math.Abs(af-ef) <= tol
}

// exactValue is the exact value of n as Python reads it: an int, exactly; a
// float, rounded to the nearest float64. It is nil for a malformed literal.
func exactValue(n number) (*big.Float, bool) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		i, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, true
		}
		prec := uint(max(i.BitLen(), 64)) + 1
		return new(big.Float).SetPrec(prec).SetInt(i), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return new(big.Float).SetPrec(53).SetFloat64(f), false
}
