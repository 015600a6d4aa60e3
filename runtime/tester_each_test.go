package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvalTesterDeterministicCasesRepeat(t *testing.T) {
	const code = "import random, time\ndef evaluate(x):\n    return [x, random.random(), time.time()]\n"
	const cases = `{"input": 1, "expected": 0}` + "\n" + `{"input": 2, "expected": 0}`
	actual := func(seed uint64) []string {
		policy := noPolicy
		rep := testEval(t, TesterConfig{Deterministic: true, Seed: seed, Policy: &policy}, code, cases)
		require.Len(t, rep.Cases, 2)
		return []string{string(rep.Cases[0].Actual), string(rep.Cases[1].Actual)}
	}
	first := actual(3)
	assert.Equal(t, first, actual(3))
	assert.NotEqual(t, first, actual(4))
}

func TestEvalTesterCPUBudgetPerCase(t *testing.T) {
	const code = "def evaluate(x):\n    while x:\n        pass\n    return 0\n"
	rep := testEval(t, TesterConfig{CPUBudget: 200}, code, `{"input": 1, "expected": 0}`+"\n"+`{"input": 0, "expected": 0}`)
	require.Len(t, rep.Cases, 2)
	assert.Equal(t, "timeout,pass", statuses(rep))
	require.NotNil(t, rep.Cases[0].Error)
	assert.Equal(t, "the case used its CPU budget of 200 units", rep.Cases[0].Error.Message)
}
