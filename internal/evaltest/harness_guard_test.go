package evaltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmbox/wasmbox/internal/guard"
	"github.com/wasmbox/wasmbox/validate"
)

// TestHarnessUnderGuard runs the harness the way the sandbox does: as the
// target of the guard's boot script, with the harness's directory trusted
// and the evaluation code held to the strict policy.
func TestHarnessUnderGuard(t *testing.T) {
	t.Parallel()
	py := python(t)
	out, err := exec.Command(py, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		t.Skipf("python3 unusable: %v", err)
	}
	stdlib := strings.TrimSpace(string(out))
	pol, err := validate.PolicyByName("strict")
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	harnessDir := filepath.Join(dir, ".wasmbox")
	os.Mkdir(harnessDir, 0o755)
	harness := filepath.Join(harnessDir, "harness.py")
	script := filepath.Join(dir, "eval_script.py")
	casesPath := filepath.Join(dir, "cases.jsonl")
	resultsPath := filepath.Join(dir, "results.jsonl")
	os.WriteFile(harness, HarnessSource, 0o644)
	os.WriteFile(script, []byte(`import json

def evaluate(kind):
    if kind == "os":
        import os
        return os.getcwd()
    if kind == "open":
        return open("/etc/hostname").read()
    if kind == "getattr":
        return getattr(evaluate, "__globals__")
    print("fine")
    return json.loads('{"ok": [1, 2.0, true]}')
`), 0o644)
	cases := mustParseCases(`[
  {"name": "allowed import", "input": "json", "expected": {"ok": [1, 2, true]}},
  {"name": "blocked import", "input": "os", "raises": "ImportError"},
  {"name": "blocked builtin", "input": "open", "raises": "NameError"},
  {"name": "blocked attribute", "input": "getattr", "raises": "AttributeError"}
]`)
	var b strings.Builder
	for _, c := range cases {
		b.Write(c.HarnessJSON())
		b.WriteByte('\n')
	}
	os.WriteFile(casesPath, []byte(b.String()), 0o644)

	argv := guard.Config{StdlibPrefixes: []string{stdlib, harnessDir + "/"}}.Argv(pol, "file", harness,
		[]string{script, "evaluate", casesPath, resultsPath, "0"})
	run := execHarnessArgv(t, py, argv[1:], script, resultsPath)
	if run.exit != 0 {
		t.Fatalf("exit %d\nstderr: %s", run.exit, run.stderr)
	}
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass, StatusPass, StatusPass, StatusPass)
	if rs[0].Stdout != "fine\n" {
		t.Errorf("stdout %q", rs[0].Stdout)
	}
	if len(run.events) != 10 || run.events[0].Kind != "loaded" || run.events[9].Kind != "end" {
		t.Errorf("events %+v, other %q", run.events, run.other)
	}

	// A load error under the guard: a blocked import at the top.
	os.WriteFile(script, []byte("import os\n\ndef evaluate(x):\n    return x\n"), 0o644)
	os.Remove(resultsPath)
	run = execHarnessArgv(t, py, argv[1:], script, resultsPath)
	if len(run.results) != 1 || run.results[0].LoadError == nil {
		t.Fatalf("results %+v, stderr %s", run.results, run.stderr)
	}
	le := run.results[0].LoadError
	if le.Type != "ModuleNotFoundError" || !strings.Contains(le.Message, "'os'") || !strings.Contains(le.Traceback, "line 1, in <module>") ||
		strings.Contains(le.Traceback, "guarded_import") {
		t.Errorf("load error %+v", le)
	}
}
