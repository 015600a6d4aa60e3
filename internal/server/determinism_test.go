package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

func TestRunDeterministicAndBudget(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/run"
	stdout := func(body string) string {
		var res runtime.ExecResult
		r := do("POST", url, body)
		require.Equal(t, 200, r.status, "%s", r.body)
		r.decode(t, &res)
		require.Equal(t, 0, res.ExitCode, "%s", r.body)
		return res.Stdout
	}
	const code = `"import random, time\nprint(random.random(), time.time())"`
	seven := stdout(`{"code": ` + code + `, "policy": "none", "deterministic": true, "seed": 7}`)
	assert.Equal(t, seven, stdout(`{"code": `+code+`, "policy": "none", "deterministic": true, "seed": 7}`))
	assert.NotEqual(t, seven, stdout(`{"code": `+code+`, "policy": "none", "deterministic": true, "seed": 8}`))

	t.Run("budget", func(t *testing.T) {
		var res runtime.ExecResult
		do("POST", url, `{"code": "while True: pass", "cpuBudget": 20}`).decode(t, &res)
		assert.Equal(t, runtime.ExitTimeout, res.ExitCode)
		assert.True(t, res.TimedOut)
		assert.Contains(t, res.Stderr, "CPU budget of 20 units")
	})
	t.Run("negative budget", func(t *testing.T) {
		e := do("POST", url, `{"code": "", "cpuBudget": -1}`).wantError(t, 400, CodeInvalidRequest)
		assert.Contains(t, e.Message, "cpuBudget must not be negative")
	})
}

func TestTestCPUBudget(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	var rep runtime.TestReport
	r := do("POST", ts.URL+"/v1/test", `{"evalCode": "def evaluate(x):\n    while x:\n        pass\n    return x", "testCases": [{"input": 1, "expected": 1}, {"input": 0, "expected": 0}], "cpuBudget": 30}`)
	require.Equal(t, 200, r.status, "%s", r.body)
	r.decode(t, &rep)
	require.Len(t, rep.Cases, 2)
	assert.Equal(t, []string{"timeout", "pass"}, []string{string(rep.Cases[0].Status), string(rep.Cases[1].Status)})
}
