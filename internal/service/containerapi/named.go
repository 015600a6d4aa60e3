package containerapi

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// NamedPrefix is where named containers are served: the SDK's baseUrl for
// the container NAME is NamedPrefix+NAME.
const NamedPrefix = "/v1/containers/"

// containerName is the format of a container's name.
var containerName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// namedContainer is a container and its use.
type namedContainer struct {
	c *container
	// Guarded by Handler.mu.
	inFlight int
	lastUsed time.Time
}

// serveNamed answers a request for the container named by the first
// segment of rest: its /api/ routes, and DELETE on the container itself,
// which removes it (204, also when there is none).
func (h *Handler) serveNamed(w http.ResponseWriter, r *http.Request, rest string) {
	name, sub, _ := strings.Cut(rest, "/")
	sub = "/" + sub
	switch {
	case !containerName.MatchString(name):
		writeError(w, newError(http.StatusBadRequest, codeValidation, map[string]any{"name": name},
			"invalid container name %q: use 1 to 64 letters, digits, - or _", name))
		return
	case sub == "/" && r.Method == http.MethodDelete:
		h.remove(name)
		w.WriteHeader(http.StatusNoContent)
		return
	case !strings.HasPrefix(sub, "/api/"):
		writeError(w, newError(http.StatusNotFound, codeUnknown, nil, "no route %s %s: a container's API is under %s%s/api/", r.Method, r.URL.Path, NamedPrefix, name))
		return
	}
	n, e := h.acquire(name)
	if e != nil {
		writeError(w, e)
		return
	}
	defer h.release(n)
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = sub, ""
	r2.URL = &u
	n.c.mux.ServeHTTP(w, r2)
}

// acquire returns the container name, made if there is none yet, and marks
// it in use; release must follow.
func (h *Handler) acquire(name string) (*namedContainer, *apiError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, ok := h.named[name]
	if !ok {
		if h.stop.Err() != nil {
			return nil, newError(http.StatusServiceUnavailable, codeContainerBusy, nil, "the server is shutting down")
		}
		if len(h.named) >= h.cfg.MaxContainers {
			return nil, newError(http.StatusTooManyRequests, codeContainerBusy, map[string]any{"name": name},
				"container limit reached: %d named containers are alive; delete one (DELETE %sNAME) or wait for one to expire", h.cfg.MaxContainers, NamedPrefix)
		}
		c, err := newContainer(h.stop, h.cfg)
		if err != nil {
			return nil, newError(http.StatusInternalServerError, codeInternal, nil, "creating container %s: %v", name, err)
		}
		n = &namedContainer{c: c}
		h.named[name] = n
	}
	n.inFlight++
	n.lastUsed = time.Now()
	return n, nil
}

func (h *Handler) release(n *namedContainer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n.inFlight--
	n.lastUsed = time.Now()
}

// remove destroys the container name, killing its processes.
func (h *Handler) remove(name string) {
	h.mu.Lock()
	n, ok := h.named[name]
	delete(h.named, name)
	h.mu.Unlock()
	if ok {
		n.c.close()
	}
}

// reapLoop removes the named containers idle for longer than the TTL until
// the handler closes.
func (h *Handler) reapLoop() {
	t := time.NewTicker(min(max(h.cfg.ContainerTTL/4, 50*time.Millisecond), 30*time.Second))
	defer t.Stop()
	for {
		select {
		case <-h.stop.Done():
			return
		case now := <-t.C:
			h.reap(now)
		}
	}
}

func (h *Handler) reap(now time.Time) {
	var idle []*namedContainer
	h.mu.Lock()
	for name, n := range h.named {
		if n.inFlight == 0 && now.Sub(n.lastUsed) > h.cfg.ContainerTTL && !n.c.running() {
			idle = append(idle, n)
			delete(h.named, name)
		}
	}
	h.mu.Unlock()
	for _, n := range idle {
		n.c.close()
	}
}
