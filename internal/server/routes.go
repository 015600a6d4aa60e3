package server

import (
	"net/http"
	"sort"
	"strings"
)

// methods maps HTTP methods to the handlers of one route.
type methods map[string]http.HandlerFunc

// routes builds the server's mux. Each route is registered by path only;
// the method is checked here, so that a wrong method gets a JSON 405 like
// every other error.
func (s *Server) routes() *http.ServeMux {
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
	file := "/v1/sandbox/{id}/file/{path...}"
	s.handle(mux, file, methods{"GET": s.withSandboxID(s.handleReadFile), "PUT": s.withSandboxID(s.handleWriteFile)})
	for _, p := range []string{
		"/v1/sandbox/{id}/pty", "/v1/sandbox/{id}/tunnel/{port}", "/v1/sandbox/{id}/mount",
		"/v1/sandbox/{id}/unmount", "/v1/sandbox/{id}/persist", "/v1/sandbox/{id}/hydrate",
		"/v1/sandbox/{id}/session", "/v1/sandbox/{id}/session/{sid}",
		"/v1/pool/stats", "/v1/pool/shutdown-prewarmed", "/v1/pool/prime", "/v1/openapi.json",
	} {
		s.handle(mux, p, nil)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") && !s.authorized(r) {
			unauthorized(w, r)
			return
		}
		writeError(w, r, errorf(http.StatusNotFound, CodeNotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	return mux
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
				"%s is part of the Cloudflare Sandbox bridge API that wasmbox does not implement: its sandboxes run python3 only, with no shell, PTY, network, tunnels, bucket mounts, workspace archives, sessions or container pool", pattern))
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

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleBridgeHealth is the bridge's unauthenticated liveness probe.
func (s *Server) handleBridgeHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
