package runtime

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExecStreamOnly: with StreamOnly, the live writers get all the output,
// past MaxOutput, and the result keeps none of it.
func TestExecStreamOnly(t *testing.T) {
	sb := newSandbox(t, SandboxConfig{MaxOutput: 1024})
	var stdout, stderr bytes.Buffer
	res, err := sb.Exec(context.Background(), `python3 -c 'import sys
sys.stdout.write("o" * 100000)
sys.stderr.write("e" * 3000)'`, ExecOptions{Stdout: &stdout, Stderr: &stderr, StreamOnly: true})
	require.NoError(t, err)
	assert.Equal(t, 0, res.ExitCode, "stderr: %s", stderr.String())
	assert.Equal(t, strings.Repeat("o", 100000), stdout.String())
	assert.Equal(t, strings.Repeat("e", 3000), stderr.String())
	assert.Empty(t, res.Stdout)
	assert.Empty(t, res.Stderr)
	assert.False(t, res.StdoutTruncated)
	assert.False(t, res.StderrTruncated)

	// Without live writers the output goes nowhere.
	res, err = sb.Exec(context.Background(), `python3 -c 'print("x" * 5000)'`, ExecOptions{StreamOnly: true})
	require.NoError(t, err)
	assert.Equal(t, 0, res.ExitCode)
	assert.Empty(t, res.Stdout)
}
