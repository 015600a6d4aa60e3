package hostile

import (
	"fmt"
	"testing"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// limitBombs are issue 12's "limits that leak host memory" reproducers,
// each with the figure it was reported with. Every one is now held by a
// bound the host keeps: the filesystem cap counts a file's bytes until its
// last descriptor closes, an instance holds at most MaxOpenFiles
// descriptors, and a guest that exhausts its memory is stopped with 137.
var limitBombs = []bomb{
	{
		// Reported: 1 GiB held under a 64 MiB cap, host RSS +1.66 GiB in
		// 5 s. 8 MiB a file, the descriptor kept, the name unlinked.
		name: "unlinked-open-files", code: `
import errno, os
held = []
try:
    for i in range(128):
        p = "/tmp/f%d" % i
        f = open(p, "wb", buffering=0)
        f.write(b"x" * (8 << 20))
        held.append(f)
        os.unlink(p)
except OSError as e:
    print(len(held), errno.errorcode[e.errno])
`,
		sandbox: runtime.SandboxConfig{MemoryLimit: 256 * mib},
		// The script takes a few bytes of the 64 MiB: 7 whole files fit.
		check:  and(exits(0), stdoutIs("7 ENOSPC\n")),
		within: 60 * time.Second, hostBytes: runtime.DefaultMaxFSBytes + hostSlack,
	},
	{
		// The same through rename: another file renamed over the open one.
		name: "renamed-over-open-files", code: `
import errno, os
held = []
try:
    for i in range(128):
        f = open("/tmp/f", "wb", buffering=0)
        f.write(b"x" * (8 << 20))
        held.append(f)
        open("/tmp/g", "wb").close()
        os.rename("/tmp/g", "/tmp/f")
except OSError as e:
    print(len(held), errno.errorcode[e.errno])
`,
		sandbox: runtime.SandboxConfig{MemoryLimit: 256 * mib},
		check:   and(exits(0), stdoutIs("7 ENOSPC\n")),
		within:  60 * time.Second, hostBytes: runtime.DefaultMaxFSBytes + hostSlack,
	},
	{
		// Reported: +456 MiB RSS in 25 s, about 14 MiB/s.
		name: "open-without-close", code: `
import errno, os
open("/tmp/f", "w").close()
n = 0
try:
    while True:
        os.open("/tmp/f", os.O_RDONLY)
        n += 1
except OSError as e:
    print(n <= 1024, errno.errorcode[e.errno])
`,
		check:  and(exits(0), stdoutIs("True EMFILE\n")),
		within: 30 * time.Second, hostBytes: hostSlack,
	},
	{
		// Closing each descriptor: the loop runs to the timeout, and the
		// host's memory stays flat.
		name: "open-close-loop", code: `
import os
open("/tmp/f", "w").close()
while True:
    os.close(os.open("/tmp/f", os.O_RDONLY))
`,
		sandbox: runtime.SandboxConfig{Timeout: 5 * time.Second},
		check:   exits(runtime.ExitTimeout, "timedOut"),
		within:  30 * time.Second, hostBytes: hostSlack,
	},
	{
		// Reported: ran on at the 128 MiB limit until the timeout (20 s,
		// or 2 min with --timeout 2m). Now 137 about MemoryGrace after the
		// memory is exhausted, long before the 2 min timeout.
		name: "recursion-bomb", code: `
import sys
sys.setrecursionlimit(10**7)
def f(n):
    return f(n + 1) + 1
f(0)
`,
		sandbox: runtime.SandboxConfig{Timeout: 2 * time.Minute},
		check:   exits(runtime.ExitMemory, "memoryExceeded"),
		within:  60 * time.Second, hostBytes: runtime.DefaultMemoryLimit + hostSlack,
	},
}

func TestLimitBombs(t *testing.T) { runBombs(t, limitBombs) }

// TestUnlinkedBytesFreedAtClose: the bytes an unlinked file held come back
// when its descriptor closes, in the same run.
func TestUnlinkedBytesFreedAtClose(t *testing.T) {
	res := runNone(t, fmt.Sprintf(`
import os
for i in range(32):
    f = open("/tmp/f", "wb", buffering=0)
    f.write(b"x" * (%d))
    os.unlink("/tmp/f")
    f.close()
print("ok")
`, 48*mib), nil, runtime.SandboxConfig{MemoryLimit: 256 * mib}, runtime.ExecOptions{})
	and(exits(0), stdoutIs("ok\n"))(t, res)
}
