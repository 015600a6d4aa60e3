package coreutils

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestOddArgumentsDoNotPanic runs every utility with malformed arguments
// straight from the registry (without Commands' recover): none may panic.
func TestOddArgumentsDoNotPanic(t *testing.T) {
	odd := [][]string{
		{}, {""}, {"-"}, {"--"}, {"\\"}, {"-\\"}, {"/"}, {"["}, {"a", "\\"}, {"-d", ""}, {"-t", ""}, {"-e", ""},
		{"-k", "0,"}, {"-n", ""}, {"-c", ""}, {"s/"}, {"\\/"}, {"y/a/"}, {"-f", "/"}, {"%"}, {"%*"}, {"(", ")"},
		{"-exec"}, {"-name"}, {"{"}, {"}"}, {"-type", ""}, {"a{"}, {"-E", "("}, {"-P", "(?"}, {"-w0"}, {"--="},
		{"-I", ""}, {"-L", "1"}, {"+%"}, {"-d", "@"}, {"-u", "-d", "x"}, {"-k1.0"}, {"[:"}, {"[=a"}, {"a-"},
	}
	dir := makeTree(t, tree)
	for _, name := range Names() {
		if name == "sleep" || name == "yes" || name == "timeout" {
			continue // they wait or write forever by design
		}
		for _, args := range odd {
			argv := append([]string{name}, args...)
			t.Run(fmtArgv(argv), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				var out, errb bytes.Buffer
				inv := testInv(dir, argv, "in\n", &out, &errb)
				registry[name](newCall(ctx, inv, &Config{}))
			})
		}
	}
}
