package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHealthzWhileDraining: a draining server fails its health check, so
// a load balancer stops sending it work, while the rest of its answers
// say why.
func TestHealthzWhileDraining(t *testing.T) {
	s, ts := newTestServer(t, Config{})
	assert.Equal(t, 200, do("GET", ts.URL+"/healthz", "").status, "before the drain")
	s.Drain()
	r := do("GET", ts.URL+"/healthz", "")
	e := r.wantError(t, 503, CodeShuttingDown)
	assert.Contains(t, e.Message, "shutting down")
	assert.Equal(t, "5", r.header.Get("Retry-After"))
	do("POST", ts.URL+"/v1/run", `{"code": "pass"}`).wantError(t, 503, CodeShuttingDown)
}
