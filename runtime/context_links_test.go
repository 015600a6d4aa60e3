package runtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContextLinksAndHeldBytes: symbolic links survive a fork and a save,
// and a file unlinked while open counts against the filesystem cap in the
// fork and the resumed context until they close it.
func TestContextLinksAndHeldBytes(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, `
import os
os.symlink("/tmp/target.txt", "/tmp/link")
open("/tmp/target.txt", "w").write("t")
held = open("/tmp/held.bin", "w+b")
held.write(b"x" * 4096)
held.flush()
os.unlink("/tmp/held.bin")
os.readlink("/tmp/link")`)
	require.Nil(t, x.Error, "%+v", x.Error)
	assert.Equal(t, []string{"'/tmp/target.txt'"}, texts(x))

	fork, err := c.Fork(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { fork.Close() })
	saved, err := c.Save(context.Background())
	require.NoError(t, err)
	resumed, err := testEngine.ResumeContext(context.Background(), newSandbox(t, SandboxConfig{}), saved)
	require.NoError(t, err)
	t.Cleanup(func() { resumed.Close() })

	for name, ctx := range map[string]*Context{"fork": fork, "resumed": resumed} {
		fsys := ctx.sandbox.fs
		fsys.mu.Lock()
		heldBytes := fsys.bytes
		fsys.mu.Unlock()
		assert.GreaterOrEqual(t, heldBytes, int64(4096+1), "%s: the unlinked file's bytes are counted", name)

		x := runCell(t, ctx, "held.close()\n(os.readlink('/tmp/link'), open('/tmp/link').read())")
		require.Nil(t, x.Error, "%s: %+v", name, x.Error)
		assert.Equal(t, []string{"('/tmp/target.txt', 't')"}, texts(x), name)
		fsys.mu.Lock()
		assert.Equal(t, heldBytes-4096, fsys.bytes, "%s: freed at close", name)
		fsys.mu.Unlock()
	}
}
