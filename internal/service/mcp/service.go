// Package mcp serves wasmbox over the Model Context Protocol with the
// official Go SDK: the tools run_python, check_python and test_eval, over
// stdio (`wasmbox mcp`) or Streamable HTTP (`/mcp` on `wasmbox serve`).
//
// A tool call runs in a sandbox of its own that is destroyed when the call
// ends, unless it is a run_python call that names a code context (see
// contexts.go): that one runs in the live interpreter kept under the name.
// The HTTP handler keeps no MCP session, so any replica can answer any call
// but those naming a context, which lives in the process that started it.
package mcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	goruntime "runtime"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// DefaultMaxTimeout is the most time a call may ask for when
// Config.MaxTimeout is zero.
const DefaultMaxTimeout = 5 * time.Minute

// Config configures a Service. Only Engine is required.
type Config struct {
	// Engine runs every call; the service shares it.
	Engine *runtime.Engine
	// Packages, when set, are importable in every execution (see
	// runtime.SandboxConfig.Packages); nil: none.
	Packages *runtime.Packages
	// Version is the version the server reports in its handshake.
	Version string
	// Timeout is the wall-clock limit of run_python and of each test_eval
	// case when the call gives no timeout_seconds; default
	// runtime.DefaultTimeout.
	Timeout time.Duration
	// MaxTimeout is the most time a call may ask for; default
	// DefaultMaxTimeout.
	MaxTimeout time.Duration
	// Memory is each sandbox's linear-memory limit; default
	// runtime.DefaultMemoryLimit.
	Memory uint64
	// MaxOutput caps each of stdout and stderr of run_python; default
	// runtime.DefaultMaxOutput.
	MaxOutput int64
	// Policy is the import policy of calls that name none; default strict.
	// A call may name another policy (strict, stdlib or none).
	Policy string
	// AllowImports are modules added to every policy's allowlist.
	AllowImports []string
	// Acquire, when set, waits for an execution slot before a call starts
	// an interpreter. It returns the context the execution runs in (it may
	// end earlier than ctx, for example at a server's shutdown) and the
	// function that gives the slot back. Nil: at most MaxConcurrency calls
	// run at once and the rest wait.
	Acquire func(ctx context.Context) (context.Context, func(), error)
	// MaxConcurrency bounds running calls when Acquire is nil; default
	// the CPU count.
	MaxConcurrency int
	// MaxContexts caps run_python's code contexts; default
	// DefaultMaxContexts. The engine caps the live contexts of all its
	// users together (runtime.EngineConfig.MaxContexts).
	MaxContexts int
	// ContextTTL is how long a context may sit idle before it ends; default
	// DefaultContextTTL.
	ContextTTL time.Duration
	// ContextFSBytes caps the files of each context's sandbox; default
	// runtime.DefaultMaxFSBytes.
	ContextFSBytes int64
	// Reserve, when set, takes bytes of a host memory budget for a code
	// context, whose interpreter and files stay alive between calls:
	// its memory limit and its ContextFSBytes. release gives them back when
	// the context ends. Its error refuses the context. Nil: no budget.
	Reserve func(bytes int64) (release func(), err error)
	// MaxBody caps an HTTP request body in bytes; default the SDK's.
	MaxBody int64
	// Logger receives the SDK's own log; default none.
	Logger *slog.Logger
}

// Service is an MCP server with wasmbox's tools. It is safe for concurrent
// use; serve it with Run (a transport such as stdio) or Handler (HTTP).
type Service struct {
	cfg      Config
	server   *sdk.Server
	contexts *contextStore
}

// New checks cfg and returns a service.
func New(cfg Config) (*Service, error) {
	if cfg.Engine == nil {
		return nil, errors.New("mcp: no engine")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = runtime.DefaultTimeout
	}
	if cfg.MaxTimeout == 0 {
		cfg.MaxTimeout = DefaultMaxTimeout
	}
	if cfg.Memory == 0 {
		cfg.Memory = runtime.DefaultMemoryLimit
	}
	if cfg.MaxOutput == 0 {
		cfg.MaxOutput = runtime.DefaultMaxOutput
	}
	if cfg.Policy == "" {
		cfg.Policy = "strict"
	}
	if cfg.Version == "" {
		cfg.Version = "devel"
	}
	if cfg.MaxContexts == 0 {
		cfg.MaxContexts = DefaultMaxContexts
	}
	if cfg.ContextTTL == 0 {
		cfg.ContextTTL = DefaultContextTTL
	}
	if cfg.ContextFSBytes == 0 {
		cfg.ContextFSBytes = runtime.DefaultMaxFSBytes
	}
	if cfg.Reserve == nil {
		cfg.Reserve = func(int64) (func(), error) { return func() {}, nil }
	}
	switch {
	case cfg.Timeout < 0 || cfg.MaxTimeout < 0:
		return nil, errors.New("mcp: timeouts must be positive")
	case cfg.Timeout > cfg.MaxTimeout:
		return nil, fmt.Errorf("mcp: the default timeout %v is above the maximum %v", cfg.Timeout, cfg.MaxTimeout)
	case cfg.Memory < cfg.Engine.MinMemory():
		return nil, fmt.Errorf("mcp: the memory limit %d is below the %d bytes the interpreter needs to start", cfg.Memory, cfg.Engine.MinMemory())
	case cfg.MaxContexts < 0 || cfg.ContextTTL < 0 || cfg.ContextFSBytes < 0:
		return nil, errors.New("mcp: the context cap, TTL and file cap must be positive")
	}
	if _, err := policyNamed(cfg.Policy, cfg.AllowImports); err != nil {
		return nil, fmt.Errorf("mcp: %w", err)
	}
	if cfg.Acquire == nil {
		n := cfg.MaxConcurrency
		if n <= 0 {
			n = goruntime.NumCPU()
		}
		cfg.Acquire = semaphore(n)
	}
	s := &Service{cfg: cfg, contexts: newContextStore(cfg)}
	s.server = sdk.NewServer(&sdk.Implementation{Name: "wasmbox", Title: "wasmbox: sandboxed Python", Version: cfg.Version},
		&sdk.ServerOptions{Instructions: instructions, Logger: cfg.Logger, Capabilities: &sdk.ServerCapabilities{}})
	if err := s.addTools(); err != nil {
		return nil, err
	}
	return s, nil
}

// instructions tell a client what the server is for.
const instructions = "wasmbox runs untrusted Python 3.13 (CPython on WASI) in a WebAssembly sandbox with no network, " +
	"a private in-memory filesystem, and hard time and memory limits. Each call runs in a fresh sandbox: " +
	"nothing carries over between calls, unless run_python names a context: then its code runs in that context's live " +
	"interpreter, where variables, imports and files last from one call to the next (the first call naming a context starts it). " +
	"run_python runs a program; check_python checks code against the import policy " +
	"without running it; test_eval runs an evaluation function against test cases."

// Run serves the service over t (for example &sdk.StdioTransport{}) until
// the client disconnects or ctx is done.
func (s *Service) Run(ctx context.Context, t sdk.Transport) error {
	return s.server.Run(ctx, t)
}

// Close ends the service's code contexts, stopping runs under way; calls
// that name a context are refused from then on. Other calls still run.
func (s *Service) Close() { s.contexts.close() }

// Server returns the SDK server, for other transports (and tests).
func (s *Service) Server() *sdk.Server { return s.server }

// Handler returns the Streamable HTTP handler of the service. It is
// stateless (no Mcp-Session-Id): each POST is answered on its own, and
// progress notifications travel in that POST's event stream. It does no
// authentication; mount it behind the caller's.
func (s *Service) Handler() http.Handler {
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s.server }, &sdk.StreamableHTTPOptions{
		Stateless:           true,
		Logger:              s.cfg.Logger,
		MaxRequestBodyBytes: s.cfg.MaxBody,
	})
}

// semaphore returns an Acquire that lets n calls run at once.
func semaphore(n int) func(ctx context.Context) (context.Context, func(), error) {
	slots := make(chan struct{}, n)
	return func(ctx context.Context) (context.Context, func(), error) {
		select {
		case slots <- struct{}{}:
			return ctx, func() { <-slots }, nil
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// policyNamed resolves a policy name and the extra allowed modules.
func policyNamed(name string, allow []string) (validate.Policy, error) {
	p, err := validate.PolicyByName(name)
	if err != nil {
		return p, err
	}
	return p.WithAllowedImports(allow...)
}
