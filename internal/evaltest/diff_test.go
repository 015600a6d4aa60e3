package evaltest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiffJSON(t *testing.T) {
	tests := []struct {
		e, a string
		tol  float64
		want string
	}{
		{`1`, `1.0`, 1e-9, ``},
		{`1`, `true`, 1e-9, `$: expected 1, got boolean true`},
		{`0.3`, `0.30000000000000004`, 1e-9, ``},
		{`0.3`, `0.30000000000000004`, 0, `$: expected 0.3, got 0.30000000000000004`},
		{`123456789012345678901234567890`, `123456789012345678901234567891`, 1e-9, `$: expected 123456789012345678901234567890, got 123456789012345678901234567891`},
		{`{"a": 1, "b": [1, 2], "c d": null}`, `{"a": 1, "b": [1, 3, 4], "e": "x"}`, 1e-9,
			`$.b: expected 2 items, got 3 | $.b[1]: expected 2, got 3 | $["c d"]: missing, expected null | $.e: unexpected key, got "x"`},
		{`[{"x": "s"}]`, `[{"x": 5}]`, 1e-9, `$[0].x: expected "s", got number 5`},
		{`{"a": 1}`, `[1]`, 1e-9, `$: expected an object, got array [1]`},
		{`null`, `0`, 1e-9, `$: expected null, got number 0`},
	}
	for _, tt := range tests {
		t.Run(tt.e+" vs "+tt.a, func(t *testing.T) {
			var parts []string
			for _, d := range diffJSON(json.RawMessage(tt.e), json.RawMessage(tt.a), tt.tol, 10) {
				parts = append(parts, d.String())
			}
			assert.Equal(t, tt.want, strings.Join(parts, " | "))
		})
	}
}
