// Package hostile is wasmbox's standing evidence: hostile programs and
// resource bombs run through the real runtime with the policy "none", each
// asserting its precise outcome. See SECURITY.md for what each group proves.
package hostile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/enginetest"
	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

var engine *runtime.Engine

func TestMain(m *testing.M) { enginetest.Main(m, &engine) }

// runTimeout is the timeout of runs expected to finish: generous, since
// `make test` runs packages side by side under the race detector.
const runTimeout = 60 * time.Second

var policyNone = func() validate.Policy {
	p, err := validate.PolicyByName("none")
	if err != nil {
		panic(err)
	}
	return p
}()

// runNone runs code as /tmp/eval_script.py with the policy none in a fresh
// sandbox, like `wasmbox run --policy none`.
func runNone(t *testing.T, code string, args []string, sb runtime.SandboxConfig, opts runtime.ExecOptions) *runtime.ExecResult {
	t.Helper()
	if sb.Timeout == 0 {
		sb.Timeout = runTimeout
	}
	r, err := runtime.NewPythonRunner(engine, runtime.RunnerConfig{Policy: &policyNone, Sandbox: sb})
	require.NoError(t, err)
	res, err := r.Run(context.Background(), []byte(code), args, opts)
	require.NoError(t, err, "sandbox error (%+v)", res)
	return res
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// hostSecret is set in the host's environment while the suite runs; no
// program may see it.
const hostSecret = "/root/wasmbox-hostile-secret"

func TestHostilePrograms(t *testing.T) {
	t.Setenv("WASMBOX_HOSTILE_SECRET", hostSecret)
	probe := os.Getenv("HOSTILE_PROBE") != ""
	seen := map[string]bool{}
	groups := map[string]int{}
	for _, p := range programs {
		key := p.group + "/" + p.name
		require.False(t, seen[key], "%s twice", key)
		seen[key] = true
		groups[p.group]++
		t.Run(key, func(t *testing.T) {
			res := runNone(t, prelude+p.code, nil, runtime.SandboxConfig{}, runtime.ExecOptions{})
			if probe {
				fmt.Printf("PROBE %s exit=%d stdout=%q stderr=%q\n", key, res.ExitCode, res.Stdout, lastLine(res.Stderr))
				return
			}
			if alts, ok := garbageOutcomes[key]; ok {
				got := outcome{res.ExitCode, res.Stdout, lastLine(res.Stderr)}
				assert.Contains(t, alts, got, "stderr %q", res.Stderr)
				assert.NotContains(t, res.Stdout+res.Stderr, hostSecret, "the host's secret leaked")
				return
			}
			want, ok := outcomes[key]
			require.True(t, ok, "no expected outcome for %s", key)
			assert.Equal(t, want.exit, res.ExitCode, "exit code; stderr %q", res.Stderr)
			assert.Equal(t, want.stdout, res.Stdout, "stdout; stderr %q", res.Stderr)
			if want.exit != 0 {
				assert.Equal(t, want.stderr, lastLine(res.Stderr), "the last line of stderr")
			}
			assert.NotContains(t, res.Stdout+res.Stderr, hostSecret, "the host's secret leaked")
		})
	}
	for key := range outcomes {
		assert.True(t, seen[key], "outcome %s has no program", key)
	}
	for key := range garbageOutcomes {
		assert.True(t, seen[key], "outcome %s has no program", key)
		assert.NotContains(t, outcomes, key, "%s has two kinds of outcome", key)
	}
	assert.GreaterOrEqual(t, len(programs), 40, "the suite promises at least 40 programs")
	names := make([]string, 0, len(groups))
	for g, n := range groups {
		names = append(names, fmt.Sprintf("%s=%d", g, n))
	}
	sort.Strings(names)
	t.Logf("hostile programs: %d in %d groups (%s)", len(programs), len(groups), strings.Join(names, " "))

	// The writes group wrote these inside its sandboxes; none may exist on
	// the host.
	for _, p := range []string{"/tmp/wasmbox-hostile-canary", "/tmp/wasmbox-hostile-canary2", "/etc/wasmbox-hostile-canary", "/tmp/root"} {
		_, err := os.Stat(p)
		assert.Error(t, err, "a guest write reached the host: %s exists", p)
	}
	if cwd, err := os.Getwd(); err == nil {
		_, err := os.Stat(filepath.Join(cwd, "tmp"))
		assert.Error(t, err, "a guest write reached the host's working directory")
	}
}

// TestHostileControls checks that the detectors of the suite can fire: the
// same probes, given something to find, find it. Without this a probe that
// always reports "nothing" would pass the suite.
func TestHostileControls(t *testing.T) {
	var gcHunt string
	for _, p := range programs {
		if p.name == "gc-host-strings" {
			gcHunt = p.code
		}
	}
	// The caller's own environment variables do reach the guest; the hunt
	// must see a planted host path in them.
	res := runNone(t, prelude+gcHunt, nil, runtime.SandboxConfig{}, runtime.ExecOptions{Env: map[string]string{"PLANTED": "/root/planted"}})
	assert.Equal(t, 0, res.ExitCode, "gc hunt; stderr %q", res.Stderr)
	assert.NotEqual(t, "ok 0\n", res.Stdout, "gc hunt missed a planted host string")
	assert.True(t, strings.HasPrefix(res.Stdout, "ok "), "gc hunt: stdout %q", res.Stdout)
	res = runNone(t, prelude+`try_(lambda: open("/tmp/eval_script.py").read(6))`, nil, runtime.SandboxConfig{}, runtime.ExecOptions{})
	assert.Equal(t, "ok import\n", res.Stdout, "a file the sandbox has is not readable; stderr %q", res.Stderr)
}
