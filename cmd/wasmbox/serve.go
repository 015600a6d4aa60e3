package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	goruntime "runtime"
	"strings"
	"syscall"
	"time"

	"github.com/wasmbox/wasmbox/internal/server"
	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["serve"] = command{"serve the HTTP API: run, test, validate, sandbox sessions and the Cloudflare container API", serveCmd}
}

// Exit status of `wasmbox serve` when it cannot listen.
const exitServeFailed = 1

// apiKeyEnv names the environment variable that sets the API key.
const apiKeyEnv = "WASMBOX_API_KEY"

// warmIdleTimeout is how long the server keeps warm interpreters (about
// 30 MB each) without traffic before it lets them go.
const warmIdleTimeout = 5 * time.Minute

func serveCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "wasmbox serve [flags]", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on: host:port (port 0 picks a free one), or unix:PATH, a socket only this user may use")
	apiKey := fs.String("api-key", "", "Bearer token every /v1/ route requires (default $"+apiKeyEnv+"; none: no auth, loopback only)")
	insecure := fs.Bool("insecure", false, "allow listening on a non-loopback address without an API key")
	concurrency := fs.Int("max-concurrency", 0, "executions running at once (default the CPU count)")
	warm := fs.Int("warm", -1, "interpreters kept started ahead of need, each serving one execution (default: max-concurrency; 0: none)")
	maxQueue := fs.Int("max-queue", server.DefaultMaxQueue, "requests that may wait for a slot; more get 429 (0: none wait)")
	queueTimeout := fs.Duration("queue-timeout", server.DefaultQueueTimeout, "longest wait for a slot before 503")
	maxBody := fs.String("max-body", "8MiB", "largest JSON request body; larger gets 413 (file uploads and archives: the bridge's 32MiB)")
	timeout := fs.Duration("timeout", runtime.DefaultTimeout, "wall-clock limit of /v1/run and of each /v1/test case when the request gives no timeoutMs")
	execTimeout := fs.Duration("exec-timeout", server.DefaultExecTimeout, "wall-clock limit of a sandbox exec when the request gives no timeout_ms")
	maxTimeout := fs.Duration("max-timeout", server.DefaultMaxTimeout, "the most time any request may ask for")
	memory := fs.String("memory", "128MiB", "guest memory limit when the request gives no memoryBytes, and of sandbox execs")
	maxMemory := fs.String("max-memory", "1GiB", "the most memory any request may ask for")
	maxOutput := fs.String("max-output", "1MiB", "cap on each of stdout and stderr kept of a run or test (session execs stream theirs whole)")
	sessionTTL := fs.Duration("session-ttl", server.DefaultSessionTTL, "a sandbox idle this long is destroyed")
	maxSessions := fs.Int("max-sessions", server.DefaultMaxSessions, "most sandboxes alive at once; more get 503")
	maxContexts := fs.Int("max-contexts", runtime.DefaultMaxContexts, "most code contexts alive at once, over all sandboxes (each may hold --memory)")
	sessionFS := fs.String("session-fs", "16MiB", "file data each sandbox may hold (all sandboxes: at most max-sessions times this)")
	grace := fs.Duration("shutdown-grace", server.DefaultShutdownGrace, "on SIGINT/SIGTERM, how long running executions may finish before they are canceled")
	readHeaderTimeout := fs.Duration("read-header-timeout", server.DefaultReadHeaderTimeout, "longest wait for a request's headers")
	bodyTimeout := fs.Duration("body-timeout", server.DefaultBodyTimeout, "longest wait for a whole request body; slower gets 408")
	maxTestDuration := fs.Duration("max-test-duration", server.DefaultMaxTestDuration, "limit of one whole /v1/test request, every case included; past it 504")
	maxHostMemory := fs.String("max-host-memory", "", "host memory budget: executions (memory limit and files) and sandboxes (files) admitted while they fit, the rest queued or refused (default half of the machine's RAM, or of the cgroup's memory limit; 0: no budget)")
	logFormat := fs.String("log-format", "json", "log format on stderr: json or text")
	var packagePaths []string
	registerPackagesFlag(fs, &packagePaths)
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "serve", "unexpected argument %q", fs.Arg(0))
	}
	key := *apiKey
	if !fs.Changed("api-key") {
		key = os.Getenv(apiKeyEnv)
	}
	if key == "" && !*insecure && !server.IsLoopback(*addr) && !strings.HasPrefix(*addr, unixPrefix) {
		return usageError(stderr, "serve", "refusing to listen on %s without an API key: set --api-key or %s, listen on a loopback address, or pass --insecure", *addr, apiKeyEnv)
	}
	sizes := map[string]*string{"max-body": maxBody, "memory": memory, "max-memory": maxMemory, "max-output": maxOutput, "session-fs": sessionFS}
	parsed := map[string]uint64{}
	for name, v := range sizes {
		n, err := parseSize(*v)
		if err != nil || n == 0 {
			if err == nil {
				err = fmt.Errorf("must be positive")
			}
			return usageError(stderr, "serve", "--%s: %v", name, err)
		}
		parsed[name] = n
	}
	hostMemory := int64(0) // server.Config: the default
	if fs.Changed("max-host-memory") {
		n, err := parseSize(*maxHostMemory)
		if err != nil {
			return usageError(stderr, "serve", "--max-host-memory: %v", err)
		}
		hostMemory = int64(n)
		if n == 0 {
			hostMemory = -1 // server.Config: no budget
		}
	}
	for name, d := range map[string]int64{"queue-timeout": int64(*queueTimeout), "timeout": int64(*timeout), "exec-timeout": int64(*execTimeout),
		"max-timeout": int64(*maxTimeout), "session-ttl": int64(*sessionTTL), "shutdown-grace": int64(*grace),
		"read-header-timeout": int64(*readHeaderTimeout), "body-timeout": int64(*bodyTimeout), "max-test-duration": int64(*maxTestDuration)} {
		if d <= 0 {
			return usageError(stderr, "serve", "--%s must be positive", name)
		}
	}
	switch {
	case *concurrency < 0 || fs.Changed("max-concurrency") && *concurrency == 0:
		return usageError(stderr, "serve", "--max-concurrency must be positive")
	case *maxQueue < 0:
		return usageError(stderr, "serve", "--max-queue must not be negative")
	case *maxSessions <= 0:
		return usageError(stderr, "serve", "--max-sessions must be positive")
	case *maxContexts <= 0:
		return usageError(stderr, "serve", "--max-contexts must be positive")
	case *warm < -1 || fs.Changed("warm") && *warm < 0:
		return usageError(stderr, "serve", "--warm must not be negative")
	}
	var handler slog.Handler
	switch *logFormat {
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	default:
		return usageError(stderr, "serve", "--log-format %q: use json or text", *logFormat)
	}
	logger := slog.New(handler)
	pkgs, err := loadPackages(packagePaths)
	if err != nil {
		return usageError(stderr, "serve", "%v", err)
	}
	queue := *maxQueue
	if queue == 0 {
		queue = -1 // server.Config: negative means no queue
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pool := runtime.PoolConfig{Size: *warm, IdleTimeout: warmIdleTimeout}
	if pool.Size < 0 {
		pool.Size = *concurrency
		if pool.Size == 0 {
			pool.Size = goruntime.NumCPU()
		}
	}
	engine, err := runtime.NewEngine(ctx, runtime.EngineConfig{Pool: pool, MaxContexts: *maxContexts})
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox serve: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	defer engine.Close(context.Background())
	srv, err := server.New(server.Config{
		Engine: engine, Packages: pkgs, APIKey: key, Logger: logger,
		MaxConcurrency: *concurrency, MaxQueue: queue, QueueTimeout: *queueTimeout,
		MaxBody: int64(parsed["max-body"]), Timeout: *timeout, ExecTimeout: *execTimeout, MaxTimeout: *maxTimeout,
		Memory: parsed["memory"], MaxMemory: parsed["max-memory"], MaxOutput: int64(parsed["max-output"]),
		SessionTTL: *sessionTTL, MaxSessions: *maxSessions, SessionFSBytes: int64(parsed["session-fs"]),
		ShutdownGrace: *grace, ReadHeaderTimeout: *readHeaderTimeout, BodyTimeout: *bodyTimeout,
		MaxTestDuration: *maxTestDuration, MaxHostMemory: hostMemory, Version: version,
	})
	if err != nil {
		return usageError(stderr, "serve", "%v", err)
	}
	ln, err := serveListen(*addr)
	if err != nil {
		srv.Close()
		fmt.Fprintf(stderr, "wasmbox serve: %v\n", err)
		return exitServeFailed
	}
	logger.Info("listening", "addr", ln.Addr().String(), "auth", key != "", "max_concurrency", srv.MaxConcurrency(), "packages", pkgs.SysPath())
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "wasmbox serve: %v\n", err)
		return exitServeFailed
	}
	return exitOK
}
