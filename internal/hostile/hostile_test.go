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

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

var engine *runtime.Engine

func TestMain(m *testing.M) {
	var err error
	engine, err = runtime.NewEngine(context.Background(), runtime.EngineConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
	code := m.Run()
	engine.Close(context.Background())
	os.Exit(code)
}

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
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), []byte(code), args, opts)
	if err != nil {
		t.Fatalf("sandbox error: %v (%+v)", err, res)
	}
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
		if seen[key] {
			t.Fatalf("%s twice", key)
		}
		seen[key] = true
		groups[p.group]++
		t.Run(key, func(t *testing.T) {
			res := runNone(t, prelude+p.code, nil, runtime.SandboxConfig{}, runtime.ExecOptions{})
			if probe {
				fmt.Printf("PROBE %s exit=%d stdout=%q stderr=%q\n", key, res.ExitCode, res.Stdout, lastLine(res.Stderr))
				return
			}
			want, ok := outcomes[key]
			if !ok {
				t.Fatalf("no expected outcome for %s", key)
			}
			if res.ExitCode != want.exit || res.Stdout != want.stdout || (want.exit != 0 && lastLine(res.Stderr) != want.stderr) {
				t.Errorf("got exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr ending %q", res.ExitCode, res.Stdout, res.Stderr, want.exit, want.stdout, want.stderr)
			}
			if strings.Contains(res.Stdout+res.Stderr, hostSecret) {
				t.Errorf("the host's secret leaked: %+v", res)
			}
		})
	}
	for key := range outcomes {
		if !seen[key] {
			t.Errorf("outcome %s has no program", key)
		}
	}
	if len(programs) < 40 {
		t.Errorf("%d programs; the suite promises at least 40", len(programs))
	}
	names := make([]string, 0, len(groups))
	for g, n := range groups {
		names = append(names, fmt.Sprintf("%s=%d", g, n))
	}
	sort.Strings(names)
	t.Logf("hostile programs: %d in %d groups (%s)", len(programs), len(groups), strings.Join(names, " "))

	// The writes group wrote these inside its sandboxes; none may exist on
	// the host.
	for _, p := range []string{"/tmp/wasmbox-hostile-canary", "/tmp/wasmbox-hostile-canary2", "/etc/wasmbox-hostile-canary", "/tmp/root"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a guest write reached the host: %s exists", p)
		}
	}
	if cwd, err := os.Getwd(); err == nil {
		if _, err := os.Stat(filepath.Join(cwd, "tmp")); err == nil {
			t.Errorf("a guest write reached the host's working directory")
		}
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
	if res.ExitCode != 0 || res.Stdout == "ok 0\n" || !strings.HasPrefix(res.Stdout, "ok ") {
		t.Errorf("gc hunt missed a planted host string: %+v", res)
	}
	res = runNone(t, prelude+`try_(lambda: open("/tmp/eval_script.py").read(6))`, nil, runtime.SandboxConfig{}, runtime.ExecOptions{})
	if res.Stdout != "ok import\n" {
		t.Errorf("a file the sandbox has is not readable: %+v", res)
	}
}
