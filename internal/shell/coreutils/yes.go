package coreutils

import (
	"bytes"
	"strings"
)

func init() { register(yes, "yes") }

// yes writes its arguments (or "y") as a line, again and again, until its
// output is closed or the context ends.
func yes(c *call) int {
	line := "y\n"
	if len(c.Args) > 1 {
		line = strings.Join(c.Args[1:], " ") + "\n"
	}
	n := 8192/len(line) + 1
	block := bytes.Repeat([]byte(line), n)
	for !c.stopped() {
		c.out.Write(block)
	}
	return c.finish() // a closed pipe is how yes ends: exitBrokenPipe
}
