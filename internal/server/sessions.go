package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// session is one bridge sandbox: a runtime.Sandbox whose files persist
// across execs until it is deleted or sits idle past the TTL.
type session struct {
	id string
	sb *runtime.Sandbox
	// ctx is canceled when the session is removed, which ends its execs.
	ctx    context.Context
	cancel context.CancelFunc

	contexts contextSet // its code contexts: see contexts.go

	// execMu guards execs, the sandbox's execution sessions by ID.
	execMu sync.Mutex
	execs  map[string]*execSession

	// Guarded by sessionStore.mu.
	lastUsed time.Time
	busy     int // requests using the session now; it does not expire while > 0
}

// sessionStore holds the live sessions.
type sessionStore struct {
	cfg     Config
	metrics *metrics
	budget  *limiter // each live session holds its filesystem cap of the host memory budget

	mu       sync.Mutex
	sessions map[string]*session
}

var (
	errTooManySessions = errors.New("too many sessions")
	errNoHostMemory    = errors.New("the host memory budget is full")
)

// base32ID encodes sandbox IDs as the bridge does: lowercase RFC 4648
// base32 without padding, so IDs match ^[a-z2-7]+$.
var base32ID = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newSessionStore(cfg Config, m *metrics, budget *limiter) *sessionStore {
	return &sessionStore{cfg: cfg, metrics: m, budget: budget, sessions: map[string]*session{}}
}

// create makes a session with an empty /workspace, or fails with
// errTooManySessions at the cap.
func (st *sessionStore) create() (*session, error) {
	st.mu.Lock()
	full := len(st.sessions) >= st.cfg.MaxSessions
	st.mu.Unlock()
	if full {
		return nil, errTooManySessions
	}
	if !st.budget.reserve(st.cfg.SessionFSBytes, int64(st.cfg.Memory)) {
		return nil, errNoHostMemory
	}
	sb, err := st.cfg.Engine.NewSandbox(runtime.SandboxConfig{
		Timeout:     st.cfg.ExecTimeout,
		MemoryLimit: st.cfg.Memory,
		MaxOutput:   st.cfg.MaxOutput,
		MaxFSBytes:  st.cfg.SessionFSBytes,
		Packages:    st.cfg.Packages,
	})
	if err == nil {
		err = prepareWorkspace(sb)
	}
	if err != nil {
		st.budget.unreserve(st.cfg.SessionFSBytes)
		return nil, err
	}
	var raw [16]byte
	rand.Read(raw[:])
	ss := &session{id: base32ID.EncodeToString(raw[:]), sb: sb, lastUsed: time.Now()}
	ss.ctx, ss.cancel = context.WithCancel(context.Background())

	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.sessions) >= st.cfg.MaxSessions {
		sb.Destroy()
		st.budget.unreserve(st.cfg.SessionFSBytes)
		return nil, errTooManySessions
	}
	st.sessions[ss.id] = ss
	st.metrics.sessionsCreated.Inc()
	st.metrics.sessionsLive.Set(float64(len(st.sessions)))
	return ss, nil
}

// acquire returns the session id names and marks it in use; release must
// follow. ok is false when there is no such session.
func (st *sessionStore) acquire(id string) (ss *session, ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ss, ok = st.sessions[id]
	if ok {
		ss.busy++
		ss.lastUsed = time.Now()
	}
	return ss, ok
}

// release marks the end of a use of ss; its idle time starts now.
func (st *sessionStore) release(ss *session) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ss.busy--
	ss.lastUsed = time.Now()
}

// exists reports whether a session id is alive.
func (st *sessionStore) exists(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.sessions[id]
	return ok
}

// remove destroys the session id, ending its running execs; it reports
// whether there was one.
func (st *sessionStore) remove(id, reason string) bool {
	st.mu.Lock()
	ss, ok := st.sessions[id]
	if ok {
		delete(st.sessions, id)
		st.metrics.sessionsLive.Set(float64(len(st.sessions)))
	}
	st.mu.Unlock()
	if ok {
		st.destroy(ss, reason)
	}
	return ok
}

func (st *sessionStore) destroy(ss *session, reason string) {
	ss.cancel()
	ss.contexts.closeAll()
	ss.sb.Destroy()
	st.budget.unreserve(st.cfg.SessionFSBytes)
	st.metrics.sessionsRemoved.WithLabelValues(reason).Inc()
}

// reap removes the sessions idle for longer than the TTL at now.
func (st *sessionStore) reap(now time.Time) []string {
	var expired []*session
	st.mu.Lock()
	for id, ss := range st.sessions {
		if ss.busy == 0 && now.Sub(ss.lastUsed) > st.cfg.SessionTTL {
			expired = append(expired, ss)
			delete(st.sessions, id)
		}
	}
	st.metrics.sessionsLive.Set(float64(len(st.sessions)))
	st.mu.Unlock()
	ids := make([]string, len(expired))
	for i, ss := range expired {
		st.destroy(ss, "expired")
		ids[i] = ss.id
	}
	return ids
}

// reapLoop expires idle sessions until ctx is done.
func (st *sessionStore) reapLoop(ctx context.Context) {
	every := min(max(st.cfg.SessionTTL/4, 50*time.Millisecond), 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if ids := st.reap(now); len(ids) > 0 {
				st.cfg.Logger.Info("sessions expired", "sandbox_ids", strings.Join(ids, ","), "ttl", st.cfg.SessionTTL.String())
			}
		}
	}
}

// closeAll destroys every session.
func (st *sessionStore) closeAll() {
	st.mu.Lock()
	all := st.sessions
	st.sessions = map[string]*session{}
	st.metrics.sessionsLive.Set(0)
	st.mu.Unlock()
	for _, ss := range all {
		st.destroy(ss, "shutdown")
	}
}
