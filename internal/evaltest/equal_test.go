package evaltest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEqualRaw checks the host's comparison against the semantics of the
// harness's old _equal (Python's view of JSON values).
func TestEqualRaw(t *testing.T) {
	for _, tc := range []struct {
		name             string
		actual, expected string
		tol              float64
		want             bool
	}{
		{"equal ints", `3`, `3`, 0, true},
		{"int vs float", `1`, `1.0`, 0, true},
		{"float vs int", `1.0`, `1`, 0, true},
		{"within tolerance", `1.0000000001`, `1`, 1e-9, true},
		{"outside tolerance", `1.001`, `1`, 1e-9, false},
		{"on the tolerance", `1.5`, `1`, 0.5, true},
		{"float sum", `0.30000000000000004`, `0.3`, 1e-9, true},
		{"float sum, no tolerance", `0.30000000000000004`, `0.3`, 0, false},
		{"negative zero", `-0.0`, `0`, 0, true},
		{"exponent forms", `1e2`, `100`, 0, true},
		{"big ints exact", `123456789012345678901234567890`, `123456789012345678901234567891`, 1e-9, false},
		{"big ints within a tolerance", `123456789012345678901234567890`, `123456789012345678901234567891`, 1, true},
		{"big int vs its float", `123456789012345678901234567890`, `1.2345678901234568e29`, 1e-9, true},
		{"int too large for a float vs a float", "1" + strings.Repeat("0", 400), `1e308`, 1e300, false},
		{"true vs 1", `true`, `1`, 1, false},
		{"1 vs true", `1`, `true`, 1, false},
		{"false vs 0", `false`, `0`, 0, false},
		{"booleans", `false`, `false`, 0, true},
		{"null", `null`, `null`, 0, true},
		{"null vs 0", `null`, `0`, 0, false},
		{"null vs false", `null`, `false`, 0, false},
		{"strings", `"a\nb"`, `"a\u000ab"`, 0, true},
		{"string vs number", `"1"`, `1`, 0, false},
		{"surrogate pair vs the character", `"\ud83d\ude00"`, `"😀"`, 0, true},
		{"lone surrogates differ", `"\ud800"`, `"\udc00"`, 0, false},
		{"lone surrogate vs the replacement character", `"\ud800"`, `"\ufffd"`, 0, false},
		{"same lone surrogate", `"\ud800"`, `"\uD800"`, 0, true},
		{"nested within tolerance", `{"a":[1,2.0000000001,true]}`, `{"a":[1.0,2,true]}`, 1e-9, true},
		{"nested bool vs number", `{"a":[1]}`, `{"a":[true]}`, 1, false},
		{"list length", `[1,2]`, `[1,2,3]`, 0, false},
		{"list vs object", `[]`, `{}`, 0, false},
		{"missing key", `{"a":1}`, `{"a":1,"b":2}`, 0, false},
		{"extra key", `{"a":1,"b":2}`, `{"a":1}`, 0, false},
		{"key order", `{"b":2,"a":1}`, `{"a":1,"b":2}`, 0, true},
		{"duplicate keys: the last wins", `{"a":1,"a":2}`, `{"a":2}`, 0, true},
		{"escaped keys", `{"\u0061":1}`, `{"a":1}`, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, equalRaw([]byte(tc.actual), []byte(tc.expected), tc.tol))
		})
	}
}

// FuzzEqualRaw feeds the comparison values as a guest could send them: any
// valid JSON decodes without a panic, to its whole length, and equals itself.
func FuzzEqualRaw(f *testing.F) {
	for _, s := range []string{`1`, `-0.0`, `"\ud800"`, `"\ud83d\ude00"`, `{"a":[1,{"b":null}]}`, `[true,false]`, `1e308`, `123456789012345678901234567890`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		if _, _, bad := outOfRangeNumber(data); bad {
			return
		}
		_, end := decodeValue(data, 0)
		assert.Equal(t, len(bytes.TrimRight(data, " \t\r\n")), end)
		assert.True(t, equalRaw(data, data, 0), "%s", data)
	})
}
