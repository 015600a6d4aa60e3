package runtime

import (
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// checkLinkedTree fails t unless the tree reachable from the root has no
// cycle, every node's link count matches the entries naming it, and the
// byte and entry counts match the tree plus the unlinked files held open.
func checkLinkedTree(t *testing.T, m *memFS, held []experimentalsys.File) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	names := map[*node]int{}
	onPath := map[*node]bool{}
	entries := 0
	var walk func(n *node)
	walk = func(n *node) {
		if onPath[n] {
			t.Fatal("a directory is inside itself")
		}
		onPath[n] = true
		for _, c := range n.children {
			entries++
			names[c]++
			if c.dir {
				if names[c] > 1 {
					t.Fatal("a directory has two names")
				}
				walk(c)
			}
		}
		onPath[n] = false
	}
	walk(m.root)
	var bytes int64
	for n, count := range names {
		if n.nlink != count {
			t.Fatalf("a node has %d names and nlink %d", count, n.nlink)
		}
		bytes += int64(len(n.data) + len(n.target))
	}
	seen := map[*node]bool{}
	for _, f := range held {
		n := f.(*memFile).n
		if names[n] == 0 && !seen[n] {
			bytes += int64(len(n.data))
		}
		seen[n] = true
	}
	if entries != m.nodes || bytes != m.bytes {
		t.Fatalf("accounting: %d entries %d bytes counted, %d %d in the tree and held", m.nodes, m.bytes, entries, bytes)
	}
	if m.bytes > m.maxBytes || m.nodes > m.maxNodes {
		t.Fatalf("over the caps: %d/%d bytes, %d/%d entries", m.bytes, m.maxBytes, m.nodes, m.maxNodes)
	}
}

// FuzzMemfsLinks applies sequences of operations with symbolic and hard
// links, renames through links, and files held open across unlinks. Nothing
// may panic, loop, put a directory inside itself, or let the counts drift
// from what the tree and the open files hold.
func FuzzMemfsLinks(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "a", "b", "../a")
	f.Add([]byte{1, 2, 6, 6, 7, 3}, "d", "d/l/x", "/d")
	f.Add([]byte{1, 2, 0, 6, 8, 9, 4}, "d/e", "l", "d")
	f.Add([]byte{0, 5, 8, 9, 7, 10}, "f", "g", "f")
	f.Fuzz(func(t *testing.T, ops []byte, a, b, target string) {
		m := newMemFS(64, 12)
		var held []experimentalsys.File
		defer func() {
			for _, f := range held {
				f.Close()
			}
			checkLinkedTree(t, m, nil)
			if m.bytes != 0 && len(m.root.children) == 0 {
				t.Fatalf("%d bytes left with an empty tree", m.bytes)
			}
		}()
		for i, op := range ops {
			if i > 32 {
				break
			}
			switch op % 11 {
			case 0:
				if f, errno := m.OpenFile(a, experimentalsys.O_CREAT|experimentalsys.O_RDWR, 0o644); errno == 0 {
					f.Write([]byte(target))
					held = append(held, f)
				}
			case 1:
				m.Mkdir(a, 0o755)
			case 2:
				m.Symlink(target, b)
			case 3:
				m.Readlink(b)
				m.Stat(b)
				m.Lstat(b)
			case 4:
				m.Link(a, b)
			case 5:
				m.Unlink(a)
			case 6:
				m.Rename(a, b)
			case 7:
				m.Rename(b, a)
			case 8:
				m.Rmdir(a)
				m.Unlink(b)
			case 9:
				if len(held) > 0 {
					held[0].Close()
					held = held[1:]
				}
			case 10:
				if f, errno := m.OpenFile(b, experimentalsys.O_RDWR|experimentalsys.O_TRUNC, 0); errno == 0 {
					f.Pwrite([]byte(a), 8)
					held = append(held, f)
				}
			}
			checkLinkedTree(t, m, held)
		}
	})
}
