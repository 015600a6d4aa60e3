package runtime

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The guard's bytecode is made once and kept beside the compilation cache; a
// corrupt copy is detected and made again.
func TestBootCodeCache(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{rt: testEngine.rt, module: testEngine.module, interp: testEngine.interp, reactor: testEngine.reactor, cacheDir: dir}
	code := e.loadBootCode()
	require.NotEmpty(t, code, "no bytecode")
	files, err := filepath.Glob(filepath.Join(dir, "guard-*.marshal"))
	require.NoError(t, err)
	require.Len(t, files, 1, "cache files")
	cached, ok := readChecked(files[0])
	assert.True(t, ok && bytes.Equal(cached, code), "the cached copy does not match")
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	data[len(data)-1] ^= 0xff
	require.NoError(t, os.WriteFile(files[0], data, 0o644))
	_, ok = readChecked(files[0])
	assert.False(t, ok, "a corrupt copy passed the check")
	assert.True(t, bytes.Equal(code, e.loadBootCode()), "the bytecode made again differs")
	_, ok = readChecked(files[0])
	assert.True(t, ok, "the corrupt copy was not replaced")
	// A guarded run with this engine's bytecode works.
	e.bootOnce.Do(func() { e.bootCode = code })
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(t, err)
	defer s.Destroy()
	res := execIn(t, s, `python3 -c 'import json; print(json.dumps([1]))'`, ExecOptions{Policy: policy(t, "strict")})
	assertRan(t, 0, "[1]\n", res)
}
