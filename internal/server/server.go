// Package server is wasmbox's HTTP service: the CONTRACT routes (/v1/run,
// /v1/test, /v1/validate, /healthz, /metrics), sandbox sessions that
// follow the Cloudflare Sandbox bridge HTTP API, and the Cloudflare
// container API under /api/ (package containerapi), with a bounded number of
// executions at once, a bounded wait queue, Bearer-token auth, structured
// request logs, Prometheus metrics and graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/internal/service/containerapi"
	"github.com/wasmbox/wasmbox/runtime"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxQueue       = 64
	DefaultQueueTimeout   = 30 * time.Second
	DefaultMaxBody        = 8 << 20
	DefaultExecTimeout    = 60 * time.Second
	DefaultMaxTimeout     = 5 * time.Minute
	DefaultMaxMemory      = 1 << 30
	DefaultSessionTTL     = 10 * time.Minute
	DefaultMaxSessions    = 64
	DefaultSessionFSBytes = 16 << 20
	DefaultShutdownGrace  = 30 * time.Second
	// DefaultReadHeaderTimeout bounds the wait for a request's headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultBodyTimeout bounds the wait for a whole request body.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultMaxTestDuration bounds one whole /v1/test request.
	DefaultMaxTestDuration = 2 * time.Minute
)

// Config configures a Server. Only Engine is required; zero fields take the
// defaults above or the runtime's.
type Config struct {
	// Engine runs every execution; the server shares it.
	Engine *runtime.Engine
	// Packages, when set, are importable in every execution (see
	// runtime.SandboxConfig.Packages); nil: none.
	Packages *runtime.Packages
	// APIKey, when set, is the Bearer token every /v1/ route requires.
	APIKey string
	// MaxConcurrency is how many executions run at once; default the CPU count.
	MaxConcurrency int
	// MaxQueue is how many requests may wait for an execution slot; more
	// are refused with 429. Negative means no queue at all.
	MaxQueue int
	// QueueTimeout is how long a request waits for a slot before it is
	// refused with 503.
	QueueTimeout time.Duration
	// MaxBody caps JSON request bodies in bytes. Bridge file uploads and
	// workspace archives have the bridge's own limit, 32 MiB.
	MaxBody int64
	// Timeout is the wall-clock limit of /v1/run and of each /v1/test case
	// when the request gives none; default runtime.DefaultTimeout.
	Timeout time.Duration
	// ExecTimeout is the limit of a session exec without timeout_ms.
	ExecTimeout time.Duration
	// MaxTimeout is the most time any request may ask for.
	MaxTimeout time.Duration
	// Memory is the linear-memory limit when the request gives none (and of
	// every session exec); default runtime.DefaultMemoryLimit.
	Memory uint64
	// MaxMemory is the most memory any request may ask for.
	MaxMemory uint64
	// MaxOutput caps what is kept of each of stdout and stderr of a run or
	// test; a session exec streams its output whole.
	MaxOutput int64
	// SessionTTL is how long a session may sit idle before it is destroyed.
	SessionTTL time.Duration
	// MaxSessions caps the number of live sessions.
	MaxSessions int
	// SessionFSBytes caps the file data of each session, so all sessions
	// together hold at most MaxSessions × SessionFSBytes.
	SessionFSBytes int64
	// MaxContexts caps the live code contexts of each session; default
	// DefaultMaxContexts. The engine caps them all together
	// (runtime.EngineConfig.MaxContexts).
	MaxContexts int
	// ShutdownGrace is how long Serve lets running executions finish after
	// its context is done before it cancels them.
	ShutdownGrace time.Duration
	// ReadHeaderTimeout bounds how long Serve waits for a request's headers.
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds how long reading a whole request body may take; a
	// body trickled slower is answered with 408.
	BodyTimeout time.Duration
	// MaxTestDuration bounds a whole /v1/test request, every case included
	// (each case also has its own timeout); past it the answer is 504.
	MaxTestDuration time.Duration
	// MaxHostMemory is the host memory budget in bytes: an execution starts
	// only while its memory limit (and its own sandbox's filesystem cap, for
	// /v1/run and /v1/test), added to those of the running executions and to
	// the filesystem caps of the live sessions, fits; otherwise it waits in
	// the queue. A session is refused with 503 unless its filesystem cap
	// fits with room left for one execution at the default Memory. Zero
	// means DefaultHostMemory(); negative means no budget.
	MaxHostMemory int64
	// Logger receives one line per request and the server's own events;
	// default slog.Default().
	Logger *slog.Logger
	// Version is the version /mcp reports in its handshake.
	Version string
}

func (c Config) withDefaults() Config {
	setDefault(&c.MaxConcurrency, goruntime.NumCPU())
	setDefault(&c.MaxQueue, DefaultMaxQueue)
	setDefault(&c.QueueTimeout, DefaultQueueTimeout)
	setDefault(&c.MaxBody, DefaultMaxBody)
	setDefault(&c.Timeout, runtime.DefaultTimeout)
	setDefault(&c.ExecTimeout, DefaultExecTimeout)
	setDefault(&c.MaxTimeout, DefaultMaxTimeout)
	setDefault(&c.Memory, runtime.DefaultMemoryLimit)
	setDefault(&c.MaxMemory, DefaultMaxMemory)
	setDefault(&c.MaxOutput, runtime.DefaultMaxOutput)
	setDefault(&c.SessionTTL, DefaultSessionTTL)
	setDefault(&c.MaxSessions, DefaultMaxSessions)
	setDefault(&c.SessionFSBytes, DefaultSessionFSBytes)
	setDefault(&c.ShutdownGrace, DefaultShutdownGrace)
	setDefault(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&c.BodyTimeout, DefaultBodyTimeout)
	setDefault(&c.MaxTestDuration, DefaultMaxTestDuration)
	setDefault(&c.MaxHostMemory, DefaultHostMemory())
	setDefault(&c.MaxContexts, DefaultMaxContexts)
	if c.MaxQueue < 0 {
		c.MaxQueue = 0
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Server serves wasmbox over HTTP. Make one with New, mount Handler or call
// Serve, and Close it when done.
type Server struct {
	cfg      Config
	engine   *runtime.Engine
	log      *slog.Logger
	metrics  *metrics
	limiter  *limiter
	sessions *sessionStore
	// container answers the Cloudflare container API under /api/.
	container *containerapi.Handler
	handler   http.Handler
	mcp       http.HandlerFunc
	// closeMCP ends /mcp's code contexts.
	closeMCP func()

	// hardStop is canceled when running executions must end now (the
	// shutdown grace period is over, or Close was called).
	hardStop context.Context
	abort    context.CancelFunc
	// draining is closed when shutdown starts: waiting and new executions
	// are refused with 503.
	draining  chan struct{}
	drainOnce sync.Once
	closeOnce sync.Once
	reaperWG  sync.WaitGroup
}

// New checks cfg and returns a server. It starts the goroutine that expires
// idle sessions; Close stops it.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("wasmbox serve: no engine")
	}
	cfg = cfg.withDefaults()
	switch {
	case cfg.MaxConcurrency < 0:
		return nil, errors.New("wasmbox serve: max concurrency must be positive")
	case cfg.Memory > cfg.MaxMemory:
		return nil, errors.New("wasmbox serve: the default memory limit is above the maximum")
	case cfg.Timeout > cfg.MaxTimeout || cfg.ExecTimeout > cfg.MaxTimeout:
		return nil, errors.New("wasmbox serve: a default timeout is above the maximum")
	case cfg.Memory < cfg.Engine.MinMemory():
		return nil, errors.New("wasmbox serve: the default memory limit is below what the interpreter needs to start")
	case cfg.MaxHostMemory > 0 && int64(cfg.Memory)+cfg.SessionFSBytes > cfg.MaxHostMemory:
		return nil, fmt.Errorf("wasmbox serve: the host memory budget (%d MiB) is below one session with one execution (%d MiB of memory and %d MiB of files)",
			cfg.MaxHostMemory>>20, cfg.Memory>>20, cfg.SessionFSBytes>>20)
	}
	s := &Server{cfg: cfg, engine: cfg.Engine, log: cfg.Logger, draining: make(chan struct{})}
	s.hardStop, s.abort = context.WithCancel(context.Background())
	s.metrics = newMetrics(cfg.Engine)
	s.limiter = newLimiter(cfg.MaxConcurrency, cfg.MaxQueue, cfg.QueueTimeout, s.draining, s.metrics.queueDepth.Set)
	s.limiter.setBudget(max(cfg.MaxHostMemory, 0))
	s.sessions = newSessionStore(cfg, s.metrics, s.limiter)
	container, err := containerapi.New(containerapi.Config{
		Engine: cfg.Engine, Packages: cfg.Packages, Timeout: cfg.ExecTimeout, MaxTimeout: cfg.MaxTimeout, Memory: cfg.Memory,
		MaxOutput: cfg.MaxOutput, FSBytes: cfg.SessionFSBytes, MaxBody: cfg.MaxBody,
		Admit: func(ctx context.Context) (func(), error) {
			release, e := s.limiter.acquireBytes(ctx, int64(cfg.Memory))
			if e != nil {
				return nil, e
			}
			return release, nil
		},
		Reserve: s.reserveContext,
	})
	if err != nil {
		return nil, err
	}
	s.container = container
	if s.mcp, err = s.newMCPHandler(); err != nil {
		return nil, err
	}
	// Processes end with the executions when the grace period is over.
	context.AfterFunc(s.hardStop, container.Close)
	s.handler = s.logRequests(s.bodyDeadline(s.routes()))
	s.reaperWG.Add(1)
	go func() {
		defer s.reaperWG.Done()
		s.sessions.reapLoop(s.hardStop)
	}()
	return s, nil
}

// reserveContext takes n bytes of the host memory budget for a code
// context, which keeps its interpreter between runs: its memory stays
// reserved, leaving room for one execution, as a session's files do.
func (s *Server) reserveContext(n int64) (func(), error) {
	if !s.limiter.reserve(n, int64(s.cfg.Memory)) {
		return nil, errNoHostMemory
	}
	return func() { s.limiter.unreserve(n) }, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves HTTP on ln until ctx is done, then shuts down gracefully: it
// stops accepting connections, refuses queued and new executions with 503,
// lets running executions finish for up to Config.ShutdownGrace, then
// cancels the rest, and finally closes the server. It returns nil after a
// shutdown, or the error that stopped the listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.cfg.ShutdownGrace.String(), "running", s.limiter.running())
	s.Drain()
	graceCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(graceCtx); err != nil {
		s.log.Warn("grace period over: canceling running executions", "running", s.limiter.running())
		s.abort()
		// The canceled handlers still end their responses.
		endCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if hs.Shutdown(endCtx) != nil {
			hs.Close()
		}
	}
	<-errc
	s.Close()
	s.log.Info("stopped")
	return nil
}

// Drain starts a shutdown: requests waiting for an execution slot, and new
// ones, are refused with 503 while running executions go on.
func (s *Server) Drain() {
	s.drainOnce.Do(func() { close(s.draining) })
}

// Close cancels running executions, destroys every session and stops the
// session reaper. The handler must not be used after.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.Drain()
		s.abort()
		s.reaperWG.Wait()
		s.sessions.closeAll()
		s.container.Close()
		s.closeMCP()
	})
}

// execContext returns a context for an execution on behalf of a request:
// canceled when the client goes away (parent) or when the server stops
// running executions.
func (s *Server) execContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	stop := context.AfterFunc(s.hardStop, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// MaxConcurrency returns how many executions run at once.
func (s *Server) MaxConcurrency() int { return s.cfg.MaxConcurrency }
