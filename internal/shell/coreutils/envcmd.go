package coreutils

import (
	"strings"

	"github.com/wasmbox/wasmbox/internal/shell"
)

func init() {
	register(envCmd, "env")
	register(printenv, "printenv")
}

var envSpec = optSpec{
	short:   "iu:0C:",
	long:    map[string]string{"ignore-environment": "i", "unset=": "u", "null": "0", "chdir=": "C"},
	inOrder: true,
	// env's own errors are 125, as the commands it runs may use 1 and 2.
	usageCode: 125,
}

// envCmd runs a command in a changed environment, or prints the
// environment when given no command.
func envCmd(c *call) int {
	args := c.Args[1:]
	ignore := false
	if len(args) > 0 && args[0] == "-" {
		ignore, args = true, args[1:]
	}
	o, code := c.parseArgs(envSpec, args)
	if o == nil {
		return code
	}
	environ := append([]string(nil), c.Env...)
	if ignore || o.has("i") {
		environ = nil
	}
	for _, name := range o.vals("u") {
		environ = unsetEnv(environ, name)
	}
	rest := o.operands
	for len(rest) > 0 && strings.Contains(rest[0], "=") {
		name, _, _ := strings.Cut(rest[0], "=")
		environ = append(unsetEnv(environ, name), rest[0])
		rest = rest[1:]
	}
	if len(rest) == 0 {
		end := "\n"
		if o.has("0") {
			end = "\x00"
		}
		for _, kv := range environ {
			c.out.WriteString(kv + end)
		}
		return c.finish()
	}
	sub := *c.Invocation
	sub.Env = environ
	if dir, ok := o.val("C"); ok {
		st, err := c.stat(dir)
		if err == nil && !st.Mode.IsDir() {
			err = errOf(enotdir)
		}
		if err != nil {
			c.errorf("cannot change directory to %s: %s", quote(dir), errText(err))
			c.status = 125
			return c.finish()
		}
		sub.Dir = c.Abs(dir)
	}
	sub.Args = rest
	c.out.Flush()
	return c.runCommand(&sub)
}

// runCommand runs sub through the shell's callback.
func (c *call) runCommand(sub *shell.Invocation) int {
	if c.Run == nil {
		c.errorf("%s: cannot run commands here", sub.Args[0])
		return 126
	}
	return c.Run(c.ctx, sub)
}

// unsetEnv removes name from an environment list.
func unsetEnv(environ []string, name string) []string {
	out := environ[:0:0]
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); k != name {
			out = append(out, kv)
		}
	}
	return out
}

var printenvSpec = optSpec{short: "0", long: map[string]string{"null": "0"}}

// printenv prints the environment, or the values of the named variables
// (status 1 when one is unset).
func printenv(c *call) int {
	o, code := c.parseOpts(printenvSpec)
	if o == nil {
		return code
	}
	end := "\n"
	if o.has("0") {
		end = "\x00"
	}
	if len(o.operands) == 0 {
		for _, kv := range c.Env {
			c.out.WriteString(kv + end)
		}
		return c.finish()
	}
	for _, name := range o.operands {
		v, ok := c.lookupEnv(name)
		if !ok || strings.Contains(name, "=") {
			c.status = 1
			continue
		}
		c.out.WriteString(v + end)
	}
	return c.finish()
}
