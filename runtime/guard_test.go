package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

func policy(t testing.TB, name string, allow ...string) *validate.Policy {
	t.Helper()
	p, err := validate.PolicyByName(name)
	require.NoError(t, err)
	p, err = p.WithAllowedImports(allow...)
	require.NoError(t, err)
	return &p
}

// The in-guest guard enforces the policy at run time even when the static
// check is skipped: Exec runs no static check, only the guard.
func TestGuardRefusesBuiltImportName(t *testing.T) {
	res := run(t, `python3 -c '__import__("o"+"s").system("ls")'`, ExecOptions{Policy: policy(t, "strict")})
	assert.Equal(t, 1, res.ExitCode)
	assert.Contains(t, res.Stderr, "ModuleNotFoundError: import of 'os' is blocked by the wasmbox strict policy")
	// Without a policy the same code runs (and fails only inside WASI).
	res = run(t, `python3 -c 'print(__import__("o"+"s").name)'`, ExecOptions{})
	assertRan(t, 0, "posix\n", res, "no policy")
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
		t.Run(name, func(t *testing.T) {
			res := run(t, "python3 -c '"+tc.code+"'", ExecOptions{Policy: tc.policy})
			assertRan(t, 0, tc.want+"\n", res)
		})
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
		t.Run(name, func(t *testing.T) {
			res := run(t, "python3 -c '"+code+"'", ExecOptions{Policy: strict})
			assert.NotEqual(t, 0, res.ExitCode, "it ran: stdout %q", res.Stdout)
		})
	}
}

func TestRunnerRejectsBeforeRunning(t *testing.T) {
	r, err := NewPythonRunner(testEngine, RunnerConfig{Sandbox: SandboxConfig{Timeout: testTimeout}})
	require.NoError(t, err)
	res, err := r.Run(t.Context(), []byte("import subprocess\nsubprocess.run(['ls'])\n"), nil, ExecOptions{})
	require.NoError(t, err)
	assert.Equal(t, ExitRejected, res.ExitCode)
	assert.Empty(t, res.Stdout)
	if assert.NotEmpty(t, res.Violations) {
		assert.Equal(t, "subprocess", res.Violations[0].Name)
	}
	res, err = r.Run(t.Context(), []byte("import json\nprint(json.dumps([1]))\n"), []string{"x"}, ExecOptions{})
	require.NoError(t, err)
	assertRan(t, 0, "[1]\n", res)
	assert.Equal(t, "python3 /tmp/eval_script.py x", res.Command)
}
