package runtime

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcessTimeFromRunStart: time.process_time() counts from the run's
// start, not from when the interpreter's snapshot was taken. The reproducer
// of issue 12 read the snapshot's age, the same in every run.
func TestProcessTimeFromRunStart(t *testing.T) {
	for i := range 3 { // warm, restored and later instances alike
		res := run(t, `python3 -c 'import time; print(time.process_time())'`, ExecOptions{})
		require.Equal(t, 0, res.ExitCode, res.Stderr)
		got, err := strconv.ParseFloat(strings.TrimSpace(res.Stdout), 64)
		require.NoError(t, err)
		// A run's own start-up is well under the timeout; the snapshot's
		// age is seconds or days.
		assert.Less(t, got, testTimeout.Seconds()/10, "run %d: process_time %v s at start", i, got)
		assert.GreaterOrEqual(t, got, 0.0)
	}
}

func TestProcessTimeCountsTheRun(t *testing.T) {
	res := run(t, `python3 -c '
import time
a = time.process_time(); m = time.monotonic()
time.sleep(0.2)
print(time.process_time() - a >= 0.2, time.monotonic() - m >= 0.2)'`, ExecOptions{})
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	assert.Equal(t, "True True\n", res.Stdout)
}

func TestGuestClockNeverGoesBack(t *testing.T) {
	c := newGuestClock(clockOrigin)
	a := c.nanotime()
	c.pause()
	b := c.nanotime()
	c.resume()
	d := c.nanotime()
	assert.LessOrEqual(t, a, b)
	assert.LessOrEqual(t, b, d)

	s := newSteppingClock(clockOrigin)
	assert.Equal(t, clockOrigin+clockStep, s.nanotime())
	assert.Equal(t, clockOrigin+2*clockStep, s.nanotime())
}
