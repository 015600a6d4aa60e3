package shell

import (
	"runtime"
	"sync"
)

// checkLimits stops the command line when it runs too many jobs at once or
// nests too deep. The interpreter calls it before every command.
//
// Jobs are counted as the process's goroutines above their number when the
// command line started: the interpreter runs each pipeline stage and
// background job on one, and gives no other hook to count them. A
// concurrent command line's goroutines count too; a fork bomb passes the
// limit in milliseconds either way.
func (sh *Shell) checkLimits() error {
	if runtime.NumGoroutine()-sh.goroutines > MaxJobs {
		return sh.stop(ErrTooManyJobs)
	}
	if stackDepth() > MaxFrames {
		return sh.stop(ErrTooDeep)
	}
	return nil
}

// frames holds buffers for stackDepth.
var frames = sync.Pool{New: func() any { b := make([]uintptr, MaxFrames+1); return &b }}

// stackDepth counts the frames of the calling goroutine's stack, up to
// MaxFrames+1.
func stackDepth() int {
	b := frames.Get().(*[]uintptr)
	n := runtime.Callers(0, *b)
	frames.Put(b)
	return n
}
