package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

// policyNamed is the policy called name.
func policyNamed(t testing.TB, name string) *validate.Policy {
	t.Helper()
	p, err := validate.PolicyByName(name)
	require.NoError(t, err)
	return &p
}

// guardedContext starts a context under the strict policy's guard alone
// (no static check), so that each cell meets the guard itself.
func guardedContext(t *testing.T) *Context {
	t.Helper()
	return newContext(t, ContextOptions{Policy: policyNamed(t, "strict"), SkipStaticCheck: true})
}

// escapeCell is a cell the static check lets through and the guard stops:
// a module's namespace through a computed getattr.
const escapeCell = `import typing
s = getattr(typing, "sy" + "s")
s.modules["os"].listdir("/")`

// assertGuardStops checks that escapeCell was refused by the guard.
func assertGuardStops(t *testing.T, c *Context) {
	t.Helper()
	x := runCell(t, c, escapeCell)
	require.NotNil(t, x.Error, "the escape ran: %v", texts(x))
	assert.Equal(t, "AttributeError", x.Error.Name)
	assert.Equal(t, "attribute 'sys' is blocked by the wasmbox strict policy", x.Error.Message)
	assert.Equal(t, 2, x.Error.LineNumber)
}

func TestGuardedContextCells(t *testing.T) {
	c := guardedContext(t)
	t.Run("state", func(t *testing.T) {
		assert.Nil(t, runCell(t, c, "x = 41").Error)
		x := runCell(t, c, "x + 1")
		require.Nil(t, x.Error)
		assert.Equal(t, []string{"42"}, texts(x))
	})
	t.Run("import allowed", func(t *testing.T) {
		x := runCell(t, c, "import json\njson.dumps({'a': [1, 2]})")
		require.Nil(t, x.Error)
		assert.Equal(t, []string{`'{"a": [1, 2]}'`}, texts(x))
	})
	t.Run("traceback line", func(t *testing.T) {
		x := runCell(t, c, "def f(n):\n    return 1 / n\n\nf(0)")
		require.NotNil(t, x.Error)
		assert.Equal(t, "ZeroDivisionError", x.Error.Name)
		assert.Equal(t, 2, x.Error.LineNumber)
		assert.Contains(t, x.Error.Traceback, "    return 1 / n")
	})
	t.Run("syntax error", func(t *testing.T) {
		x := runCell(t, c, "a = 1\nb = (")
		require.NotNil(t, x.Error)
		assert.Equal(t, "SyntaxError", x.Error.Name)
		assert.Equal(t, 2, x.Error.LineNumber)
	})
	t.Run("rich results", func(t *testing.T) {
		x := runCell(t, c, "class H:\n    def _repr_html_(self):\n        return '<b>' + type(self).__name__ + '</b>'\n    def __repr__(self):\n        return 'H()'\nH()")
		require.Nil(t, x.Error)
		require.Len(t, x.Results, 1)
		assert.Equal(t, Result{Text: "H()", HTML: "<b>H</b>"}, x.Results[0])
	})
	t.Run("runner out of reach", func(t *testing.T) {
		x := runCell(t, c, "y = 1\n__wasmbox_run__()")
		require.NotNil(t, x.Error)
		assert.Equal(t, "SyntaxError", x.Error.Name)
		assert.Equal(t, "the name '__wasmbox_run__' is blocked by the wasmbox strict policy (<cell "+strconv.Itoa(x.ExecutionCount)+">, line 2)", x.Error.Message)
		assert.Equal(t, 2, x.Error.LineNumber)
	})
	t.Run("escape", func(t *testing.T) { assertGuardStops(t, c) })
	t.Run("still serves", func(t *testing.T) {
		x := runCell(t, c, "x")
		require.Nil(t, x.Error)
		assert.Equal(t, []string{"41"}, texts(x))
	})
}

func TestUnguardedContextLetsTheEscapeRun(t *testing.T) {
	// The control for assertGuardStops: without a policy the cell works.
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, escapeCell)
	require.Nil(t, x.Error)
	assert.NotEmpty(t, texts(x))
}

func TestGuardedContextStaticCheck(t *testing.T) {
	c := newContext(t, ContextOptions{Policy: policyNamed(t, "strict")})
	runCell(t, c, "x = 1")
	x := runCell(t, c, "import os\nos.listdir('/')")
	require.NotNil(t, x.Error)
	assert.Equal(t, "PolicyViolation", x.Error.Name)
	assert.Equal(t, 1, x.Error.LineNumber)
	assert.Equal(t, 1, x.ExecutionCount, "a refused cell does not count")
	assert.Equal(t, []string{"2"}, texts(runCell(t, c, "x + 1")))
}

func TestContextPolicyMismatch(t *testing.T) {
	c := newContext(t, ContextOptions{Policy: policyNamed(t, "strict")})
	numpy, err := policyNamed(t, "strict").WithAllowedImports("numpy")
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		policy *validate.Policy
		want   string
	}{
		"stdlib":        {policyNamed(t, "stdlib"), "stdlib"},
		"none":          {policyNamed(t, "none"), "none"},
		"extra imports": {&numpy, "strict (allowing also numpy)"},
	} {
		t.Run(name, func(t *testing.T) {
			x, err := c.Run(context.Background(), "1", RunOptions{Policy: tc.policy})
			assert.Nil(t, x)
			require.ErrorIs(t, err, ErrPolicyMismatch)
			var mismatch *PolicyMismatchError
			require.ErrorAs(t, err, &mismatch)
			assert.Equal(t, PolicyMismatchError{Context: "strict", Run: tc.want}, *mismatch)
		})
	}
	t.Run("same policy", func(t *testing.T) {
		x, err := c.Run(context.Background(), "1", RunOptions{Policy: policyNamed(t, "strict")})
		require.NoError(t, err)
		assert.Equal(t, []string{"1"}, texts(x))
	})
	t.Run("unguarded context", func(t *testing.T) {
		u := newContext(t, ContextOptions{})
		_, err := u.Run(context.Background(), "1", RunOptions{Policy: policyNamed(t, "strict")})
		assert.ErrorIs(t, err, ErrPolicyMismatch)
	})
}

func TestGuardedContextForkAndResume(t *testing.T) {
	c := guardedContext(t)
	runCell(t, c, "x = 41")
	ctx := context.Background()
	t.Run("fork", func(t *testing.T) {
		fork, err := c.Fork(ctx)
		require.NoError(t, err)
		defer fork.Close()
		assert.Equal(t, "strict", fork.Options().Policy.Name())
		assert.Equal(t, []string{"42"}, texts(runCell(t, fork, "x + 1")))
		assertGuardStops(t, fork)
	})
	t.Run("save and resume", func(t *testing.T) {
		data, err := c.Save(ctx)
		require.NoError(t, err)
		r, err := c.engine.ResumeContext(ctx, newSandbox(t, SandboxConfig{}), data)
		require.NoError(t, err)
		defer r.Close()
		assert.Equal(t, "strict", r.Options().Policy.Name())
		assert.False(t, r.Options().SkipStaticCheck, "a resumed context checks its cells")
		assert.Equal(t, []string{"42"}, texts(runCell(t, r, "x + 1")))
		x := runCell(t, r, "import os")
		require.NotNil(t, x.Error)
		assert.Equal(t, "PolicyViolation", x.Error.Name)
		assertGuardStops(t, r)
	})
}

// resaved returns saved with its metadata changed by edit, and a valid
// checksum, as a client could forge it.
func resaved(t *testing.T, saved []byte, edit func(*savedContext)) []byte {
	t.Helper()
	body := saved[len(savedFormat) : len(saved)-sha256.Size]
	n := binary.LittleEndian.Uint32(body)
	var meta savedContext
	require.NoError(t, json.Unmarshal(body[4:4+n], &meta))
	edit(&meta)
	header, err := json.Marshal(meta)
	require.NoError(t, err)
	out := append([]byte(savedFormat), binary.LittleEndian.AppendUint32(nil, uint32(len(header)))...)
	out = append(append(out, header...), body[4+n:]...)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

func TestContextSavedPolicy(t *testing.T) {
	ctx := context.Background()
	c := newContext(t, ContextOptions{Policy: policyNamed(t, "strict")})
	runCell(t, c, "x = 1")
	saved, err := c.Save(ctx)
	require.NoError(t, err)

	t.Run("unknown policy", func(t *testing.T) {
		forged := resaved(t, saved, func(m *savedContext) { m.Options.Policy = "lenient" })
		_, err := testEngine.ResumeContext(ctx, newSandbox(t, SandboxConfig{}), forged)
		assert.ErrorIs(t, err, ErrSnapshotCorrupt)
	})
	t.Run("bad allowed module", func(t *testing.T) {
		forged := resaved(t, saved, func(m *savedContext) { m.Options.AllowedModules = []string{"not a module"} })
		_, err := testEngine.ResumeContext(ctx, newSandbox(t, SandboxConfig{}), forged)
		assert.ErrorIs(t, err, ErrSnapshotCorrupt)
	})
	t.Run("no policy", func(t *testing.T) {
		// Bytes without a policy resume under none: no static check. The
		// guard armed in the saved memory still holds.
		forged := resaved(t, saved, func(m *savedContext) { m.Options.Policy, m.Options.AllowedModules = "", nil })
		r, err := testEngine.ResumeContext(ctx, newSandbox(t, SandboxConfig{}), forged)
		require.NoError(t, err)
		defer r.Close()
		assert.Equal(t, "none", r.Options().Policy.Name())
		x := runCell(t, r, "import os")
		require.NotNil(t, x.Error)
		assert.Equal(t, "ModuleNotFoundError", x.Error.Name)
		assert.Contains(t, x.Error.Message, "blocked by the wasmbox strict policy")
	})
	t.Run("extra imports kept", func(t *testing.T) {
		p, err := policyNamed(t, "strict").WithAllowedImports("math")
		require.NoError(t, err)
		m := newContext(t, ContextOptions{Policy: &p})
		data, err := m.Save(ctx)
		require.NoError(t, err)
		r, err := testEngine.ResumeContext(ctx, newSandbox(t, SandboxConfig{}), data)
		require.NoError(t, err)
		defer r.Close()
		assert.NoError(t, r.CheckPolicy(p))
		assert.Equal(t, []string{"1"}, texts(runCell(t, r, "import math\nmath.floor(1.5)")))
	})
}
