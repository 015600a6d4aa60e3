package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
		name string
		in   []time.Duration
		want Latency
	}{
		{"one", ms(7), Latency{Median: 7 * time.Millisecond, P95: 7 * time.Millisecond, Total: 7 * time.Millisecond}},
		{"odd", ms(3, 1, 2), Latency{Median: 2 * time.Millisecond, P95: 3 * time.Millisecond, Total: 6 * time.Millisecond}},
		{"even", ms(4, 1, 3, 2), Latency{Median: 2500 * time.Microsecond, P95: 4 * time.Millisecond, Total: 10 * time.Millisecond}},
		// Nearest rank: ceil(0.95 * 20) = 19th of 20.
		{"twenty", twenty, Latency{Median: 10500 * time.Microsecond, P95: 19 * time.Millisecond, Total: 210 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, summarize(tc.in))
		})
	}
	assert.Equal(t, 20*time.Millisecond, twenty[0], "summarize sorted its input in place")
}

func TestPerSecond(t *testing.T) {
	assert.Equal(t, 5.0, perSecond(20, 4*time.Second), "perSecond(20, 4s)")
	assert.Equal(t, 0.0, perSecond(3, 0), "perSecond(3, 0)")
}
