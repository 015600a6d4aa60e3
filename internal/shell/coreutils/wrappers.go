package coreutils

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

func init() {
	register(timeout, "timeout")
	register(nohup, "nohup")
	register(nice, "nice")
}

var timeoutSpec = optSpec{
	short:     "s:k:v",
	long:      map[string]string{"signal=": "s", "kill-after=": "k", "preserve-status": "preserve", "foreground": "fg", "verbose": "v"},
	inOrder:   true,
	usageCode: 125,
}

// timeout runs a command and stops it after DURATION (seconds, or with a
// suffix s m h d; 0 for none): status 124 when it timed out, 125 when
// timeout itself failed, else the command's.
func timeout(c *call) int {
	o, code := c.parseOpts(timeoutSpec)
	if o == nil {
		return code
	}
	if len(o.operands) < 2 {
		if len(o.operands) == 0 {
			return c.usage(125, "missing operand")
		}
		return c.usage(125, "missing operand after %s", quote(o.operands[0]))
	}
	secs, ok := parseInterval(o.operands[0])
	if !ok {
		return c.usage(125, "invalid time interval %s", quote(o.operands[0]))
	}
	ctx, cancel := c.ctx, context.CancelFunc(func() {})
	if secs > 0 {
		ctx, cancel = context.WithTimeoutCause(c.ctx, time.Duration(secs*float64(time.Second)), errTimedOut)
	}
	defer cancel()
	sub := *c.Invocation
	sub.Args = o.operands[1:]
	c.out.Flush()
	if c.Run == nil {
		c.errorf("cannot run commands here")
		return 125
	}
	status := c.Run(ctx, &sub)
	if errors.Is(context.Cause(ctx), errTimedOut) && c.ctx.Err() == nil {
		sig, _ := o.val("s")
		sig = strings.TrimPrefix(strings.ToUpper(sig), "SIG")
		if sig == "" {
			sig = "TERM"
		}
		if o.has("v") {
			c.warnf("sending signal %s to command %s", sig, quote(sub.Args[0]))
		}
		if o.has("preserve") {
			n, err := strconv.Atoi(sig)
			if err != nil {
				n = signalNumbers[sig]
			}
			return 128 + n
		}
		return 124
	}
	return status
}

// signalNumbers are the numbers of the signals timeout -s names, for the
// status --preserve-status reports (the command is stopped, not signalled).
var signalNumbers = map[string]int{"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}

// errTimedOut is timeout's deadline.
var errTimedOut = errors.New("timed out")

// nohup runs a command; there is no hangup to ignore and output stays
// where it goes (no nohup.out).
func nohup(c *call) int {
	args := c.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return c.usage(125, "missing operand")
	}
	sub := *c.Invocation
	sub.Args = args
	return c.runCommand(&sub)
}

var niceSpec = optSpec{short: "n:", long: map[string]string{"adjustment=": "n"}, inOrder: true, usageCode: 125}

// nice runs a command (priorities do not apply in the sandbox); alone it
// prints the niceness, 0.
func nice(c *call) int {
	args := c.Args[1:]
	// "nice -5 cmd" is an old spelling of "nice -n 5 cmd".
	if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "0123456789") == "" {
		args = args[1:]
	}
	o, code := c.parseArgs(niceSpec, args)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		c.out.WriteString("0\n")
		return c.finish()
	}
	sub := *c.Invocation
	sub.Args = o.operands
	return c.runCommand(&sub)
}
