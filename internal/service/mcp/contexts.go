package mcp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// Code contexts of run_python (CONTRACT.md, "MCP"). A call that names a
// context runs its code as the next cell of a live interpreter kept under
// that name, so globals, imports and files last from one call to the next.
// The first call naming a context starts it (its result says "created");
// a context ends when a run times out, is stopped at the memory limit or
// crashes the interpreter (the call that ended it says so), when it sits
// idle past Config.ContextTTL, or when the service closes. A later call
// naming an ended context starts a new, empty one. Each context has a
// sandbox of its own (its files), destroyed with it. A context runs under
// the policy of the call that started it (the in-guest guard, armed for
// good, and the static check of each cell); a call naming it with another
// policy is refused with an error that names both.
//
// Names belong to the service: over stdio to its one client, over HTTP to
// every client that holds the API key (the Streamable HTTP handler keeps no
// MCP session to scope them by).

// DefaultMaxContexts caps the contexts of a service when
// Config.MaxContexts is zero.
const DefaultMaxContexts = 8

// DefaultContextTTL is how long a context may sit idle when
// Config.ContextTTL is zero.
const DefaultContextTTL = 10 * time.Minute

// contextNamePattern is what a context name may be: short, and plain
// enough to read back in a message.
const contextNamePattern = `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`

var contextName = regexp.MustCompile(contextNamePattern)

// ContextInfo tells what a run_python call did to its context.
type ContextInfo struct {
	// Name is the context's name, as the call gave it.
	Name string `json:"name" jsonschema:"the context's name"`
	// Created is true when this call started the context: nothing from
	// earlier calls (variables, imports, files) is in it.
	Created bool `json:"created" jsonschema:"true when this call started the context: nothing from earlier calls is in it"`
	// Lost, when set, says why this call ended the context; the next call
	// naming it starts a new one.
	Lost string `json:"lost,omitempty" jsonschema:"set when this call ended the context (a timeout, the memory limit): why; the next call naming it starts a new one"`
}

// ContextRun is run_python's structured result when the call names a
// context: the cell's Execution, and what became of the context.
type ContextRun struct {
	runtime.Execution
	Context ContextInfo `json:"context"`
}

// contextStore holds the service's contexts by name.
type contextStore struct {
	engine  *runtime.Engine
	sandbox runtime.SandboxConfig // each context's own sandbox
	max     int
	ttl     time.Duration
	reserve func(bytes int64) (release func(), err error)

	mu     sync.Mutex
	byName map[string]*namedContext
	closed bool
}

// namedContext is one entry of the store. users counts the calls holding
// it (guarded by the store's mu); mu serializes those calls, and guards the
// fields below it.
type namedContext struct {
	name  string
	users int
	idle  *time.Timer // armed while users is 0

	mu      sync.Mutex
	rc      *runtime.Context // nil until started, and once ended
	sb      *runtime.Sandbox
	release func() // gives back the context's share of the host memory budget

	// live is rc, for close to stop a run under way without nc.mu.
	live atomic.Pointer[runtime.Context]
}

// errServiceClosed refuses calls that name a context once the service is
// closed.
var errServiceClosed = errors.New("the server is shutting down: its code contexts are closed")

func newContextStore(cfg Config) *contextStore {
	return &contextStore{
		engine:  cfg.Engine,
		sandbox: runtime.SandboxConfig{Timeout: cfg.Timeout, MemoryLimit: cfg.Memory, MaxOutput: cfg.MaxOutput, MaxFSBytes: cfg.ContextFSBytes, Packages: cfg.Packages},
		max:     cfg.MaxContexts,
		ttl:     cfg.ContextTTL,
		reserve: cfg.Reserve,
		byName:  map[string]*namedContext{},
	}
}

// checkContextName says what is wrong with a context name, if anything.
func checkContextName(name string) error {
	if !contextName.MatchString(name) {
		return fmt.Errorf("context %q is not a valid context name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit", name)
	}
	return nil
}

// acquire returns the entry of name, made if missing, and holds it for the
// caller, who must call done. It refuses a new name when the store holds
// its cap.
func (st *contextStore) acquire(name string) (*namedContext, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return nil, errServiceClosed
	}
	nc := st.byName[name]
	if nc == nil {
		if len(st.byName) >= st.max {
			return nil, fmt.Errorf("no room for context %q: this server keeps at most %d code contexts, and holds %s; "+
				"name one of those, or wait until one has been idle for %v and ends", name, st.max, st.namesLocked(), st.ttl)
		}
		nc = &namedContext{name: name}
		st.byName[name] = nc
	}
	nc.users++
	if nc.idle != nil {
		nc.idle.Stop()
	}
	return nc, nil
}

// namesLocked lists the contexts' names, quoted and sorted. The caller
// holds st.mu.
func (st *contextStore) namesLocked() string {
	names := make([]string, 0, len(st.byName))
	for name := range st.byName {
		names = append(names, fmt.Sprintf("%q", name))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// done ends a call's hold on nc. An entry left without a context is
// dropped; one with a context starts its idle time.
func (st *contextStore) done(nc *namedContext) {
	nc.mu.Lock()
	live := nc.rc != nil
	nc.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	nc.users--
	if nc.users > 0 || st.byName[nc.name] != nc {
		return
	}
	if !live {
		delete(st.byName, nc.name)
		return
	}
	nc.idle = time.AfterFunc(st.ttl, func() { st.expire(nc) })
}

// expire ends nc when it has sat idle past the TTL.
func (st *contextStore) expire(nc *namedContext) {
	st.mu.Lock()
	if nc.users > 0 || st.byName[nc.name] != nc {
		st.mu.Unlock()
		return
	}
	delete(st.byName, nc.name)
	st.mu.Unlock()
	nc.mu.Lock()
	defer nc.mu.Unlock()
	nc.end()
}

// checkPolicy refuses a call under policy when nc has a live context
// started under another: a context's guard is armed for good. The caller
// holds nc.mu.
func (nc *namedContext) checkPolicy(policy validate.Policy) error {
	if nc.rc == nil || nc.rc.Err() != nil {
		return nil // the call starts a new context, under its policy
	}
	var mismatch *runtime.PolicyMismatchError
	if err := nc.rc.CheckPolicy(policy); errors.As(err, &mismatch) {
		return fmt.Errorf("context %q runs under the %s policy, fixed when it started; this call asks for the %s policy: "+
			"call it with %s, or name another context for %s", nc.name, mismatch.Context, mismatch.Run, mismatch.Context, mismatch.Run)
	}
	return nil
}

// start gives nc a new context under policy, unless it has a live one; it
// reports whether it made one. The context runs its cells under policy's
// guard; runInContext checks each cell statically first. The caller holds
// nc.mu and an execution slot (ctx), and names the context in the error.
func (st *contextStore) start(ctx context.Context, nc *namedContext, policy validate.Policy) (bool, error) {
	if nc.rc != nil && nc.rc.Err() == nil {
		return false, nil
	}
	nc.end() // a context lost between calls (canceled, or ended under a run)
	sb, err := st.engine.NewSandbox(st.sandbox)
	if err != nil {
		return false, err
	}
	release, err := st.reserve(int64(st.sandbox.MemoryLimit) + st.sandbox.MaxFSBytes)
	if err != nil {
		sb.Destroy()
		return false, fmt.Errorf("no room for its memory and files: %w", err)
	}
	rc, err := sb.NewContext(ctx, runtime.ContextOptions{Policy: &policy, SkipStaticCheck: true})
	if err != nil {
		release()
		sb.Destroy()
		if errors.Is(err, runtime.ErrTooManyContexts) {
			return false, fmt.Errorf("no room: %w; retry later", err)
		}
		return false, fmt.Errorf("starting it: %w", err)
	}
	nc.rc, nc.sb, nc.release = rc, sb, release
	nc.live.Store(rc)
	return true, nil
}

// end closes nc's context, if it has one, and frees what it held. The
// caller holds nc.mu.
func (nc *namedContext) end() {
	if nc.rc == nil {
		return
	}
	nc.rc.Close()
	nc.sb.Destroy()
	nc.release()
	nc.rc, nc.sb, nc.release = nil, nil, nil
	nc.live.Store(nil)
}

// close ends every context; calls naming one are refused from now on. A
// run under way is stopped.
func (st *contextStore) close() {
	st.mu.Lock()
	st.closed = true
	all := st.byName
	st.byName = map[string]*namedContext{}
	for _, nc := range all {
		if nc.idle != nil {
			nc.idle.Stop()
		}
	}
	st.mu.Unlock()
	for _, nc := range all {
		if rc := nc.live.Load(); rc != nil {
			rc.Close() // stops a run under way; its call then ends nc
		}
		nc.mu.Lock()
		nc.end()
		nc.mu.Unlock()
	}
}
