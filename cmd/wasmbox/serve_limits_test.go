package main

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestServeLimitFlagsChecked(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"host memory not a size": {[]string{"--max-host-memory", "lots"}, `--max-host-memory: invalid size "lots"`},
		"body timeout zero":      {[]string{"--body-timeout", "0s"}, "--body-timeout must be positive"},
		"test duration negative": {[]string{"--max-test-duration", "-1s"}, "--max-test-duration must be positive"},
		"header timeout zero":    {[]string{"--read-header-timeout", "0s"}, "--read-header-timeout must be positive"},
	} {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			assert.Equal(t, exitUsage, serveCmd(tc.args, io.Discard, &stderr))
			assert.Contains(t, stderr.String(), tc.want)
		})
	}
}
