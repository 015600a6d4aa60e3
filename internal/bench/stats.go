package bench

import (
	"math"
	"slices"
	"time"
)

// Latency summarises the durations of a set of runs.
type Latency struct {
	Median time.Duration
	P95    time.Duration
	Total  time.Duration
}

// summarize returns the median (the mean of the two middle values for an
// even count), the 95th percentile by the nearest-rank method (the smallest
// value at or above 95% of the samples) and the sum of d. d must not be
// empty.
func summarize(d []time.Duration) Latency {
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	var l Latency
	if n%2 == 1 {
		l.Median = s[n/2]
	} else {
		l.Median = (s[n/2-1] + s[n/2]) / 2
	}
	l.P95 = s[int(math.Ceil(0.95*float64(n)))-1]
	for _, x := range s {
		l.Total += x
	}
	return l
}

// perSecond returns how many runs a second n runs in elapsed make.
func perSecond(n int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) / elapsed.Seconds()
}

// millis returns d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
