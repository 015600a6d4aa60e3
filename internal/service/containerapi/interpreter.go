package containerapi

import "net/http"

// interpreterRoutes answers the code-context routes of the SDK's
// InterpreterClient (createCodeContext, runCode, listCodeContexts,
// deleteCodeContext), which wasmbox does not serve yet, with 501 and a
// CODE_EXECUTION_ERROR, so the SDK raises CodeExecutionError without
// retrying. The code contexts feature replaces this file.
func interpreterRoutes(mux *http.ServeMux) {
	for _, p := range []string{"/api/contexts", "/api/contexts/{id}", "/api/execute/code", "/api/interpreter/health"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, newError(http.StatusNotImplemented, codeCodeExecution, map[string]any{"path": r.URL.Path},
				"code contexts (%s) are not implemented yet in wasmbox; run Python with exec(\"python3 FILE\")", r.URL.Path))
		})
	}
}
