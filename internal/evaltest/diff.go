package evaltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A difference between an expected and an actual JSON value, at a path
// such as $.items[2].name.
type difference struct {
	Path string
	Msg  string
}

func (d difference) String() string { return d.Path + ": " + d.Msg }

// diffJSON lists up to max differences between expected and actual, with
// the harness's rules: numbers within tol, booleans are not numbers,
// objects compared by keys. It returns nil when either value does not
// decode or they do not differ.
func diffJSON(expected, actual json.RawMessage, tol float64, max int) []difference {
	e, err1 := decodeJSON(expected)
	a, err2 := decodeJSON(actual)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []difference
	walkDiff("$", e, a, tol, max, &out)
	return out
}

func decodeJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func walkDiff(path string, e, a any, tol float64, max int, out *[]difference) {
	if len(*out) >= max {
		return
	}
	add := func(msg string) { *out = append(*out, difference{path, msg}) }
	switch ev := e.(type) {
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok {
			add(fmt.Sprintf("expected an object, got %s", describe(a)))
			return
		}
		keys := make([]string, 0, len(ev)+len(av))
		for k := range ev {
			keys = append(keys, k)
		}
		for k := range av {
			if _, ok := ev[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(*out) >= max {
				return
			}
			p := pathKey(path, k)
			x, inE := ev[k]
			y, inA := av[k]
			switch {
			case !inA:
				*out = append(*out, difference{p, "missing, expected " + shortJSON(x, 40)})
			case !inE:
				*out = append(*out, difference{p, "unexpected key, got " + shortJSON(y, 40)})
			default:
				walkDiff(p, x, y, tol, max, out)
			}
		}
	case []any:
		av, ok := a.([]any)
		if !ok {
			add(fmt.Sprintf("expected an array, got %s", describe(a)))
			return
		}
		if len(av) != len(ev) {
			add(fmt.Sprintf("expected %d items, got %d", len(ev), len(av)))
		}
		for i := 0; i < len(ev) && i < len(av); i++ {
			walkDiff(path+"["+strconv.Itoa(i)+"]", ev[i], av[i], tol, max, out)
		}
	case json.Number:
		an, ok := a.(json.Number)
		if !ok {
			add(fmt.Sprintf("expected %s, got %s", ev, describe(a)))
			return
		}
		if !numbersClose(ev, an, tol) {
			add(fmt.Sprintf("expected %s, got %s", ev, an))
		}
	default: // string, bool, nil
		if !scalarEqual(e, a) {
			add(fmt.Sprintf("expected %s, got %s", shortJSON(e, 40), describe(a)))
		}
	}
}

func scalarEqual(e, a any) bool {
	switch ev := e.(type) {
	case string:
		av, ok := a.(string)
		return ok && av == ev
	case bool:
		av, ok := a.(bool)
		return ok && av == ev
	case nil:
		return a == nil
	}
	return false
}

// describe names a value's type and shows it briefly.
func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object " + shortJSON(v, 40)
	case []any:
		return "array " + shortJSON(v, 40)
	case string:
		return "string " + shortJSON(v, 40)
	case json.Number:
		return "number " + shortJSON(v, 40)
	case bool:
		return "boolean " + shortJSON(v, 40)
	case nil:
		return "null"
	}
	return shortJSON(v, 40)
}

func isIntLiteral(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }

// numbersClose compares two JSON numbers as the harness does: equal within
// tol, integers exactly when they are too large for a float64.
func numbersClose(a, b json.Number, tol float64) bool {
	if a == b {
		return true
	}
	if isIntLiteral(a) && isIntLiteral(b) {
		x, ok1 := new(big.Int).SetString(string(a), 10)
		y, ok2 := new(big.Int).SetString(string(b), 10)
		if ok1 && ok2 {
			d := new(big.Int).Sub(x, y)
			f, _ := new(big.Float).SetInt(d.Abs(d)).Float64()
			return f <= tol
		}
	}
	x, err1 := strconv.ParseFloat(string(a), 64)
	y, err2 := strconv.ParseFloat(string(b), 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return x == y || math.Abs(x-y) <= tol
}

func pathKey(path, key string) string {
	if isIdentifier(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// shortJSON writes v as compact JSON, cut to about limit characters.
func shortJSON(v any, limit int) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return truncate(strings.TrimSuffix(b.String(), "\n"), limit)
}

// shortRaw is shortJSON for raw JSON.
func shortRaw(raw json.RawMessage, limit int) string {
	if raw == nil {
		return "nothing"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return truncate(string(raw), limit)
	}
	return truncate(b.String(), limit)
}

// truncate cuts s to at most limit runes, ending it with "…" when cut.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	if limit < 1 {
		return ""
	}
	n := 0
	for i := range s {
		if n == limit-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// oneLine replaces control characters (newlines too) with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// firstLine is the first non-empty line of s.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
