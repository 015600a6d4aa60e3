package validate

import (
	"testing"
	"time"
)

// seedCorpus adds every table snippet to f's corpus.
func seedCorpus(f *testing.F) {
	for _, c := range hostileCases {
		f.Add([]byte(c.src))
	}
	for _, c := range honestCases {
		f.Add([]byte(c.src))
	}
	for _, c := range syntaxCases {
		f.Add([]byte(c.src))
	}
}

// within fails t if fn does not return within a generous deadline.
func within(t *testing.T, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("did not terminate")
	}
}

func FuzzTokenize(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		within(t, func() {
			toks, err := tokenize(src)
			if err != nil {
				if err.line < 1 || err.col < 1 || err.msg == "" || toks != nil {
					t.Errorf("bad error %+v", err)
				}
				return
			}
			for _, tk := range toks {
				if tk.line < 1 || tk.col < 1 {
					t.Fatalf("bad position %+v", tk)
				}
			}
		})
	})
}

func FuzzCheck(f *testing.F) {
	seedCorpus(f)
	strict, _ := PolicyByName("strict")
	stdlib, _ := PolicyByName("stdlib")
	f.Fuzz(func(t *testing.T, src []byte) {
		within(t, func() {
			for _, p := range []Policy{strict, stdlib} {
				vs := Check(src, p)
				if vs == nil {
					t.Fatal("nil result")
				}
				for i, v := range vs {
					if v.Line < 1 || v.Col < 1 || v.Message == "" || v.Rule == "" {
						t.Fatalf("bad violation %+v", v)
					}
					if v.Rule == RuleSyntaxError && len(vs) != 1 {
						t.Fatalf("syntax error among others: %+v", vs)
					}
					if i > 0 && (vs[i-1].Line > v.Line || (vs[i-1].Line == v.Line && vs[i-1].Col > v.Col)) {
						t.Fatalf("unsorted: %+v", vs)
					}
				}
			}
		})
	})
}
