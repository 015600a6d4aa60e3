package validate

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFoldIdent(t *testing.T) {
	for in, want := range map[string]string{
		"eval": "eval", "\uff45val": "eval", "\U0001d41e\U0001d42f\U0001d41a\U0001d425": "eval",
		"_\uff3fclass\uff3f\uff3f": "__class__", "caf\u00e9": "caf\u00e9", "\u2170x": "ix", "\ufb01le": "file",
	} {
		t.Run(in, func(t *testing.T) {
			assert.Equal(t, want, foldIdent(in))
		})
	}
}

// TestNFKCTableMatchesPython re-derives the fold table from python3's
// unicodedata when python3 is on PATH.
func TestNFKCTableMatchesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	script := `
import json, unicodedata
ok = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
out = {}
for cp in range(0x80, 0x110000):
    c = chr(cp)
    if ("a" + c).isidentifier():
        d = unicodedata.normalize("NFKC", c)
        if d != c and d and set(d) <= ok:
            out[cp] = d
print(json.dumps(out))
`
	raw, err := exec.Command(py, "-c", script).Output()
	if err != nil {
		t.Skipf("python3 failed: %v", err)
	}
	var want map[rune]string
	require.NoError(t, json.Unmarshal(raw, &want))
	n := 0
	for r, s := range want {
		assert.Equal(t, s, foldRune(r), "foldRune(%U)", r)
		n++
	}
	for _, f := range asciiFoldRuns {
		n -= int(f.hi-f.lo) + 1
	}
	assert.Equal(t, 0, n-len(asciiFoldMulti), "table and python differ in size")
}
