package server

import (
	"testing"
)

func TestAuth(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKey: "s3cret"})
	for _, route := range []struct{ method, path string }{
		{"POST", "/v1/run"}, {"POST", "/v1/test"}, {"POST", "/v1/validate"}, {"POST", "/v1/sandbox"},
		{"GET", "/v1/sandbox/aaaa/running"}, {"DELETE", "/v1/sandbox/aaaa"}, {"POST", "/v1/sandbox/aaaa/exec"},
		{"PUT", "/v1/sandbox/aaaa/file/workspace/x"}, {"GET", "/v1/sandbox/aaaa/pty"}, {"GET", "/v1/nothing"},
	} {
		for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer "} {
			var h []string
			if auth != "" {
				h = []string{"Authorization", auth}
			}
			r := do(t, route.method, ts.URL+route.path, `{}`, h...)
			r.wantError(t, 401, CodeUnauthorized)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: 401 without WWW-Authenticate", route.method, route.path)
			}
		}
	}
	r := do(t, "POST", ts.URL+"/v1/validate", `{"code": "1"}`, "Authorization", "Bearer s3cret")
	if r.status != 200 {
		t.Fatalf("with the key: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", ts.URL+"/v1/validate", `{"code": "1"}`, "Authorization", "bearer s3cret"); r.status != 200 {
		t.Errorf("the scheme is case-insensitive: %d", r.status)
	}
	for _, path := range []string{"/healthz", "/health", "/metrics"} {
		if r := do(t, "GET", ts.URL+path, ""); r.status != 200 {
			t.Errorf("%s needs no key: %d", path, r.status)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.2:80": true, "[::1]:8080": true, "localhost:0": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:80": false, "10.0.0.1:80": false, "example.com:80": false, "127.0.0.1": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}
