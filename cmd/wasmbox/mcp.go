package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmbox/wasmbox/internal/server"
	"github.com/wasmbox/wasmbox/internal/service/mcp"
	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

func init() {
	commands["mcp"] = command{"serve the Model Context Protocol over stdio: run_python, check_python, test_eval", mcpCmd}
}

// mcpCmd serves MCP on this process's stdin and stdout. It takes the
// streams from os, not from its arguments: the protocol owns them.
func mcpCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("mcp", "wasmbox mcp [flags]", stderr)
	var limits limitFlags
	limits.register(fs, "wall-clock limit of run_python and of each test_eval case when the call gives no timeout_seconds")
	maxTimeout := fs.Duration("max-timeout", server.DefaultMaxTimeout, "the most time any call may ask for")
	maxOutput := fs.String("max-output", "1MiB", "cap on each of stdout and stderr of run_python")
	concurrency := fs.Int("max-concurrency", 0, "calls running at once; more wait (default the CPU count)")
	maxContexts := fs.Int("max-contexts", mcp.DefaultMaxContexts, "most code contexts run_python keeps alive at once (each may hold --memory and its files)")
	contextTTL := fs.Duration("context-ttl", mcp.DefaultContextTTL, "a code context idle this long ends, and its state with it")
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "mcp", "unexpected argument %q", fs.Arg(0))
	}
	cfg, _, err := limits.sandboxConfig()
	if err != nil {
		return usageError(stderr, "mcp", "%v", err)
	}
	allow, err := validate.ParseAllowImports(limits.allowImport)
	if err != nil {
		return usageError(stderr, "mcp", "--allow-import: %v", err)
	}
	outCap, err := parseSize(*maxOutput)
	if err != nil || outCap == 0 {
		return usageError(stderr, "mcp", "--max-output %q: a positive size, like 1MiB", *maxOutput)
	}
	switch {
	case *maxTimeout <= 0:
		return usageError(stderr, "mcp", "--max-timeout must be positive")
	case cfg.Timeout > *maxTimeout:
		return usageError(stderr, "mcp", "--timeout %v is above --max-timeout %v", cfg.Timeout, *maxTimeout)
	case *concurrency < 0 || fs.Changed("max-concurrency") && *concurrency == 0:
		return usageError(stderr, "mcp", "--max-concurrency must be positive")
	case *maxContexts <= 0:
		return usageError(stderr, "mcp", "--max-contexts must be positive")
	case *contextTTL <= 0:
		return usageError(stderr, "mcp", "--context-ttl must be positive")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	engine, err := runtime.NewEngine(ctx, runtime.EngineConfig{MaxContexts: *maxContexts})
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox mcp: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	defer engine.Close(context.Background())
	svc, err := mcp.New(mcp.Config{
		Engine: engine, Packages: cfg.Packages, Version: version,
		Timeout: cfg.Timeout, MaxTimeout: *maxTimeout, Memory: cfg.MemoryLimit, MaxOutput: int64(outCap),
		Policy: limits.policy, AllowImports: allow, MaxConcurrency: *concurrency,
		MaxContexts: *maxContexts, ContextTTL: *contextTTL,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return usageError(stderr, "mcp", "%v", err)
	}
	defer svc.Close()
	if err := svc.Run(ctx, &sdk.StdioTransport{}); err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "wasmbox mcp: %v\n", err)
		return exitServeFailed
	}
	return exitOK
}
