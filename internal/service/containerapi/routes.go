package containerapi

import "net/http"

// routes maps each route the SDK's clients call to its handler. The SDK
// sends POST bodies as JSON; GET and DELETE routes carry nothing.
func (c *container) routes() *http.ServeMux {
	mux := http.NewServeMux()
	post := map[string]func(*http.Request) (any, *apiError){
		"/api/execute":        c.handleExecute,
		"/api/write":          c.handleWrite,
		"/api/read":           c.handleRead,
		"/api/mkdir":          c.handleMkdir,
		"/api/list-files":     c.handleListFiles,
		"/api/exists":         c.handleExists,
		"/api/delete":         c.handleDelete,
		"/api/rename":         c.handleRename,
		"/api/move":           c.handleMove,
		"/api/session/create": c.handleSessionCreate,
		"/api/session/delete": c.handleSessionDelete,
		"/api/process/start":  c.handleProcessStart,
	}
	for p, fn := range post {
		mux.HandleFunc("POST "+p, c.jsonRoute(fn))
	}
	get := map[string]func(*http.Request) (any, *apiError){
		"/api/ping":              c.handlePing,
		"/api/health":            c.handlePing,
		"/api/version":           c.handleVersion,
		"/api/commands":          c.handleCommands,
		"/api/session/list":      c.handleSessionList,
		"/api/process/list":      c.handleProcessList,
		"/api/process/{id}":      c.handleProcessGet,
		"/api/process/{id}/logs": c.handleProcessLogs,
	}
	for p, fn := range get {
		mux.HandleFunc("GET "+p, c.jsonRoute(fn))
	}
	mux.HandleFunc("DELETE /api/process/kill-all", c.jsonRoute(c.handleProcessKillAll))
	mux.HandleFunc("DELETE /api/process/{id}", c.jsonRoute(c.handleProcessKill))
	mux.HandleFunc("POST /api/execute/stream", c.handleExecuteStream)
	mux.HandleFunc("POST /api/read/stream", c.handleReadStream)
	mux.HandleFunc("GET /api/process/{id}/stream", c.handleProcessStream)
	unsupportedRoutes(mux)
	interpreterRoutes(mux, c)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newError(http.StatusNotFound, codeUnknown, nil, "no container API route %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// jsonRoute answers fn's value as JSON with 200, or its error.
func (c *container) jsonRoute(fn func(*http.Request) (any, *apiError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, c.cfg.MaxBody)
		v, e := fn(r)
		if e != nil {
			writeError(w, e)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}
