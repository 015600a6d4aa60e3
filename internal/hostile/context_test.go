package hostile

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// contextProbes names one probe of each bypass class, run as a cell.
var contextProbes = []string{
	"aliases/computed-getattr",
	"c-getattr/format-field",
	"strings/forward-ref-open",
	"forged/code-replace",
	"frames/traceback-walk",
	"loaders/codecs-write",
	"exec/builtins-exec",
}

// bypassNamed returns the probe class/name.
func bypassNamed(t *testing.T, id string) bypass {
	t.Helper()
	for _, b := range bypasses {
		if b.class+"/"+b.name == id {
			return b
		}
	}
	require.Failf(t, "no such probe", "%s", id)
	return bypass{}
}

// newProbeContext starts a context with policy (nil: none) under the
// guard alone, without the static check, over a sandbox of its own.
func newProbeContext(t *testing.T, policy *validate.Policy) *runtime.Context {
	t.Helper()
	sb, err := engine.NewSandbox(runtime.SandboxConfig{Timeout: runTimeout})
	require.NoError(t, err)
	t.Cleanup(func() { sb.Destroy() })
	c, err := sb.NewContext(context.Background(), runtime.ContextOptions{Policy: policy, SkipStaticCheck: true})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// refusal is the last line of a guarded exec's traceback: "Name: message".
func refusal(res *runtime.ExecResult) string {
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	return lines[len(lines)-1]
}

// cellRefusal is a cell's exception in the same form.
func cellRefusal(x *runtime.Execution) string {
	if x.Error == nil {
		return ""
	}
	return x.Error.Name + ": " + x.Error.Message
}

// runProbe runs a probe as a cell of c.
func runProbe(t *testing.T, c *runtime.Context, code string) *runtime.Execution {
	t.Helper()
	x, err := c.Run(context.Background(), code, runtime.RunOptions{})
	require.NoError(t, err)
	return x
}

// TestContextCellsAreGuarded runs a probe of each bypass class as a cell of
// a context under the strict policy's guard alone: it is refused as the
// guarded exec refuses it, and the context keeps serving. Unguarded, the
// same cell escapes (the control).
func TestContextCellsAreGuarded(t *testing.T) {
	strict, err := validate.PolicyByName("strict")
	require.NoError(t, err)
	guarded := newProbeContext(t, &strict)
	classes := map[string]bool{}
	for _, id := range contextProbes {
		b := bypassNamed(t, id)
		classes[b.class] = true
		t.Run(id, func(t *testing.T) {
			open := runProbe(t, newProbeContext(t, nil), b.code)
			require.Nil(t, open.Error, "the probe fails unguarded: %+v", open.Error)
			require.Contains(t, strings.Join(open.Logs.Stdout, ""), escaped, "the probe does not work unguarded")

			want := guardedExec(t, b.code, "strict")
			require.NotEqual(t, 0, want.ExitCode, "exec lets the probe run: %q", want.Stdout)
			x := runProbe(t, guarded, b.code)
			assert.NotContains(t, strings.Join(x.Logs.Stdout, ""), escaped)
			assert.Equal(t, refusal(want), cellRefusal(x))
			assert.Equal(t, []string{"2"}, cellTexts(runProbe(t, guarded, "1 + 1")), "the context serves on")
		})
	}
	assert.Len(t, classes, 7, "one probe per bypass class")
}

// TestContextGuardSurvivesForkAndResume runs a probe in a fork and in a
// resumed save of a guarded context: both are refused.
func TestContextGuardSurvivesForkAndResume(t *testing.T) {
	strict, err := validate.PolicyByName("strict")
	require.NoError(t, err)
	c := newProbeContext(t, &strict)
	runProbe(t, c, "x = 41")
	b := bypassNamed(t, "exec/builtins-exec")
	want := refusal(guardedExec(t, b.code, "strict"))
	ctx := context.Background()

	fork, err := c.Fork(ctx)
	require.NoError(t, err)
	defer fork.Close()
	data, err := c.Save(ctx)
	require.NoError(t, err)
	sb, err := engine.NewSandbox(runtime.SandboxConfig{Timeout: runTimeout})
	require.NoError(t, err)
	defer sb.Destroy()
	resumed, err := engine.ResumeContext(ctx, sb, data)
	require.NoError(t, err)
	defer resumed.Close()

	for name, rc := range map[string]*runtime.Context{"fork": fork, "resumed": resumed} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, []string{"42"}, cellTexts(runProbe(t, rc, "x + 1")))
			x := runProbe(t, rc, b.code)
			assert.NotContains(t, strings.Join(x.Logs.Stdout, ""), escaped)
			assert.Equal(t, want, cellRefusal(x))
		})
	}
}

// cellTexts returns the text of each result.
func cellTexts(x *runtime.Execution) []string {
	out := []string{}
	for _, r := range x.Results {
		out = append(out, r.Text)
	}
	return out
}
