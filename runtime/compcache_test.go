package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"
)

// answerWasm is a module exporting "answer", a function returning 42.
var answerWasm = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
	0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
	0x03, 0x02, 0x01, 0x00, // function 0 has type 0
	0x07, 0x0a, 0x01, 0x06, 'a', 'n', 's', 'w', 'e', 'r', 0x00, 0x00, // export "answer"
	0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // code: i32.const 42
}

// callAnswer compiles answerWasm with cache and calls it.
func callAnswer(t *testing.T, cache wazero.CompilationCache) uint64 {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCompilationCache(cache))
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, answerWasm)
	require.NoError(t, err)
	res, err := mod.ExportedFunction("answer").Call(ctx)
	require.NoError(t, err)
	require.Len(t, res, 1)
	return res[0]
}

func TestCompilationCacheBuffersEntries(t *testing.T) {
	dir := t.TempDir()
	c, err := wazero.NewCompilationCacheWithDir(dir)
	require.NoError(t, err)
	defer c.Close(context.Background())
	assert.True(t, bufferEntries(c), "wazero's cache no longer has the entry store this wraps: the cache's entries are read unbuffered")
}

func TestCompilationCacheLoadsThroughTheBuffer(t *testing.T) {
	dir := t.TempDir()
	first, err := newCompilationCache(dir)
	require.NoError(t, err)
	assert.Equal(t, uint64(42), callAnswer(t, first))
	first.Close(context.Background())
	entries, err := filepath.Glob(filepath.Join(dir, "wazero-*", "*"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "the compiled module was not written to the cache")
	before, err := os.Stat(entries[0])
	require.NoError(t, err)

	second, err := newCompilationCache(dir)
	require.NoError(t, err)
	defer second.Close(context.Background())
	assert.Equal(t, uint64(42), callAnswer(t, second))
	after, err := os.Stat(entries[0])
	require.NoError(t, err, "the entry was not readable through the buffer, and wazero removed it")
	assert.Equal(t, before.ModTime(), after.ModTime(), "the entry was not readable through the buffer, and wazero wrote it again")
}
