package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbedStampSkipsASecondVerification(t *testing.T) {
	path := embedStampPath(t.TempDir(), "wasm-sum", "stdlib-sum")
	require.NotEmpty(t, path)
	calls := 0
	verify := func() error { calls++; return nil }

	require.NoError(t, verifyStamped(path, verify))
	assert.Equal(t, 1, calls)
	assert.FileExists(t, path)
	require.NoError(t, verifyStamped(path, verify))
	assert.Equal(t, 1, calls, "the stamp did not spare the second verification")
}

func TestEmbedStampIsNotLeftByAFailedVerification(t *testing.T) {
	path := embedStampPath(t.TempDir(), "wasm-sum", "stdlib-sum")
	corrupt := errors.New("corrupt")
	for range 2 {
		assert.ErrorIs(t, verifyStamped(path, func() error { return corrupt }), corrupt)
	}
	assert.NoFileExists(t, path)
}

func TestEmbedStampNamesTheSums(t *testing.T) {
	dir := t.TempDir()
	a, b := embedStampPath(dir, "wasm-sum", "stdlib-sum"), embedStampPath(dir, "other-sum", "stdlib-sum")
	assert.NotEqual(t, a, b)
	assert.Equal(t, dir, filepath.Dir(a))
	assert.Empty(t, embedStampPath("", "wasm-sum", "stdlib-sum"), "no cache directory, no stamp")
}

func TestEmbedStampAbsentDirectoryStillVerifies(t *testing.T) {
	calls := 0
	verify := func() error { calls++; return nil }
	for range 2 {
		require.NoError(t, verifyStamped("", verify))
	}
	assert.Equal(t, 2, calls)

	// A cache directory that went away: the check runs and passes.
	path := embedStampPath(filepath.Join(t.TempDir(), "gone"), "wasm-sum")
	require.NoError(t, verifyStamped(path, verify))
	assert.Equal(t, 3, calls)
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestEmbedStampPrunesOldStamps(t *testing.T) {
	dir := t.TempDir()
	old, recent := filepath.Join(dir, embedStampPrefix+"old"), filepath.Join(dir, embedStampPrefix+"recent")
	other := filepath.Join(dir, "snapshot-old.mem")
	for _, p := range []string{old, recent, other} {
		require.NoError(t, os.WriteFile(p, nil, 0o600))
	}
	long := time.Now().Add(-2 * embedStampMaxAge)
	require.NoError(t, os.Chtimes(old, long, long))
	require.NoError(t, os.Chtimes(other, long, long))

	require.NoError(t, verifyStamped(embedStampPath(dir, "wasm-sum"), func() error { return nil }))
	assert.NoFileExists(t, old, "a stamp past its age")
	assert.FileExists(t, recent)
	assert.FileExists(t, other, "not a stamp")
}
