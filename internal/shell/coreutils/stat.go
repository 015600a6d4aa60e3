package coreutils

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/sys"
)

func init() { register(stat, "stat") }

var statSpec = optSpec{
	short: "Lc:t",
	long:  map[string]string{"dereference": "L", "format=": "c", "printf=": "printf", "terse": "t"},
}

// statDefault is GNU's default format; %Q is %N without quotes, as the
// default format shows names.
const statDefault = "  File: %Q\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n" +
	"Device: %Hd,%Ld\tInode: %-11i Links: %h\n" +
	"Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n" +
	"Access: %x\nModify: %y\nChange: %z\n Birth: %w\n"

// stat prints files' status, by GNU's default format or -c/--printf's
// %-conversions (%n %N %s %b %B %o %f %F %a %A %h %i %u %U %g %G %x %X %y
// %Y %z %Z %w %W %d %D %m). The sandbox has one device and one owner.
func stat(c *call) int {
	o, code := c.parseOpts(statSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing operand")
	}
	format, hasFormat := o.val("c")
	printf, isPrintf := o.val("printf")
	switch {
	case isPrintf:
		format = unescape(printf)
	case hasFormat:
		format += "\n"
	case o.has("t"):
		format = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o\n"
	default:
		format = statDefault
	}
	for _, name := range o.operands {
		var st sys.Stat_t
		var err error
		if o.has("L") {
			st, err = c.stat(name)
		} else {
			st, err = c.lstat(name)
		}
		if err != nil {
			c.errorf("cannot statx %s: %s", quote(name), errText(err))
			continue
		}
		c.out.WriteString(c.statFormat(format, name, st))
	}
	return c.finish()
}

// statFormat expands a stat format for one file.
func (c *call) statFormat(format, name string, st sys.Stat_t) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
			j++
		}
		if j < len(format) && (format[j] == 'H' || format[j] == 'L') {
			j++ // %Hd, %Ld: major and minor device, both 0 here
		}
		if j == len(format) {
			b.WriteString(format[i:])
			break
		}
		flags := format[i+1 : j]
		flags = strings.TrimRight(flags, "HL")
		v, numeric := c.statField(format[j], name, st)
		if format[j] == '%' {
			b.WriteByte('%')
		} else if numeric {
			n, _ := strconv.ParseInt(v, 10, 64)
			fmt.Fprintf(&b, "%"+flags+"d", n)
		} else {
			fmt.Fprintf(&b, "%"+flags+"s", v)
		}
		i = j
	}
	return b.String()
}

// statField is one conversion's value and whether it is a number.
func (c *call) statField(ch byte, name string, st sys.Stat_t) (string, bool) {
	itoa := func(n int64) (string, bool) { return strconv.FormatInt(n, 10), true }
	ts := func(ns int64) (string, bool) {
		return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05.000000000 -0700"), false
	}
	switch ch {
	case 'n':
		return name, false
	case 'N', 'Q':
		q := quote
		if ch == 'Q' {
			q = func(s string) string { return s }
		}
		if st.Mode&fs.ModeSymlink != 0 {
			target, _ := c.FS.Readlink(c.Path(name))
			return q(name) + " -> " + q(target), false
		}
		return q(name), false
	case 's':
		return itoa(st.Size)
	case 'b':
		return itoa(blocksOf(st) * 2)
	case 'B':
		return itoa(512)
	case 'o':
		return itoa(4096)
	case 'f':
		return strconv.FormatUint(uint64(rawMode(st.Mode)), 16), false
	case 'F':
		return fileType(st), false
	case 'a':
		return strconv.FormatUint(uint64(unixPerm(st.Mode)), 8), true
	case 'A':
		return modeString(st.Mode), false
	case 'h':
		return itoa(int64(st.Nlink))
	case 'i':
		return strconv.FormatUint(st.Ino, 10), true
	case 'u', 'g':
		return itoa(0)
	case 'U', 'G':
		return userName, false
	case 'x':
		return ts(st.Atim)
	case 'y':
		return ts(st.Mtim)
	case 'z':
		return ts(st.Ctim)
	case 'X':
		return itoa(st.Atim / 1e9)
	case 'Y':
		return itoa(st.Mtim / 1e9)
	case 'Z':
		return itoa(st.Ctim / 1e9)
	case 'w':
		return "-", false
	case 'W', 'd', 't', 'T':
		return itoa(0)
	case 'D':
		return "0", false
	case 'm':
		return "/", false
	}
	return "?", false
}

// rawMode is a mode as the st_mode word (%f).
func rawMode(m fs.FileMode) uint32 {
	u := unixPerm(m)
	switch {
	case m&fs.ModeSymlink != 0:
		u |= 0o120000
	case m.IsDir():
		u |= 0o040000
	case m&fs.ModeNamedPipe != 0:
		u |= 0o010000
	case m&fs.ModeSocket != 0:
		u |= 0o140000
	default:
		u |= 0o100000
	}
	return u
}

// fileType is %F's text.
func fileType(st sys.Stat_t) string {
	switch m := st.Mode; {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case st.Size == 0:
		return "regular empty file"
	}
	return "regular file"
}

// unescape expands the backslash escapes of --printf and printf-like
// arguments: \n \t \\ \" \a \b \f \r \v and octal \NNN.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, j := 0, i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				n = n*8 + int(s[j]-'0')
			}
			b.WriteByte(byte(n))
			i = j - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
