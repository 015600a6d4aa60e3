package containerapi

import (
	"net/http"
	"regexp"
	"strings"
)

// Limits on what a request may hand the container to keep: the host holds
// commands, environments and names in its own memory, for every session
// and process, so each is bounded.
const (
	// maxCommand is the longest command line.
	maxCommand = 1 << 20
	// maxEnv bounds the names and values of a command's or a session's
	// environment together, as Linux bounds one argument or variable.
	maxEnv = 128 << 10
	// maxID is the longest session or process id.
	maxID = 128
)

func checkCommand(line string) *apiError {
	switch {
	case strings.TrimSpace(line) == "":
		return newError(http.StatusBadRequest, codeInvalidCommand, map[string]any{"command": line}, "Invalid command: empty command provided")
	case len(line) > maxCommand:
		return newError(http.StatusBadRequest, codeInvalidCommand, map[string]any{}, "Invalid command: %d bytes is over the %d-byte limit; write a script with writeFile and run it", len(line), maxCommand)
	}
	return nil
}

// envName is what the container accepts as an environment variable name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func checkEnv(env map[string]string) *apiError {
	size := 0
	for k, v := range env {
		if !envName.MatchString(k) {
			return newError(http.StatusBadRequest, codeValidation, map[string]any{"field": "env"}, "Invalid environment variable name: %s", k)
		}
		size += len(k) + len(v) + 2
	}
	if size > maxEnv {
		return newError(http.StatusBadRequest, codeValidation, map[string]any{"field": "env"}, "the environment is %d bytes, over the %d-byte limit", size, maxEnv)
	}
	return nil
}

func checkID(field, id string) *apiError {
	if len(id) > maxID || strings.ContainsAny(id, "/\x00") {
		return newError(http.StatusBadRequest, codeValidation, map[string]any{"field": field},
			"%s must be at most %d bytes, without / or NUL", field, maxID)
	}
	return nil
}
