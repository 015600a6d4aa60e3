package coreutils

import (
	"math"
	"strconv"
	"strings"
	"time"
)

func init() { register(sleep, "sleep") }

// sleep waits for the sum of its intervals (seconds, or with a suffix s, m,
// h, d), or until the context ends.
func sleep(c *call) int {
	if len(c.Args) < 2 {
		return c.usage(1, "missing operand")
	}
	var total float64
	for _, a := range c.Args[1:] {
		secs, ok := parseInterval(a)
		if !ok {
			c.errorf("invalid time interval %s", quote(a))
		}
		total += secs
	}
	if c.status != 0 {
		return c.tryHelp(1)
	}
	d := time.Duration(math.Min(total*float64(time.Second), math.MaxInt64))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
	return c.finish()
}

// parseInterval reads "1.5", "2m", "1h", "3d".
func parseInterval(s string) (float64, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "s"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		s, mult = s[:len(s)-1], 60
	case strings.HasSuffix(s, "h"):
		s, mult = s[:len(s)-1], 3600
	case strings.HasSuffix(s, "d"):
		s, mult = s[:len(s)-1], 86400
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) || strings.ContainsAny(s, "xXpP") {
		return 0, false
	}
	return f * mult, true
}
