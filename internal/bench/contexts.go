package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// ContextResult is what one operation on code contexts measured: the
// latency of Runs calls, one at a time.
type ContextResult struct {
	// Op is create, run, fork, save or resume.
	Op       string  `json:"op"`
	MedianMs float64 `json:"medianMs"`
	P95Ms    float64 `json:"p95Ms"`
	// SavedBytes is the size of what save writes (save only).
	SavedBytes int `json:"savedBytes,omitempty"`
}

// contextState is the state fork, save and resume carry: a dict of 10^5
// entries and an open file.
const contextState = `
d = {i: str(i) for i in range(100_000)}
f = open("/tmp/log.txt", "w")
f.write("state:")
f.flush()
`

// contextOps are the measured operations, in order. Each gets the engine,
// a sandbox, the context holding contextState in it and the bytes that
// context saved, and returns the size of what it saved, if it saves.
var contextOps = []struct {
	name string
	op   func(ctx context.Context, e *runtime.Engine, sb *runtime.Sandbox, c *runtime.Context, saved []byte) (int, error)
}{
	{"create", func(ctx context.Context, _ *runtime.Engine, sb *runtime.Sandbox, _ *runtime.Context, _ []byte) (int, error) {
		c, err := sb.NewContext(ctx, runtime.ContextOptions{})
		if err == nil {
			c.Close()
		}
		return 0, err
	}},
	{"run", func(ctx context.Context, _ *runtime.Engine, _ *runtime.Sandbox, c *runtime.Context, _ []byte) (int, error) {
		x, err := c.Run(ctx, "len(d) + 1", runtime.RunOptions{})
		if err == nil && (x.Error != nil || len(x.Results) != 1 || x.Results[0].Text != "100001") {
			err = fmt.Errorf("want the result 100001, got %+v", x)
		}
		return 0, err
	}},
	{"fork", func(ctx context.Context, _ *runtime.Engine, _ *runtime.Sandbox, c *runtime.Context, _ []byte) (int, error) {
		fork, err := c.Fork(ctx)
		if err == nil {
			fork.Close()
		}
		return 0, err
	}},
	{"save", func(ctx context.Context, _ *runtime.Engine, _ *runtime.Sandbox, c *runtime.Context, _ []byte) (int, error) {
		data, err := c.Save(ctx)
		return len(data), err
	}},
	{"resume", func(ctx context.Context, e *runtime.Engine, sb *runtime.Sandbox, _ *runtime.Context, saved []byte) (int, error) {
		c, err := e.ResumeContext(ctx, sb, saved)
		if err == nil {
			c.Close()
		}
		return 0, err
	}},
}

// contextRuns is how many calls measureContexts makes for runs measured
// ones: a warm-up and the runs of each operation.
func contextRuns(runs int) int { return len(contextOps) * (WarmupRuns + runs) }

// measureContexts measures each of contextOps runs times, after the
// warm-up, on engine e.
func (m *meter) measureContexts(ctx context.Context, e *runtime.Engine) ([]ContextResult, error) {
	sb, err := e.NewSandbox(runtime.SandboxConfig{Timeout: time.Minute})
	if err != nil {
		return nil, fmt.Errorf("bench: contexts: %w", err)
	}
	defer sb.Destroy()
	c, err := sb.NewContext(ctx, runtime.ContextOptions{})
	if err != nil {
		return nil, fmt.Errorf("bench: contexts: %w", err)
	}
	defer c.Close()
	if x, err := c.Run(ctx, contextState, runtime.RunOptions{}); err != nil || x.Error != nil {
		return nil, fmt.Errorf("bench: contexts: setting up the state: %v %+v", err, x)
	}
	saved, err := c.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: contexts: %w", err)
	}
	var out []ContextResult
	for _, op := range contextOps {
		var latencies []time.Duration
		size := 0
		for n := range WarmupRuns + m.cfg.Runs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			start := time.Now()
			s, err := op.op(ctx, e, sb, c, saved)
			d := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("bench: context %s, call %d: %w", op.name, n+1, err)
			}
			if n >= WarmupRuns {
				latencies = append(latencies, d)
			}
			size = s
			m.step("context " + op.name)
		}
		l := summarize(latencies)
		out = append(out, ContextResult{Op: op.name, MedianMs: millis(l.Median), P95Ms: millis(l.P95), SavedBytes: size})
	}
	return out, nil
}
