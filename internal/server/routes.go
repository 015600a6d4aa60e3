package server

import (
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/wasmbox/wasmbox/internal/service/containerapi"
)

// methods maps HTTP methods to the handlers of one route.
type methods map[string]http.HandlerFunc

// routes builds the server's handler. Each route is registered by path
// only; the method is checked here, so that a wrong method gets a JSON 405
// like every other error.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.handle(mux, "/healthz", methods{"GET": s.handleHealthz})
	s.handle(mux, "/health", methods{"GET": s.handleBridgeHealth})
	s.handle(mux, "/metrics", methods{"GET": s.metrics.handler().ServeHTTP})
	s.handle(mux, "/v1/run", methods{"POST": s.handleRun})
	s.handle(mux, "/v1/test", methods{"POST": s.handleTest})
	s.handle(mux, "/v1/validate", methods{"POST": s.handleValidate})
	mux.HandleFunc(mcpPath, s.mcp) // MCP over Streamable HTTP: methods and errors are the SDK's

	// The Cloudflare Sandbox bridge API.
	s.handle(mux, "/v1/sandbox", methods{"POST": s.handleCreateSandbox})
	s.handle(mux, "/v1/sandbox/{id}", methods{"DELETE": s.withSandboxID(s.handleDeleteSandbox)})
	s.handle(mux, "/v1/sandbox/{id}/running", methods{"GET": s.withSandboxID(s.handleRunning)})
	s.handle(mux, "/v1/sandbox/{id}/exec", methods{"POST": s.withSandboxID(s.handleExec)})
	fileMethods := methods{"GET": s.withSandboxID(s.handleReadFile), "PUT": s.withSandboxID(s.handleWriteFile)}
	s.handle(mux, "/v1/sandbox/{id}/file/{path...}", fileMethods)
	// Without it, ServeMux would redirect .../file to .../file/.
	s.handle(mux, "/v1/sandbox/{id}/file", fileMethods)
	s.handle(mux, "/v1/sandbox/{id}/persist", methods{"POST": s.withSandboxID(s.handlePersist)})
	s.handle(mux, "/v1/sandbox/{id}/hydrate", methods{"POST": s.withSandboxID(s.handleHydrate)})
	s.handle(mux, "/v1/sandbox/{id}/session", methods{"POST": s.withSandboxID(s.handleCreateExecSession)})
	s.handle(mux, "/v1/sandbox/{id}/session/{sid}", methods{"DELETE": s.withSandboxID(s.handleDeleteExecSession)})
	s.contextRoutes(mux)
	for _, p := range []string{
		"/v1/sandbox/{id}/pty", "/v1/sandbox/{id}/tunnel/{port}", "/v1/sandbox/{id}/mount", "/v1/sandbox/{id}/unmount",
		"/v1/pool/stats", "/v1/pool/shutdown-prewarmed", "/v1/pool/prime", "/v1/openapi.json",
	} {
		s.handle(mux, p, nil)
	}
	// The Cloudflare container's own API (package containerapi), with the
	// same key as /v1/: the SDK sends it through defaultHeaders.
	for _, p := range []string{"/api/", containerapi.NamedPrefix} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			if info := infoOf(r); info != nil {
				info.route = p
			}
			if !s.authorized(r) {
				unauthorized(w, r)
				return
			}
			s.container.ServeHTTP(w, r)
		})
	}
	mux.HandleFunc("/", s.handleNotFound)
	return s.withoutRedirects(mux)
}

// handleNotFound answers a path no route matches: 401 under /v1/ without
// the API key, else 404.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v1/") && !s.authorized(r) {
		unauthorized(w, r)
		return
	}
	writeError(w, r, errorf(http.StatusNotFound, CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
}

// withoutRedirects serves mux without the redirect (a 307 with an HTML
// body) that ServeMux answers to a path with "." or ".." elements or
// repeated slashes. Such a path is taken the way the bridge takes it:
//   - under a file route, the file path keeps its ".." and "//", and is
//     resolved against / like any file path: one inside /workspace is
//     served, one outside gets the bridge's JSON 403;
//   - elsewhere, "." and ".." elements are applied (the bridge sits
//     behind a URL parser that applies them), and a path with "//" is no
//     route: a JSON 404.
func (s *Server) withoutRedirects(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		if clean := cleanURLPath(p); clean != p {
			switch fixed, ok := cleanFileRoute(p); {
			case ok:
				setEscapedPath(r, fixed)
			case strings.Contains(p, "//"):
				s.handleNotFound(w, r)
				return
			default:
				setEscapedPath(r, clean)
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// cleanURLPath is p with "." and ".." elements applied and repeated
// slashes made one, keeping a trailing slash: the form ServeMux accepts
// without a redirect.
func cleanURLPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

// cleanFileRoute rewrites an escaped path /v1/sandbox/ID/file/REST whose
// prefix is clean so that REST is resolved against / on its own, as the
// bridge resolves a file path; ok is false for any other path.
func cleanFileRoute(p string) (fixed string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/v1/sandbox/")
	if !ok {
		return "", false
	}
	id, rest, ok := strings.Cut(rest, "/")
	if !ok || !sandboxIDPattern.MatchString(id) {
		return "", false
	}
	file, ok := strings.CutPrefix(rest, "file/")
	if !ok {
		return "", false
	}
	return "/v1/sandbox/" + id + "/file" + path.Clean("/"+file), true
}

// setEscapedPath makes r's URL path the escaped path p.
func setEscapedPath(r *http.Request, p string) {
	if unescaped, err := url.PathUnescape(p); err == nil {
		r.URL.Path, r.URL.RawPath = unescaped, p
	}
}

// handle registers pattern. Routes under /v1/ need the API key. A nil
// methods marks a bridge route that wasmbox does not implement: 501.
func (s *Server) handle(mux *http.ServeMux, pattern string, ms methods) {
	allow := make([]string, 0, len(ms))
	for m := range ms {
		allow = append(allow, m)
	}
	sort.Strings(allow)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if info := infoOf(r); info != nil {
			info.route = pattern
		}
		if strings.HasPrefix(pattern, "/v1/") && !s.authorized(r) {
			unauthorized(w, r)
			return
		}
		if ms == nil {
			writeError(w, r, errorf(http.StatusNotImplemented, CodeNotImplemented,
				"%s is part of the Cloudflare Sandbox bridge API that wasmbox does not implement: its sandboxes have no PTY, network, tunnels, bucket mounts or container pool", pattern))
			return
		}
		h, ok := ms[r.Method]
		if !ok && r.Method == http.MethodHead {
			h, ok = ms[http.MethodGet]
		}
		if !ok {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, r, errorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s does not accept %s; use %s", pattern, r.Method, strings.Join(allow, " or ")))
			return
		}
		h(w, r)
	})
}

// handleHealthz answers 200 while the server takes work, and 503 once it
// drains (Drain, or Serve's shutdown), so that a load balancer's health
// check (HAProxy's http-check expect status 200, a readiness probe) takes it
// out of rotation while its running executions finish.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.draining:
		writeError(w, r, &apiError{Status: http.StatusServiceUnavailable, Code: CodeShuttingDown, RetryAfter: retryAfterUnavailable,
			Message: "the server is shutting down: it finishes its running executions and takes no new ones"})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// handleBridgeHealth is the bridge's unauthenticated liveness probe.
func (s *Server) handleBridgeHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
