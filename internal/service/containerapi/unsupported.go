package containerapi

import "net/http"

// unsupported are the container routes wasmbox does not serve, with the
// SDK error code each answers (so the SDK raises its typed error) and why.
var unsupported = []struct{ pattern, code, why string }{
	{"/api/port-watch", codePortOperation, "ports and preview URLs need a network, and wasmbox sandboxes have none"},
	{"/api/git/", codeGitOperation, "git needs a network, and wasmbox sandboxes have none"},
	{"/api/backup/", codeBackupCreate, "backups need R2 and squashfs; copy files out with readFile instead"},
	{"/api/backup/restore", codeBackupRestore, "backups need R2 and squashfs; copy files in with writeFile instead"},
	{"/api/watch", codeWatchStart, "file watching is not implemented"},
	{"/api/watch/", codeWatchStart, "file watching is not implemented"},
	{"/api/pty", codeCommandExecution, "terminals (PTY) are not implemented; run commands with exec"},
}

// unsupportedRoutes answers each unsupported route, with any method, with
// 501 and a JSON error of the SDK's shape. Bucket mounts have no route of
// their own: the SDK runs s3fs through exec, which finds no such command.
func unsupportedRoutes(mux *http.ServeMux) {
	for _, u := range unsupported {
		mux.HandleFunc(u.pattern, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, newError(http.StatusNotImplemented, u.code, map[string]any{"path": r.URL.Path},
				"%s is not supported by wasmbox: %s", r.URL.Path, u.why))
		})
	}
}
