package validate

import (
	"strings"
	"testing"
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
	if n := strings.Count(string(src), "\n"); n != 500 {
		b.Fatalf("%d lines", n)
	}
	p, _ := PolicyByName("stdlib")
	p, _ = p.WithAllowedImports("numpy")
	if vs := Check(src, p); len(vs) != 0 {
		b.Fatalf("benchmark file has findings: %+v", vs[0])
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Check(src, p)
	}
}
