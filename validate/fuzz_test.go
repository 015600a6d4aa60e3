package validate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// within runs fn on a goroutine of its own and returns its result, failing
// t if fn does not return within a generous deadline. fn must not fail t:
// the checks belong on the test goroutine.
func within[T any](t *testing.T, fn func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- fn() }()
	select {
	case v := <-done:
		return v
	case <-time.After(10 * time.Second):
		require.FailNow(t, "did not terminate")
		panic("unreachable")
	}
}

func FuzzTokenize(f *testing.F) {
	seedCorpus(f)
	type result struct {
		toks []token
		err  *syntaxError
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := within(t, func() result {
			toks, err := tokenize(src)
			return result{toks, err}
		})
		if r.err != nil {
			assert.GreaterOrEqual(t, r.err.line, 1, "bad error %+v", r.err)
			assert.GreaterOrEqual(t, r.err.col, 1, "bad error %+v", r.err)
			assert.NotEmpty(t, r.err.msg, "bad error %+v", r.err)
			assert.Nil(t, r.toks, "tokens beside an error")
			return
		}
		for _, tk := range r.toks {
			require.GreaterOrEqual(t, tk.line, 1, "bad position %+v", tk)
			require.GreaterOrEqual(t, tk.col, 1, "bad position %+v", tk)
		}
	})
}

func FuzzCheck(f *testing.F) {
	seedCorpus(f)
	strict, err := PolicyByName("strict")
	require.NoError(f, err)
	stdlib, err := PolicyByName("stdlib")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, src []byte) {
		results := within(t, func() [][]Violation {
			return [][]Violation{Check(src, strict), Check(src, stdlib)}
		})
		for _, vs := range results {
			require.NotNil(t, vs, "nil result")
			for i, v := range vs {
				require.GreaterOrEqual(t, v.Line, 1, "bad violation %+v", v)
				require.GreaterOrEqual(t, v.Col, 1, "bad violation %+v", v)
				require.NotEmpty(t, v.Message, "bad violation %+v", v)
				require.NotEmpty(t, v.Rule, "bad violation %+v", v)
				if v.Rule == RuleSyntaxError {
					require.Len(t, vs, 1, "syntax error among others: %+v", vs)
				}
				if i > 0 {
					prev := vs[i-1]
					require.False(t, prev.Line > v.Line || (prev.Line == v.Line && prev.Col > v.Col), "unsorted: %+v", vs)
				}
			}
		}
	})
}
