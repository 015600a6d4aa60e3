package containerapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Error codes of the container API, as @cloudflare/sandbox's ErrorCode
// names them: the SDK turns each into its typed error (FILE_NOT_FOUND into
// FileNotFoundError, PROCESS_NOT_FOUND into ProcessNotFoundError, ...).
const (
	codeFileNotFound       = "FILE_NOT_FOUND"
	codeFileExists         = "FILE_EXISTS"
	codeFileTooLarge       = "FILE_TOO_LARGE"
	codeIsDirectory        = "IS_DIRECTORY"
	codeNotDirectory       = "NOT_DIRECTORY"
	codeNoSpace            = "NO_SPACE"
	codeFilesystem         = "FILESYSTEM_ERROR"
	codeInvalidCommand     = "INVALID_COMMAND"
	codeCommandExecution   = "COMMAND_EXECUTION_ERROR"
	codeProcessNotFound    = "PROCESS_NOT_FOUND"
	codeProcessError       = "PROCESS_ERROR"
	codeSessionExists      = "SESSION_ALREADY_EXISTS"
	codePortOperation      = "PORT_OPERATION_ERROR"
	codeGitOperation       = "GIT_OPERATION_FAILED"
	codeBackupCreate       = "BACKUP_CREATE_FAILED"
	codeBackupRestore      = "BACKUP_RESTORE_FAILED"
	codeWatchStart         = "WATCH_START_ERROR"
	codeCodeExecution      = "CODE_EXECUTION_ERROR"
	codeValidation         = "VALIDATION_FAILED"
	codeContainerBusy      = "CONTAINER_UNAVAILABLE"
	codeUnknown            = "UNKNOWN_ERROR"
	codeInternal           = "INTERNAL_ERROR"
	codeResourceLimitation = "RESOURCE_BUSY"
)

// apiError is a failure answered in the SDK's ErrorResponse shape.
type apiError struct {
	status  int
	code    string
	message string
	context map[string]any
	// operation names the file operation (file.read, ...), when there is one.
	operation string
}

func (e *apiError) Error() string { return e.message }

func newError(status int, code string, ctx map[string]any, format string, a ...any) *apiError {
	if ctx == nil {
		ctx = map[string]any{}
	}
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, a...), context: ctx}
}

// errorResponse is the JSON body of an error: the SDK's ErrorResponse.
type errorResponse struct {
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Context    map[string]any `json:"context"`
	HTTPStatus int            `json:"httpStatus"`
	Timestamp  string         `json:"timestamp"`
	Operation  string         `json:"operation,omitempty"`
}

func (e *apiError) response() errorResponse {
	return errorResponse{Code: e.code, Message: e.message, Context: e.context, HTTPStatus: e.status, Timestamp: now(), Operation: e.operation}
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.status, e.response())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(errorResponse{Code: codeInternal, Message: "encoding the answer: " + err.Error(), Context: map[string]any{}, HTTPStatus: status, Timestamp: now()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// now is the timestamp every answer carries, as JavaScript's toISOString
// writes it.
func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }
