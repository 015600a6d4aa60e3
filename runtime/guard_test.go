package runtime

import (
	"strings"
	"testing"

	"github.com/wasmbox/wasmbox/validate"
)

func policy(t testing.TB, name string, allow ...string) *validate.Policy {
	t.Helper()
	p, err := validate.PolicyByName(name)
	if err == nil {
		p, err = p.WithAllowedImports(allow...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

// The in-guest guard enforces the policy at run time even when the static
// check is skipped: Exec runs no static check, only the guard.
func TestGuardRefusesBuiltImportName(t *testing.T) {
	res := run(t, `python3 -c '__import__("o"+"s").system("ls")'`, ExecOptions{Policy: policy(t, "strict")})
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, "ModuleNotFoundError: import of 'os' is blocked by the wasmbox strict policy") {
		t.Fatalf("got exit %d stderr %q", res.ExitCode, res.Stderr)
	}
	// Without a policy the same code runs (and fails only inside WASI).
	res = run(t, `python3 -c 'print(__import__("o"+"s").name)'`, ExecOptions{})
	if res.ExitCode != 0 || res.Stdout != "posix\n" {
		t.Fatalf("no policy: %+v", res)
	}
}

func TestGuardKeepsAllowedModulesWorking(t *testing.T) {
	for name, tc := range map[string]struct {
		policy *validate.Policy
		code   string
		want   string
	}{
		"strict":       {policy(t, "strict"), `import json, re, typing; from typing import List; print(json.dumps(re.findall("a+", "baaad")))`, `["aaa"]`},
		"stdlib":       {policy(t, "stdlib"), `import math, collections, dataclasses, datetime, decimal, statistics; print(statistics.mean([1, 2, 3]))`, "2"},
		"allow-import": {policy(t, "strict", "base64"), `import base64; print(base64.b64encode(b"hi").decode())`, "aGk="},
	} {
		res := run(t, "python3 -c '"+tc.code+"'", ExecOptions{Policy: tc.policy})
		if res.ExitCode != 0 || res.Stdout != tc.want+"\n" {
			t.Errorf("%s: exit %d stdout %q stderr %q", name, res.ExitCode, res.Stdout, res.Stderr)
		}
	}
}

func TestGuardHostile(t *testing.T) {
	strict := policy(t, "strict")
	for name, code := range map[string]string{
		"eval":              `eval("1")`,
		"import via typing": `import typing; typing.sys.modules["os"].system("x")`,
		"getattr dunder":    `getattr((), "__cla" + "ss__")`,
		"importlib":         `__import__("import" + "lib")`,
		"module dict":       `import json; getattr(json, "__di" + "ct__")`,
		"vars":              `import json; vars(json)`,
	} {
		res := run(t, "python3 -c '"+code+"'", ExecOptions{Policy: strict})
		if res.ExitCode == 0 {
			t.Errorf("%s: ran: stdout %q", name, res.Stdout)
		}
	}
}

func TestRunnerRejectsBeforeRunning(t *testing.T) {
	r, err := NewPythonRunner(testEngine, RunnerConfig{Sandbox: SandboxConfig{Timeout: testTimeout}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(t.Context(), []byte("import subprocess\nsubprocess.run(['ls'])\n"), nil, ExecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != ExitRejected || len(res.Violations) == 0 || res.Violations[0].Name != "subprocess" || res.Stdout != "" {
		t.Fatalf("got %+v", res)
	}
	res, err = r.Run(t.Context(), []byte("import json\nprint(json.dumps([1]))\n"), []string{"x"}, ExecOptions{})
	if err != nil || res.ExitCode != 0 || res.Stdout != "[1]\n" || res.Command != "python3 /tmp/eval_script.py x" {
		t.Fatalf("got %+v %v", res, err)
	}
}
