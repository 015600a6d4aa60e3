package coreutils

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

func init() { register(wc, "wc") }

var wcSpec = optSpec{
	short: "lwcmL",
	long:  map[string]string{"lines": "l", "words": "w", "bytes": "c", "chars": "m", "max-line-length": "L"},
}

// wcCounts are one input's counts.
type wcCounts struct {
	lines, words, bytes, chars, maxLine int64
}

// wc counts lines, words and bytes (-l -w -c; -m characters, -L the
// longest line), with GNU's column widths.
func wc(c *call) int {
	o, code := c.parseOpts(wcSpec)
	if o == nil {
		return code
	}
	show := map[string]bool{}
	for _, k := range []string{"l", "w", "c", "m", "L"} {
		show[k] = o.has(k)
	}
	if !show["l"] && !show["w"] && !show["c"] && !show["m"] && !show["L"] {
		show["l"], show["w"], show["c"] = true, true, true
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{""}
	}
	utf8Chars := strings.Contains(strings.ToUpper(c.Getenv("LC_ALL")+c.Getenv("LC_CTYPE")+c.Getenv("LANG")), "UTF")
	width := c.wcWidth(names)
	nShown := 0
	for _, v := range show {
		if v {
			nShown++
		}
	}
	if nShown == 1 && len(names) == 1 {
		width = 1
	}
	var total wcCounts
	for _, n := range names {
		if c.stopped() {
			break
		}
		label := n
		if n == "" {
			n = "-"
		}
		counts, err := c.wcCount(n, utf8Chars)
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			if errno(err) != eisdir {
				continue
			}
		}
		total.lines += counts.lines
		total.words += counts.words
		total.bytes += counts.bytes
		total.chars += counts.chars
		total.maxLine = max(total.maxLine, counts.maxLine)
		c.wcPrint(counts, show, width, label)
	}
	if len(names) > 1 {
		c.wcPrint(total, show, width, "total")
	}
	return c.finish()
}

// wcWidth sizes the columns as GNU does: by the digits of the regular
// files' total size, at least 7 when an input is not a regular file, and
// 1 when the first input cannot be read.
func (c *call) wcWidth(names []string) int {
	width, total, minWidth := 1, int64(0), 1
	for i, n := range names {
		if n == "" || n == "-" {
			minWidth = 7
			continue
		}
		st, err := c.stat(n)
		switch {
		case err != nil && i == 0:
			return 1
		case err != nil:
		case st.Mode.IsRegular():
			total += st.Size
		default:
			minWidth = 7
		}
	}
	for ; total >= 10; total /= 10 {
		width++
	}
	return max(width, minWidth)
}

// wcCount counts one input.
func (c *call) wcCount(name string, utf8Chars bool) (wcCounts, error) {
	var w wcCounts
	r, err := c.open(name)
	if err != nil {
		return w, err
	}
	defer r.Close()
	inWord := false
	lineLen := int64(0)
	var partial []byte
	err = c.eachChunk(r, func(p []byte) {
		w.bytes += int64(len(p))
		if utf8Chars {
			data := append(partial, p...)
			end := len(data)
			for end > 0 && end > len(data)-utf8.UTFMax && !utf8.FullRune(data[lastRuneStart(data[:end]):end]) {
				end = lastRuneStart(data[:end])
			}
			w.chars += int64(utf8.RuneCount(data[:end]))
			partial = append(partial[:0], data[end:]...)
		} else {
			w.chars += int64(len(p))
		}
		for _, b := range p {
			switch b {
			case '\n':
				w.lines++
				w.maxLine = max(w.maxLine, lineLen)
				lineLen = 0
				inWord = false
				continue
			case '\t':
				lineLen += 8 - lineLen%8
			default:
				lineLen++
			}
			space := b == ' ' || b == '\t' || b == '\v' || b == '\f' || b == '\r'
			if !space && !inWord {
				w.words++
			}
			inWord = !space
		}
	})
	w.chars += int64(len(partial))
	w.maxLine = max(w.maxLine, lineLen)
	return w, err
}

// lastRuneStart is the index where the last (maybe partial) rune of p
// starts.
func lastRuneStart(p []byte) int {
	i := len(p) - 1
	for i > 0 && !utf8.RuneStart(p[i]) {
		i--
	}
	return max(i, 0)
}

// wcPrint prints one line of counts.
func (c *call) wcPrint(w wcCounts, show map[string]bool, width int, label string) {
	var fields []string
	for _, f := range []struct {
		key string
		n   int64
	}{{"l", w.lines}, {"w", w.words}, {"m", w.chars}, {"c", w.bytes}, {"L", w.maxLine}} {
		if show[f.key] {
			fields = append(fields, fmt.Sprintf("%*d", width, f.n))
		}
	}
	line := strings.Join(fields, " ")
	if label != "" {
		line += " " + label
	}
	c.out.WriteString(line + "\n")
}
