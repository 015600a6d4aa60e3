package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Error codes in the "code" field of error bodies. The bridge routes use
// the Cloudflare bridge's own codes where it has one.
const (
	CodeInvalidRequest    = "invalid_request"
	CodeUnauthorized      = "unauthorized"
	CodeNotFound          = "not_found"
	CodeSandboxNotFound   = "sandbox_not_found"
	CodeFileNotFound      = "workspace_read_not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodePayloadTooLarge   = "payload_too_large"
	CodeCapacityExceeded  = "capacity_exceeded"
	CodeShuttingDown      = "shutting_down"
	CodeNotImplemented    = "not_implemented"
	CodeSandboxError      = "sandbox_error"
	CodeInternal          = "internal_error"
	CodeExecError         = "exec_error"
	CodeClientClosed      = "client_closed"
	CodeRequestTimeout    = "request_timeout"
	CodeDeadlineExceeded  = "deadline_exceeded"
	CodeSessionError      = "session_error"
	CodeArchiveReadError  = "workspace_archive_read_error"
	CodeArchiveWriteError = "workspace_archive_write_error"
	retryAfterQueueFull   = 1 // seconds
	retryAfterUnavailable = 5
)

// apiError is an HTTP error answer: its status, and the body
// {"error": Message, "code": Code}.
type apiError struct {
	Status     int    `json:"-"`
	Message    string `json:"error"`
	Code       string `json:"code"`
	RetryAfter int    `json:"-"` // seconds; 0 means no Retry-After header
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, a ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) *apiError {
	return errorf(http.StatusBadRequest, CodeInvalidRequest, format, a...)
}

// writeError writes e as the response and records its code as the
// request's outcome.
func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if info := infoOf(r); info != nil && info.outcome == "" {
		info.outcome = e.Code
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, e.Status, e)
}

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":"encoding the response failed","code":"internal_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
