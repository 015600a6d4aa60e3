package validate

import (
	"encoding/json"
	"os/exec"
	"testing"
)

func TestFoldIdent(t *testing.T) {
	for in, want := range map[string]string{
		"eval": "eval", "\uff45val": "eval", "\U0001d41e\U0001d42f\U0001d41a\U0001d425": "eval",
		"_\uff3fclass\uff3f\uff3f": "__class__", "caf\u00e9": "caf\u00e9", "\u2170x": "ix", "\ufb01le": "file",
	} {
		if got := foldIdent(in); got != want {
			t.Errorf("foldIdent(%q) = %q, want %q", in, got, want)
		}
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
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	n := 0
	for r, s := range want {
		if got := foldRune(r); got != s {
			t.Errorf("foldRune(%U) = %q, python says %q", r, got, s)
		}
		n++
	}
	for _, f := range asciiFoldRuns {
		n -= int(f.hi-f.lo) + 1
	}
	if n -= len(asciiFoldMulti); n != 0 {
		t.Errorf("table and python differ in size by %d", n)
	}
}
