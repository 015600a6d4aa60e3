package coreutils

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

func init() { register(chmod, "chmod") }

var errBadMode = errors.New("invalid mode")

var chmodSpec = optSpec{
	short: "Rvcf",
	long:  map[string]string{"recursive": "R", "verbose": "v", "changes": "c", "silent": "f", "quiet": "f"},
}

// chmod changes permission bits: octal modes, or symbolic ones
// ([ugoa]*[-+=][rwxXst]*|[ugo], comma-separated); -R descends into
// directories (not through symbolic links).
func chmod(c *call) int {
	// "-w" and friends are modes, not options.
	var args []string
	mode := ""
	for _, a := range c.Args[1:] {
		if mode == "" && len(a) > 1 && a[0] == '-' && strings.Trim(a, "rwxXstugoa=+-,01234567") == "" {
			mode = a
			continue
		}
		args = append(args, a)
	}
	o, code := c.parseArgs(chmodSpec, args)
	if o == nil {
		return code
	}
	names := o.operands
	if mode == "" {
		if len(names) == 0 {
			return c.usage(1, "missing operand")
		}
		mode, names = names[0], names[1:]
	}
	if len(names) == 0 {
		return c.usage(1, "missing operand after %s", quote(mode))
	}
	if _, err := parseMode(mode, 0, false); err != nil {
		return c.usage(1, "invalid mode: %s", quote(mode))
	}
	for _, n := range names {
		c.chmodPath(n, mode, o, true)
	}
	return c.finish()
}

// chmodPath changes one file, and with -R what is below it.
func (c *call) chmodPath(name, mode string, o *opts, operand bool) {
	if c.stopped() {
		return
	}
	lst, err := c.lstat(name)
	if err == nil && lst.Mode&fs.ModeSymlink != 0 && !operand {
		return // -R does not follow links it meets
	}
	st, err := c.stat(name)
	if err != nil {
		if !o.has("f") {
			c.errorf("cannot access %s: %s", quote(name), errText(err))
		} else {
			c.status = 1
		}
		return
	}
	old := unixPerm(st.Mode)
	perm, _ := parseMode(mode, old, st.Mode.IsDir())
	if err := errOf(c.FS.Chmod(c.Path(name), goPerm(perm))); err != nil {
		if !o.has("f") {
			c.errorf("changing permissions of %s: %s", quote(name), errText(err))
		} else {
			c.status = 1
		}
		return
	}
	if o.has("v") || o.has("c") && old != perm {
		if old == perm {
			fmt.Fprintf(c.out, "mode of %s retained as %04o (%s)\n", quote(name), perm, permString(perm))
		} else {
			fmt.Fprintf(c.out, "mode of %s changed from %04o (%s) to %04o (%s)\n", quote(name), old, permString(old), perm, permString(perm))
		}
	}
	if o.has("R") && st.Mode.IsDir() {
		ents, err := c.readDir(name)
		if err != nil {
			c.errorf("cannot read directory %s: %s", quote(name), errText(err))
			return
		}
		for _, e := range sortedNames(ents) {
			c.chmodPath(join(name, e), mode, o, false)
		}
	}
}

// applySymbolic applies a symbolic mode to old; dir says whether X applies.
func applySymbolic(s string, mode uint32, dir bool) (uint32, error) {
	for _, clause := range strings.Split(s, ",") {
		i, who := 0, uint32(0)
		for ; i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0; i++ {
			who |= map[byte]uint32{'u': 0o4700, 'g': 0o2070, 'o': 0o1007, 'a': 0o7777}[clause[i]]
		}
		if i == len(clause) {
			return 0, errBadMode
		}
		for i < len(clause) {
			op := clause[i]
			if op != '+' && op != '-' && op != '=' {
				return 0, errBadMode
			}
			i++
			bits := uint32(0)
			if i < len(clause) && strings.IndexByte("ugo", clause[i]) >= 0 {
				shift := map[byte]uint{'u': 6, 'g': 3, 'o': 0}[clause[i]]
				bits = (mode >> shift & 7) * 0o111
				i++
			} else {
				for ; i < len(clause) && strings.IndexByte("rwxXst", clause[i]) >= 0; i++ {
					switch clause[i] {
					case 'r':
						bits |= 0o444
					case 'w':
						bits |= 0o222
					case 'x':
						bits |= 0o111
					case 'X':
						if dir || mode&0o111 != 0 {
							bits |= 0o111
						}
					case 's':
						bits |= 0o6000
					case 't':
						bits |= 0o1000
					}
				}
			}
			mask := who
			if who == 0 {
				mask = 0o7777 &^ umask
			}
			switch op {
			case '+':
				mode |= bits & mask
			case '-':
				mode &^= bits & mask
			case '=':
				clear := who
				if who == 0 {
					clear = 0o7777
				}
				mode = mode&^clear | bits&mask
			}
		}
	}
	return mode, nil
}

// permString renders mode bits as ls does ("rwxr-xr-x").
func permString(m uint32) string {
	b := []byte("rwxrwxrwx")
	for i := range b {
		if m&(1<<(8-i)) == 0 {
			b[i] = '-'
		}
	}
	special := []struct {
		bit  uint32
		pos  int
		char byte
	}{{0o4000, 2, 's'}, {0o2000, 5, 's'}, {0o1000, 8, 't'}}
	for _, s := range special {
		if m&s.bit != 0 {
			if b[s.pos] == '-' {
				b[s.pos] = s.char - 'a' + 'A'
			} else {
				b[s.pos] = s.char
			}
		}
	}
	return string(b)
}
