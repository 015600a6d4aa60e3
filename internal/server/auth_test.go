package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAuth(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKey: "s3cret"})
	for _, route := range []struct{ method, path string }{
		{"POST", "/v1/run"}, {"POST", "/v1/test"}, {"POST", "/v1/validate"}, {"POST", "/v1/sandbox"},
		{"GET", "/v1/sandbox/aaaa/running"}, {"DELETE", "/v1/sandbox/aaaa"}, {"POST", "/v1/sandbox/aaaa/exec"},
		{"PUT", "/v1/sandbox/aaaa/file/workspace/x"}, {"GET", "/v1/sandbox/aaaa/pty"}, {"GET", "/v1/nothing"},
		{"POST", "/v1/sandbox/aaaa/persist"}, {"POST", "/v1/sandbox/aaaa/hydrate"}, {"POST", "/v1/sandbox/aaaa/session"},
		{"DELETE", "/v1/sandbox/aaaa/session/s1"}, {"GET", "/v1/sandbox/aaaa/file/workspace/../../etc/passwd"},
		{"GET", "/v1/sandbox/aaaa/./running"}, {"GET", "/v1//sandbox"},
	} {
		t.Run(route.method+" "+route.path, func(t *testing.T) {
			for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer "} {
				var h []string
				if auth != "" {
					h = []string{"Authorization", auth}
				}
				r := do(route.method, ts.URL+route.path, `{}`, h...)
				r.wantError(t, 401, CodeUnauthorized)
				assert.NotEmpty(t, r.header.Get("WWW-Authenticate"), "401 without WWW-Authenticate (Authorization %q)", auth)
			}
		})
	}
	t.Run("with the key", func(t *testing.T) {
		r := do("POST", ts.URL+"/v1/validate", `{"code": "1"}`, "Authorization", "Bearer s3cret")
		assert.Equal(t, 200, r.status, "%s", r.body)
		r = do("POST", ts.URL+"/v1/validate", `{"code": "1"}`, "Authorization", "bearer s3cret")
		assert.Equal(t, 200, r.status, "the scheme is case-insensitive")
	})
	for _, path := range []string{"/healthz", "/health", "/metrics"} {
		t.Run(path+" needs no key", func(t *testing.T) {
			assert.Equal(t, 200, do("GET", ts.URL+path, "").status)
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.2:80": true, "[::1]:8080": true, "localhost:0": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:80": false, "10.0.0.1:80": false, "example.com:80": false, "127.0.0.1": false,
	} {
		t.Run(addr, func(t *testing.T) {
			assert.Equal(t, want, IsLoopback(addr))
		})
	}
}
