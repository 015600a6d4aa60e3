// Package containerapi answers the HTTP API that a Cloudflare sandbox
// container serves to the @cloudflare/sandbox SDK (its SandboxClient with the
// HTTP transport and a baseUrl): commands, files, sessions, background
// processes and utilities under /api/, with the SDK's request and response
// JSON, error codes and event streams. One container is one runtime.Sandbox:
// its files last until the server stops, and its sessions each keep a
// working directory and an environment.
package containerapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// Defaults for Config fields left zero.
const (
	DefaultTimeout       = 60 * time.Second
	DefaultMaxTimeout    = 5 * time.Minute
	DefaultMaxSessions   = 64
	DefaultMaxProcesses  = 8
	DefaultMaxContexts   = 8
	DefaultMaxBody       = 32 << 20
	DefaultMaxContainers = 16
	DefaultContainerTTL  = 10 * time.Minute
	// keptProcesses is how many finished processes a container remembers
	// for list, logs and wait; older ones are forgotten first.
	keptProcesses = 32
)

// Config configures a Handler. Engine is required.
type Config struct {
	// Engine runs every command.
	Engine *runtime.Engine
	// Packages, when set, are importable in every execution (see
	// runtime.SandboxConfig.Packages); nil: none.
	Packages *runtime.Packages
	// Timeout limits a command when neither the request nor its session
	// gives one; MaxTimeout is the most any request may ask for.
	Timeout, MaxTimeout time.Duration
	// Memory caps each interpreter's linear memory; default the runtime's.
	Memory uint64
	// MaxOutput caps what is kept of each of stdout and stderr of a command.
	MaxOutput int64
	// FSBytes caps the file data of the container; default the runtime's.
	FSBytes int64
	// MaxSessions caps the sessions of the container.
	MaxSessions int
	// MaxProcesses caps the background processes running at once in one
	// session.
	MaxProcesses int
	// MaxContexts caps the code contexts of the container, live or lost;
	// the engine caps the live ones of all containers together
	// (runtime.EngineConfig.MaxContexts). Each context holds an
	// interpreter's memory, up to Memory.
	MaxContexts int
	// MaxBody caps request bodies in bytes.
	MaxBody int64
	// MaxContainers caps the named containers; ContainerTTL is how long one
	// may sit idle (no request, no running process) before it is removed,
	// and how long a code context may go without a run before it ends.
	MaxContainers int
	ContainerTTL  time.Duration
	// Admit, when set, is called before each command starts running and
	// waits for an execution slot; release ends the slot. Its error refuses
	// the command with 503, which the SDK retries.
	Admit func(ctx context.Context) (release func(), err error)
	// Reserve, when set, takes bytes of the host's memory budget for a code
	// context, whose interpreter stays alive between runs; release gives
	// them back when the context is deleted, closed or found lost. Its
	// error refuses the context with 503, which the SDK retries.
	Reserve func(bytes int64) (release func(), err error)
	// Version is what /api/version reports.
	Version string
}

func (c Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Timeout, DefaultTimeout)
	def(&c.MaxTimeout, DefaultMaxTimeout)
	if c.MaxSessions == 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.MaxProcesses == 0 {
		c.MaxProcesses = DefaultMaxProcesses
	}
	if c.MaxContexts == 0 {
		c.MaxContexts = DefaultMaxContexts
	}
	def(&c.ContainerTTL, DefaultContainerTTL)
	if c.MaxContainers == 0 {
		c.MaxContainers = DefaultMaxContainers
	}
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Admit == nil {
		c.Admit = func(context.Context) (func(), error) { return func() {}, nil }
	}
	if c.Reserve == nil {
		c.Reserve = func(int64) (func(), error) { return func() {}, nil }
	}
	if c.Version == "" {
		c.Version = "wasmbox"
	}
	return c
}

// Handler serves the container API: one default container at /api/, and
// named containers at /v1/containers/{name}/api/, each made on first use.
// Make one with New and Close it when done.
type Handler struct {
	cfg Config
	def *container
	// stop ends every running command and process when Close is called.
	stop      context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	reaperWG  sync.WaitGroup

	mu    sync.Mutex
	named map[string]*namedContainer
}

// New makes the default container (its sandbox, with /workspace) and the
// handler, and starts the goroutine that removes idle named containers.
func New(cfg Config) (*Handler, error) {
	if cfg.Engine == nil {
		return nil, errors.New("containerapi: no engine")
	}
	cfg = cfg.withDefaults()
	if cfg.Timeout > cfg.MaxTimeout {
		return nil, errors.New("containerapi: the default command timeout is above the maximum")
	}
	h := &Handler{cfg: cfg, named: map[string]*namedContainer{}}
	h.stop, h.cancel = context.WithCancel(context.Background())
	c, err := newContainer(h.stop, cfg)
	if err != nil {
		h.cancel()
		return nil, err
	}
	h.def = c
	h.reaperWG.Add(1)
	go func() {
		defer h.reaperWG.Done()
		h.reapLoop()
	}()
	return h, nil
}

// ServeHTTP answers one request under /api/ or /v1/containers/.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, NamedPrefix); ok {
		h.serveNamed(w, r, rest)
		return
	}
	h.def.mux.ServeHTTP(w, r)
}

// Close stops every running command and process and frees every
// container's files.
func (h *Handler) Close() {
	h.closeOnce.Do(func() {
		h.cancel()
		h.reaperWG.Wait()
		h.mu.Lock()
		named := h.named
		h.named = map[string]*namedContainer{}
		h.mu.Unlock()
		for _, n := range named {
			n.c.close()
		}
		h.def.close()
	})
}

// decode reads a JSON request body into v. An empty body is an empty
// object, as the SDK sends no body for some calls.
func decode(r *http.Request, v any) *apiError {
	data, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return newError(http.StatusRequestEntityTooLarge, codeFileTooLarge, nil, "the request body is over the %d-byte limit", tooBig.Limit)
	case err != nil:
		return newError(http.StatusBadRequest, codeValidation, nil, "reading the request body: %v", err)
	case len(strings.TrimSpace(string(data))) == 0:
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return newError(http.StatusBadRequest, codeValidation, nil, "the request body is not valid JSON for this route: %v", err)
	}
	return nil
}

// required reports a missing string field.
func required(field, value string) *apiError {
	if value == "" {
		return newError(http.StatusBadRequest, codeValidation, map[string]any{"field": field}, "%s is required", field)
	}
	return nil
}
