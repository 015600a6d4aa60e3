package coreutils

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
)

func init() {
	for name, h := range map[string]func() hash.Hash{
		"md5sum": md5.New, "sha1sum": sha1.New, "sha224sum": sha256.New224,
		"sha256sum": sha256.New, "sha384sum": sha512.New384, "sha512sum": sha512.New,
	} {
		register(func(c *call) int { return checksum(c, h) }, name)
	}
}

var sumSpec = optSpec{
	short: "bctwz",
	long: map[string]string{
		"binary": "b", "check": "c", "text": "t", "tag": "tag", "quiet": "quiet", "status": "status",
		"warn": "w", "strict": "strict", "ignore-missing": "ignore-missing", "zero": "z",
	},
}

// checksum prints files' digests ("HASH  NAME"), or with -c checks the
// digests listed in files (--quiet, --status, --ignore-missing, --strict).
func checksum(c *call, newHash func() hash.Hash) int {
	o, code := c.parseOpts(sumSpec)
	if o == nil {
		return code
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	algo := strings.ToUpper(strings.TrimSuffix(c.name, "sum"))
	if o.has("c") {
		for _, n := range names {
			c.checkSums(n, newHash, o)
		}
		return c.finish()
	}
	for _, n := range names {
		if c.stopped() {
			break
		}
		sum, err := c.digest(n, newHash)
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			continue
		}
		if o.has("tag") {
			fmt.Fprintf(c.out, "%s (%s) = %s\n", algo, n, sum)
		} else {
			fmt.Fprintf(c.out, "%s  %s\n", sum, n)
		}
	}
	return c.finish()
}

// digest hashes one file.
func (c *call) digest(name string, newHash func() hash.Hash) (string, error) {
	r, err := c.open(name)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := newHash()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkSums checks one list of "HASH  NAME" (or BSD "ALGO (NAME) = HASH")
// lines.
func (c *call) checkSums(list string, newHash func() hash.Hash, o *opts) {
	r, err := c.open(list)
	if err != nil {
		c.errorf("%s: %s", list, errText(err))
		return
	}
	defer r.Close()
	size := newHash().Size() * 2
	var bad, unreadable, malformed, ok int
	shown := list
	if list == "-" {
		shown = "standard input"
	}
	lineNo := 0
	err = c.eachLine(r, '\n', func(line []byte, _ bool) error {
		lineNo++
		want, name, good := parseSumLine(string(line), size)
		if !good {
			malformed++
			if o.has("w") {
				c.errorf("%s: %d: improperly formatted %s checksum line", shown, lineNo, strings.ToUpper(strings.TrimSuffix(c.name, "sum")))
			}
			return nil
		}
		got, err := c.digest(name, newHash)
		switch {
		case err != nil && o.has("ignore-missing") && errno(err) == enoent:
		case err != nil:
			unreadable++
			c.errorf("%s: %s", name, errText(err))
			if !o.has("status") {
				c.out.WriteString(name + ": FAILED open or read\n")
			}
		case !strings.EqualFold(got, want):
			bad++
			if !o.has("status") {
				c.out.WriteString(name + ": FAILED\n")
			}
		default:
			ok++
			if !o.has("quiet") && !o.has("status") {
				c.out.WriteString(name + ": OK\n")
			}
		}
		return nil
	})
	if err != nil {
		c.errorf("%s: %s", list, errText(err))
		return
	}
	warn := func(n int, one, many string) {
		if n == 0 || o.has("status") {
			return
		}
		if n == 1 {
			c.warnf("WARNING: %d %s", n, one)
		} else {
			c.warnf("WARNING: %d %s", n, many)
		}
	}
	if ok+bad+unreadable > 0 {
		warn(malformed, "line is improperly formatted", "lines are improperly formatted")
	}
	warn(unreadable, "listed file could not be read", "listed files could not be read")
	warn(bad, "computed checksum did NOT match", "computed checksums did NOT match")
	switch {
	case ok == 0 && bad == 0 && unreadable == 0:
		if !o.has("status") {
			c.errorf("%s: no properly formatted checksum lines found", shown)
		}
		c.status = 1
	case bad > 0 || unreadable > 0 || malformed > 0 && o.has("strict"):
		c.status = 1
	}
}

// parseSumLine reads "HASH  NAME", "HASH *NAME" or "ALGO (NAME) = HASH".
func parseSumLine(line string, size int) (sum, name string, ok bool) {
	if i := strings.Index(line, ") = "); i > 0 && strings.Contains(line[:i], " (") {
		j := strings.Index(line, " (")
		sum, name = line[i+4:], line[j+2:i]
		return sum, name, len(sum) == size && isHexString(sum)
	}
	if len(line) < size+2 || !isHexString(line[:size]) || line[size] != ' ' {
		return "", "", false
	}
	if line[size+1] != ' ' && line[size+1] != '*' {
		return "", "", false
	}
	return line[:size], line[size+2:], line[size+2:] != ""
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}
