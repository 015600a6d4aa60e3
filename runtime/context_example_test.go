package runtime_test

import (
	"context"
	"fmt"

	"github.com/wasmbox/wasmbox/runtime"
)

// A code context keeps its state from one run to the next; a fork starts
// from the same state and then goes its own way.
func ExampleContext() {
	ctx := context.Background()
	e, err := runtime.NewEngine(ctx, runtime.EngineConfig{})
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)
	sb, err := e.NewSandbox(runtime.SandboxConfig{})
	if err != nil {
		panic(err)
	}
	defer sb.Destroy()
	c, err := sb.NewContext(ctx, runtime.ContextOptions{})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	c.Run(ctx, "x = 41", runtime.RunOptions{})
	x, _ := c.Run(ctx, "x + 1", runtime.RunOptions{})
	fmt.Println(x.Results[0].Text)

	fork, err := c.Fork(ctx)
	if err != nil {
		panic(err)
	}
	defer fork.Close()
	fork.Run(ctx, "x = 0", runtime.RunOptions{})
	x, _ = c.Run(ctx, "x", runtime.RunOptions{})
	y, _ := fork.Run(ctx, "x", runtime.RunOptions{})
	fmt.Println(x.Results[0].Text, y.Results[0].Text)

	x, _ = c.Run(ctx, "1/0", runtime.RunOptions{})
	fmt.Println(x.Error.Name, x.Error.LineNumber)
	// Output:
	// 42
	// 41 0
	// ZeroDivisionError 1
}
