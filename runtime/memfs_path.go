package runtime

import (
	"path"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// Path resolution in a memFS.
//
// A path is relative to the filesystem's root whether or not it starts with
// "/", and ".." never climbs above the root: nothing outside the tree can be
// named. ".." is resolved lexically, before links, as wazero's WASI layer
// does with every guest path before it reaches the filesystem. A symbolic
// link's target is resolved the same way: an absolute target from the
// sandbox's root, a relative one from the link's directory; so no link
// leads outside the sandbox either. Following more than maxLinkFollows links
// in one path fails with ELOOP, as on Linux.

// maxLinkFollows is how many links one resolution may follow (Linux's
// MAXSYMLINKS).
const maxLinkFollows = 40

// maxTargetLen is the longest link target accepted (Linux's PATH_MAX).
const maxTargetLen = 4096

// split cleans p and returns its path elements. ".." never climbs above the
// root.
func split(p string) []string {
	clean := path.Clean("/" + p)
	if clean == "/" {
		return nil
	}
	return strings.Split(clean[1:], "/")
}

// walked is where a path led.
type walked struct {
	dir  *node    // the directory holding the last element; nil for the root
	name string   // the last element's name in dir
	n    *node    // the node; nil when only the last element is missing
	path []string // the path's elements from the root, links resolved
}

// walk resolves p, following every link on the way and, when followLast is
// set (or p ends in "/"), one in the last element too. When only the last
// element is missing, the errno is ENOENT and dir and name say where it
// would be created. The caller holds m.mu.
func (m *memFS) walk(p string, followLast bool) (walked, experimentalsys.Errno) {
	elems := split(p)
	mustDir := strings.HasSuffix(p, "/") && len(elems) > 0
	followLast = followLast || mustDir
	cur, follows := m.root, 0
	for i := 0; i < len(elems); i++ {
		if !cur.dir {
			return walked{}, experimentalsys.ENOTDIR
		}
		name := elems[i]
		if errno := checkName(name); errno != 0 {
			return walked{}, errno
		}
		last := i == len(elems)-1
		child := cur.children[name]
		switch {
		case child == nil && last:
			return walked{dir: cur, name: name, path: elems}, experimentalsys.ENOENT
		case child == nil:
			return walked{}, experimentalsys.ENOENT
		case child.link && (followLast || !last):
			if follows++; follows > maxLinkFollows {
				return walked{}, experimentalsys.ELOOP
			}
			elems = expandLink(elems[:i], child.target, elems[i+1:])
			cur, i = m.root, -1
			continue
		case last:
			if mustDir && !child.dir {
				return walked{}, experimentalsys.ENOTDIR
			}
			return walked{dir: cur, name: name, n: child, path: elems}, 0
		}
		cur = child
	}
	return walked{n: m.root}, 0
}

// expandLink returns the path elements of a link's target, read from the
// link's directory dir, followed by rest.
func expandLink(dir []string, target string, rest []string) []string {
	var b strings.Builder
	if !strings.HasPrefix(target, "/") {
		b.WriteString(strings.Join(dir, "/"))
	}
	b.WriteString("/")
	b.WriteString(target)
	b.WriteString("/")
	b.WriteString(strings.Join(rest, "/"))
	return split(b.String())
}

// lookup finds the node at p, following links. The caller holds m.mu.
func (m *memFS) lookup(p string) (*node, experimentalsys.Errno) {
	w, errno := m.walk(p, true)
	return w.n, errno
}
