package coreutils

import "context"

func init() {
	register(func(context.Context, *Env, []string) int { return 0 }, "true")
	register(func(context.Context, *Env, []string) int { return 1 }, "false")
}
