package evaltest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fake guest is Go code that plays the harness's part (or an attacker's)
// over the conductor's streams, in the launcher's goroutine as a wasm guest
// does: every read and write is a call into the host, in order.
type fakeGuest struct {
	ctx context.Context
	in  io.Reader
	out io.Writer
}

func (g *fakeGuest) write(s string) { g.out.Write([]byte(s)) }

// read returns the next request, or false at end of file.
func (g *fakeGuest) read() (req fakeRequest, ok bool) {
	line, err := readLine(g.in)
	if err != nil {
		return req, false
	}
	if json.Unmarshal(line, &req) != nil {
		panic("the host sent a malformed request: " + string(line))
	}
	return req, true
}

type fakeRequest struct {
	Index  int               `json:"index"`
	Args   []json.RawMessage `json:"args"`
	Kwargs map[string]any    `json:"kwargs"`
}

// value is a well-formed reply: case index returned v (JSON).
func value(index int, v string) string {
	return fmt.Sprintf(`{"index":%d,"duration":0.5,"stdout":"","value":%s}`+"\n", index, v)
}

// echo is an honest harness whose function returns its first argument;
// before replying to each case it calls meddle, if set.
func echo(meddle func(g *fakeGuest, req fakeRequest)) func(g *fakeGuest) Exit {
	return func(g *fakeGuest) Exit {
		g.write(`{"ready":true}` + "\n")
		for {
			req, ok := g.read()
			if !ok {
				return Exit{}
			}
			if meddle != nil {
				meddle(g, req)
			}
			g.write(value(req.Index, string(req.Args[0])))
		}
	}
}

// runFake runs cases (JSON) against the fake guest play, one fresh play per
// instance, and returns the report and how many instances ran.
func runFake(t *testing.T, timeout time.Duration, cases string, play func(g *fakeGuest) Exit) (*Report, int) {
	t.Helper()
	cs, err := ParseCases([]byte(cases))
	require.NoError(t, err)
	instances := 0
	launch := func(ctx context.Context, stdin io.Reader, stdout io.Writer) (Exit, error) {
		instances++
		exit := play(&fakeGuest{ctx: ctx, in: stdin, out: stdout})
		if ctx.Err() != nil {
			return exit, fmt.Errorf("stopped: %w", ctx.Err())
		}
		return exit, nil
	}
	rep, err := Run(context.Background(), Config{Function: "evaluate", Timeout: timeout}, cs, launch)
	require.NoError(t, err)
	return rep, instances
}

// fourCases expect what an echo returns.
const fourCases = `[{"input": 1, "expected": 1}, {"input": 2, "expected": 2}, {"input": 3, "expected": 3}, {"input": 4, "expected": 4}]`

func TestConductorHonestGuest(t *testing.T) {
	var seen []fakeRequest
	rep, instances := runFake(t, time.Minute, `[
  {"name": "one", "args": [1], "kwargs": {"k": true}, "expected": 1},
  {"input": "x", "expected": "y"},
  {"input": [1.5], "expected": [1.5000000001]}
]`, echo(func(_ *fakeGuest, req fakeRequest) { seen = append(seen, req) }))
	assert.Equal(t, 1, instances)
	assert.Equal(t, []Status{StatusPass, StatusFail, StatusPass}, statusesOf(rep))
	require.Len(t, seen, 3)
	for i, req := range seen {
		assert.Equal(t, i, req.Index)
	}
	assert.Equal(t, map[string]any{"k": true}, seen[0].Kwargs)
	assert.Equal(t, "one", rep.Cases[0].Name)
	assert.Equal(t, `"x"`, string(rep.Cases[1].Actual))
	assert.Equal(t, `"y"`, string(rep.Cases[1].Expected))
	assert.LessOrEqual(t, rep.Cases[0].Duration, 0.5, "the guest's measure at most")
}

// TestConductorProtocolViolations checks that whatever the guest writes
// besides one reply per case makes that case an error, stops the instance,
// and lets the next case run in a fresh one.
func TestConductorProtocolViolations(t *testing.T) {
	for _, tc := range []struct {
		name   string
		meddle func(g *fakeGuest, req fakeRequest)
		msg    string
	}{
		{"a second reply first", func(g *fakeGuest, req fakeRequest) {
			g.write(value(req.Index, "1"))
		}, "more than one line"},
		{"replies for the later cases", func(g *fakeGuest, req fakeRequest) {
			for i := req.Index + 1; i < 4; i++ {
				g.write(value(i, fmt.Sprint(i+1)))
			}
		}, "more than one line"},
		{"a stray line", func(g *fakeGuest, req fakeRequest) {
			g.write("hello\n")
		}, "more than one line"},
		{"reads the next case itself", func(g *fakeGuest, req fakeRequest) {
			g.read()
		}, "read the next case without replying"},
		{"a partial line", func(g *fakeGuest, req fakeRequest) {
			g.write(`{"ind`)
		}, "malformed reply"},
		{"a line too long", func(g *fakeGuest, req fakeRequest) {
			chunk := strings.Repeat("x", 1<<20)
			for range 17 {
				g.write(chunk)
			}
		}, "the reply is longer than 16 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meddled := false
			rep, instances := runFake(t, time.Minute, fourCases, echo(func(g *fakeGuest, req fakeRequest) {
				if req.Index == 1 && !meddled {
					meddled = true
					tc.meddle(g, req)
				}
			}))
			require.Equal(t, []Status{StatusPass, StatusError, StatusPass, StatusPass}, statusesOf(rep))
			assert.Equal(t, 2, instances, "the cases after the violation run in a fresh instance")
			e := rep.Cases[1].Error
			require.NotNil(t, e)
			assert.Equal(t, "ProtocolError", e.Type)
			assert.Contains(t, e.Message, tc.msg)
			assert.Nil(t, rep.Cases[1].Actual)
		})
	}
}

// TestConductorMalformedReplies checks each malformed reply is a violation.
func TestConductorMalformedReplies(t *testing.T) {
	for name, reply := range map[string]string{
		"another case's index": value(2, "2"),
		"no index":             `{"duration":0.5,"stdout":"","value":2}`,
		"two results":          `{"index":1,"duration":0.5,"stdout":"","value":2,"notJSON":"x","valueType":"set"}`,
		"no result":            `{"index":1,"duration":0.5,"stdout":""}`,
		"unknown key":          `{"index":1,"duration":0.5,"stdout":"","value":2,"status":"pass"}`,
		"a verdict":            `{"event":"result","index":1,"name":"case 2","status":"pass","duration":1,"stdout":""}`,
		"no stdout":            `{"index":1,"duration":0.5,"value":2}`,
		"negative duration":    `{"index":1,"duration":-1,"stdout":"","value":2}`,
		"an infinite float":    `{"index":1,"duration":0.5,"stdout":"","value":1e400}`,
		"not JSON":             `index 1: 2`,
		"invalid UTF-8":        "{\"index\":1,\"duration\":0.5,\"stdout\":\"\xff\",\"value\":2}",
		"trailing data":        `{"index":1,"duration":0.5,"stdout":"","value":2}}`,
	} {
		t.Run(name, func(t *testing.T) {
			first := true
			rep, _ := runFake(t, time.Minute, fourCases, func(g *fakeGuest) Exit {
				g.write(`{"ready":true}` + "\n")
				for {
					req, ok := g.read()
					if !ok {
						return Exit{}
					}
					if req.Index == 1 && first {
						first = false
						g.write(strings.TrimSuffix(reply, "\n") + "\n")
						continue
					}
					g.write(value(req.Index, string(req.Args[0])))
				}
			})
			require.Equal(t, []Status{StatusPass, StatusError, StatusPass, StatusPass}, statusesOf(rep))
			require.NotNil(t, rep.Cases[1].Error)
			assert.Equal(t, "ProtocolError", rep.Cases[1].Error.Type)
		})
	}
}

// A reply written just before the instance ends counts as the case's answer,
// judged as any other; writes after the last case are ignored.
func TestConductorReplyThenExit(t *testing.T) {
	rep, instances := runFake(t, time.Minute, fourCases, func(g *fakeGuest) Exit {
		g.write(`{"ready":true}` + "\n")
		req, _ := g.read()
		g.write(value(req.Index, `"forged"`))
		return Exit{Code: 3}
	})
	assert.Equal(t, 4, instances)
	assert.Equal(t, []Status{StatusFail, StatusFail, StatusFail, StatusFail}, statusesOf(rep))
	assert.Equal(t, `"forged"`, string(rep.Cases[0].Actual))

	rep, _ = runFake(t, time.Minute, fourCases, func(g *fakeGuest) Exit {
		echo(nil)(g)
		g.write(value(3, "4") + value(0, "1"))
		return Exit{}
	})
	assert.Equal(t, []Status{StatusPass, StatusPass, StatusPass, StatusPass}, statusesOf(rep))
}

func TestConductorInstanceEnds(t *testing.T) {
	for _, tc := range []struct {
		name      string
		exit      Exit
		typ, want string
	}{
		{"exit", Exit{Code: 7, Stderr: "bye"}, "Exit", "the interpreter exited with status 7 while running the case"},
		{"crash", Exit{Code: 134, Crashed: true}, "Crash", "the interpreter crashed while running the case (a WebAssembly trap, e.g. a stack overflow)"},
		{"memory", Exit{Code: 137, MemoryExceeded: true}, "MemoryError", "the case hit the memory limit and the instance was stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, instances := runFake(t, time.Minute, fourCases, func(g *fakeGuest) Exit {
				g.write(`{"ready":true}` + "\n")
				for {
					req, ok := g.read()
					if !ok {
						return Exit{}
					}
					if req.Index == 2 {
						return tc.exit
					}
					g.write(value(req.Index, string(req.Args[0])))
				}
			})
			require.Equal(t, []Status{StatusPass, StatusPass, StatusError, StatusPass}, statusesOf(rep))
			assert.Equal(t, 2, instances)
			require.NotNil(t, rep.Cases[2].Error)
			assert.Equal(t, tc.typ, rep.Cases[2].Error.Type)
			assert.Equal(t, tc.want, rep.Cases[2].Error.Message)
			assert.Equal(t, tc.exit.Stderr, rep.Cases[2].Error.Traceback)
		})
	}
}

func TestConductorTimeoutThenResume(t *testing.T) {
	var firsts []int
	rep, instances := runFake(t, 200*time.Millisecond, fourCases, func(g *fakeGuest) Exit {
		g.write(`{"ready":true}` + "\n")
		first := true
		for {
			req, ok := g.read()
			if !ok {
				return Exit{}
			}
			if first {
				firsts, first = append(firsts, req.Index), false
			}
			if req.Index == 1 {
				<-g.ctx.Done() // spins until stopped
				return Exit{Code: 130}
			}
			g.write(value(req.Index, string(req.Args[0])))
		}
	})
	require.Equal(t, []Status{StatusPass, StatusTimeout, StatusPass, StatusPass}, statusesOf(rep))
	assert.Equal(t, 2, instances)
	assert.Equal(t, []int{0, 2}, firsts, "the second instance starts after the case that timed out")
	assert.Equal(t, 1, rep.TimedOut)
	assert.GreaterOrEqual(t, rep.Cases[1].Duration, 200.0)
	require.NotNil(t, rep.Cases[1].Error)
	assert.Equal(t, "Timeout", rep.Cases[1].Error.Type)
}

// A case whose reply came in time is judged even when the instance then
// overruns before it reads the next case.
func TestConductorReplyThenOverrun(t *testing.T) {
	rep, instances := runFake(t, 200*time.Millisecond, fourCases, echo(func(g *fakeGuest, req fakeRequest) {
		if req.Index == 1 {
			g.write(value(1, "2"))
			<-g.ctx.Done()
		}
	}))
	assert.Equal(t, 2, instances)
	assert.Equal(t, []Status{StatusPass, StatusPass, StatusPass, StatusPass}, statusesOf(rep))
}

func TestConductorLoading(t *testing.T) {
	for _, tc := range []struct {
		name    string
		play    func(g *fakeGuest) Exit
		typ     string
		message string
	}{
		{"load error", func(g *fakeGuest) Exit {
			g.write(`{"loadError":{"type":"SyntaxError","message":"bad","traceback":"tb"}}` + "\n")
			return Exit{}
		}, "SyntaxError", "bad"},
		{"reads before ready", func(g *fakeGuest) Exit {
			g.read()
			return Exit{}
		}, "ProtocolError", "the guest read its first case before the harness said it was ready"},
		{"two lines before reading", func(g *fakeGuest) Exit {
			g.write(`{"ready":true}` + "\n" + `{"ready":true}` + "\n")
			g.read()
			return Exit{}
		}, "ProtocolError", "more than one line"},
		{"malformed load line", func(g *fakeGuest) Exit {
			g.write(`{"ready":false}` + "\n")
			g.read()
			return Exit{}
		}, "ProtocolError", "malformed load line"},
		{"exits while loading", func(g *fakeGuest) Exit {
			return Exit{Code: 1, Stderr: "Traceback"}
		}, "Exit", "the interpreter exited with status 1 while loading the eval code"},
		{"overruns", func(g *fakeGuest) Exit {
			<-g.ctx.Done()
			return Exit{Code: 130}
		}, "Timeout", "loading the eval code took longer than 10ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, instances := runFake(t, 10*time.Millisecond, fourCases, tc.play)
			assert.Equal(t, 1, instances)
			require.NotNil(t, rep.LoadError)
			assert.Equal(t, tc.typ, rep.LoadError.Type)
			assert.Contains(t, rep.LoadError.Message, tc.message)
			assert.Empty(t, rep.Cases)
			assert.False(t, rep.Success)
		})
	}
}

func TestRunCanceled(t *testing.T) {
	cs, err := ParseCases([]byte(fourCases))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	launch := func(lctx context.Context, stdin io.Reader, stdout io.Writer) (Exit, error) {
		cancel()
		<-lctx.Done()
		return Exit{Code: 130}, fmt.Errorf("stopped: %w", lctx.Err())
	}
	_, err = Run(ctx, Config{Timeout: time.Minute}, cs, launch)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRunNoCases(t *testing.T) {
	rep, instances := runFake(t, time.Minute, `[]`, echo(nil))
	assert.Zero(t, instances)
	assert.True(t, rep.Success)
	assert.Empty(t, rep.Cases)
}
