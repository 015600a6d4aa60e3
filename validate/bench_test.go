package validate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fiveHundredLines is a realistic 500-line file: the honest snippets,
// repeated and padded with ordinary statements.
func fiveHundredLines() []byte {
	var b strings.Builder
	lines := 0
	for lines < 480 {
		for _, c := range honestCases {
			if n := strings.Count(c.src, "\n"); lines+n <= 500 {
				b.WriteString(c.src)
				lines += n
			}
		}
	}
	for ; lines < 500; lines++ {
		b.WriteString("total = total + len(str(lines)) if 'lines' else 0\n")
	}
	return []byte(b.String())
}

func BenchmarkCheck500Lines(b *testing.B) {
	src := fiveHundredLines()
	require.Equal(b, 500, strings.Count(string(src), "\n"), "lines")
	p, err := PolicyByName("stdlib")
	require.NoError(b, err)
	p, err = p.WithAllowedImports("numpy")
	require.NoError(b, err)
	require.Empty(b, Check(src, p), "benchmark file has findings")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Check(src, p)
	}
}
