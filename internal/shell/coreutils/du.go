package coreutils

import (
	"fmt"
	"io/fs"
	"math"
	"strconv"

	"github.com/tetratelabs/wazero/sys"
)

func init() { register(du, "du") }

var duSpec = optSpec{
	short: "sahcbkmd:L",
	long: map[string]string{
		"summarize": "s", "all": "a", "human-readable": "h", "total": "c", "bytes": "b",
		"max-depth=": "d", "apparent-size": "apparent", "dereference": "L",
	},
}

// du prints the space files use, in 1 KiB blocks as a 4 KiB-block
// filesystem counts them (-b and --apparent-size: bytes; -h: human; -m:
// MiB), for each directory (-s: each operand only; -a: files too; -d N:
// to depth N; -c: a total).
func du(c *call) int {
	o, code := c.parseOpts(duSpec)
	if o == nil {
		return code
	}
	maxDepth := math.MaxInt
	if v, ok := o.val("d"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.errorf("invalid maximum depth %s", quote(v))
			return c.finish()
		}
		maxDepth = n
	}
	if o.has("s") {
		maxDepth = 0
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"."}
	}
	var total int64
	var loops *dirLoop
	if o.has("L") {
		loops = newDirLoop(c)
	}
	for _, n := range names {
		if c.stopped() {
			break
		}
		st, err := c.lstat(n)
		if err == nil && o.has("L") {
			st, err = c.stat(n)
		}
		if err != nil {
			c.errorf("cannot access %s: %s", quote(n), errText(err))
			continue
		}
		total += c.duWalk(n, st, 0, maxDepth, o, loops)
	}
	if o.has("c") {
		c.duPrint(total, "total", o)
	}
	return c.finish()
}

// duWalk returns the usage of p and what is below it, printing as it
// goes.
// loops, with -L, stops a descent through a link back to a directory.
func (c *call) duWalk(p string, st sys.Stat_t, depth, maxDepth int, o *opts, loops *dirLoop) int64 {
	size := duSize(st, o)
	if st.Mode.IsDir() && st.Mode&fs.ModeSymlink == 0 {
		if loops != nil {
			if first, ok := loops.enter(p); !ok {
				c.errorf("%s: directory loop: a link back to %s", quote(p), quote(first))
				return 0
			}
			defer loops.leave(p)
		}
		ents, err := c.readDir(p)
		if err != nil {
			c.errorf("cannot read directory %s: %s", quote(p), errText(err))
		}
		for _, name := range sortedNames(ents) {
			if c.stopped() {
				break
			}
			child := join(p, name)
			cst, err := c.lstat(child)
			if err == nil && o.has("L") {
				cst, err = c.stat(child)
			}
			if err != nil {
				c.errorf("cannot access %s: %s", quote(child), errText(err))
				continue
			}
			size += c.duWalk(child, cst, depth+1, maxDepth, o, loops)
		}
		if depth <= maxDepth {
			c.duPrint(size, p, o)
		}
		return size
	}
	if depth == 0 || o.has("a") && depth <= maxDepth {
		c.duPrint(size, p, o)
	}
	return size
}

// duSize is one entry's own usage in the unit du counts.
func duSize(st sys.Stat_t, o *opts) int64 {
	if o.has("b") || o.has("apparent") {
		return st.Size
	}
	return blocksOf(st) * 1024
}

// duPrint prints a usage line.
func (c *call) duPrint(bytes int64, name string, o *opts) {
	var s string
	switch {
	case o.has("h"):
		s = humanSize(bytes)
	case o.has("b"):
		s = strconv.FormatInt(bytes, 10)
	case o.has("m"):
		s = strconv.FormatInt((bytes+(1<<20)-1)>>20, 10)
	case o.has("apparent"):
		s = strconv.FormatInt((bytes+1023)/1024, 10)
	default:
		s = strconv.FormatInt(bytes/1024, 10)
	}
	fmt.Fprintf(c.out, "%s\t%s\n", s, name)
}
