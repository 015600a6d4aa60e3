package coreutils

import (
	"context"
	"strings"
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
func envCmd(ctx context.Context, env *Env, argv []string) int {
	c := newCall(ctx, env, argv)
	args := argv
	ignore := false
	if len(args) > 1 && args[1] == "-" {
		ignore, args = true, append([]string{args[0]}, args[2:]...)
	}
	o, code := c.parseOpts(envSpec, args)
	if o == nil {
		return code
	}
	environ := append([]string(nil), env.Environ...)
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
	sub := *env
	sub.Environ = environ
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
		sub.Dir = env.abs(dir)
	}
	c.out.Flush()
	return c.runCommand(&sub, rest)
}

// runCommand runs argv through the shell's callback.
func (c *call) runCommand(sub *Env, argv []string) int {
	if c.Run == nil {
		c.errorf("%s: cannot run commands here", argv[0])
		return 126
	}
	return c.Run(c.ctx, sub, argv)
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
func printenv(ctx context.Context, env *Env, argv []string) int {
	c := newCall(ctx, env, argv)
	o, code := c.parseOpts(printenvSpec, argv)
	if o == nil {
		return code
	}
	end := "\n"
	if o.has("0") {
		end = "\x00"
	}
	if len(o.operands) == 0 {
		for _, kv := range env.Environ {
			c.out.WriteString(kv + end)
		}
		return c.finish()
	}
	for _, name := range o.operands {
		v, ok := env.lookupEnv(name)
		if !ok || strings.Contains(name, "=") {
			c.status = 1
			continue
		}
		c.out.WriteString(v + end)
	}
	return c.finish()
}
