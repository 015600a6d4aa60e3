package coreutils

import (
	"io"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

func init() { register(mktemp, "mktemp") }

var mktempSpec = optSpec{
	short: "dqtup:",
	long: map[string]string{
		"directory": "d", "quiet": "q", "dry-run": "u", "tmpdir=?": "p", "suffix=": "suffix",
	},
}

// tempChars are the characters that replace a template's X's.
const tempChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// mktemp makes a file (or -d directory) with a unique name from TEMPLATE
// (default tmp.XXXXXXXXXX, in $TMPDIR or /tmp with -t, -p or no template)
// and prints its name.
func mktemp(c *call) int {
	o, code := c.parseOpts(mktempSpec)
	if o == nil {
		return code
	}
	if len(o.operands) > 1 {
		return c.usage(1, "too many templates")
	}
	template := "tmp.XXXXXXXXXX"
	useDir := len(o.operands) == 0 || o.has("t") || o.has("p")
	if len(o.operands) == 1 {
		template = o.operands[0]
	}
	suffix, _ := o.val("suffix")
	if !strings.HasSuffix(template, "X") && suffix == "" {
		if i := strings.LastIndexByte(template, 'X'); i >= 0 {
			template, suffix = template[:i+1], template[i+1:]
		}
	}
	xs := len(template) - len(strings.TrimRight(template, "X"))
	if xs < 3 {
		c.errorf("too few X's in template %s", quote(template+suffix))
		return c.finish()
	}
	if useDir {
		if strings.Contains(template, "/") && (o.has("t") || o.has("p")) {
			c.errorf("invalid template, %s, contains directory separator", quote(template))
			return c.finish()
		}
		dir, _ := o.val("p")
		if dir == "" {
			dir = c.Getenv("TMPDIR")
		}
		if dir == "" {
			dir = "/tmp"
		}
		template = join(dir, template)
	}
	prefix := template[:len(template)-xs]
	for try := 0; try < 100 && !c.stopped(); try++ {
		random, err := c.randomName(xs)
		if err != nil {
			c.errorf("cannot make a random name: %s", errText(err))
			return c.finish()
		}
		name := prefix + random + suffix
		switch {
		case o.has("u"):
			if c.exists(name) {
				continue
			}
		case o.has("d"):
			err = c.mkdir(name, 0o700)
		default:
			var f experimentalsys.File
			f, err = c.openExcl(name)
			if err == nil {
				f.Close()
			}
		}
		if errno(err) == eexist {
			continue
		}
		if err != nil {
			if !o.has("q") {
				what := "file"
				if o.has("d") {
					what = "directory"
				}
				c.errorf("failed to create %s via template %s: %s", what, quote(template+suffix), errText(err))
			}
			c.status = 1
			return c.finish()
		}
		c.out.WriteString(name + "\n")
		return c.finish()
	}
	c.errorf("failed to create file via template %s: %s", quote(template+suffix), errText(errOf(eexist)))
	return c.finish()
}

// randomName returns n characters from tempChars.
func (c *call) randomName(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(c.random(), buf); err != nil {
		return "", err
	}
	for i, b := range buf {
		buf[i] = tempChars[int(b)%len(tempChars)]
	}
	return string(buf), nil
}

// openExcl creates name, which must not exist, mode 0600.
func (c *call) openExcl(name string) (experimentalsys.File, error) {
	f, e := c.FS.OpenFile(c.Path(name), experimentalsys.O_RDWR|experimentalsys.O_CREAT|experimentalsys.O_EXCL, 0o600)
	return f, errOf(e)
}

// tempFile creates a new file in dir named prefix and six random
// characters, and returns its name and writer.
func (c *call) tempFile(dir, prefix string) (string, io.WriteCloser, error) {
	var err error
	for try := 0; try < 100; try++ {
		var random string
		if random, err = c.randomName(6); err != nil {
			return join(dir, prefix+"XXXXXX"), nil, err
		}
		name := join(dir, prefix+random)
		f, ferr := c.openExcl(name)
		if err = ferr; errno(err) == eexist {
			continue
		}
		if err != nil {
			return name, nil, err
		}
		return name, file{f}, nil
	}
	return join(dir, prefix+"XXXXXX"), nil, err
}
