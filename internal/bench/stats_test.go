package bench

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var d []time.Duration
		for _, x := range xs {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	twenty := ms(20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
	for _, tc := range []struct {
		name               string
		in                 []time.Duration
		median, p95, total time.Duration
	}{
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"odd", ms(3, 1, 2), 2 * time.Millisecond, 3 * time.Millisecond, 6 * time.Millisecond},
		{"even", ms(4, 1, 3, 2), 2500 * time.Microsecond, 4 * time.Millisecond, 10 * time.Millisecond},
		// Nearest rank: ceil(0.95 * 20) = 19th of 20.
		{"twenty", twenty, 10500 * time.Microsecond, 19 * time.Millisecond, 210 * time.Millisecond},
	} {
		l := summarize(tc.in)
		if l.Median != tc.median || l.P95 != tc.p95 || l.Total != tc.total {
			t.Errorf("%s: got %+v, want median %v p95 %v total %v", tc.name, l, tc.median, tc.p95, tc.total)
		}
	}
	if twenty[0] != 20*time.Millisecond {
		t.Error("summarize sorted its input in place")
	}
}

func TestPerSecond(t *testing.T) {
	if got := perSecond(20, 4*time.Second); got != 5 {
		t.Errorf("perSecond(20, 4s) = %v", got)
	}
	if got := perSecond(3, 0); got != 0 {
		t.Errorf("perSecond(3, 0) = %v", got)
	}
}
