package server

import (
	"context"
	"net/http"

	"github.com/wasmbox/wasmbox/internal/service/mcp"
)

// mcpPath is where the server answers the Model Context Protocol.
const mcpPath = "/mcp"

// newMCPHandler returns the handler of /mcp: MCP over Streamable HTTP, with
// the same API key as /v1/ and the same limits and execution slots as
// /v1/run and /v1/test.
func (s *Server) newMCPHandler() (http.HandlerFunc, error) {
	svc, err := mcp.New(mcp.Config{
		Engine: s.engine, Packages: s.cfg.Packages, Version: s.cfg.Version,
		Timeout: s.cfg.Timeout, MaxTimeout: s.cfg.MaxTimeout, Memory: s.cfg.Memory, MaxOutput: s.cfg.MaxOutput,
		MaxBody: s.cfg.MaxBody, Acquire: s.mcpSlot, Logger: s.log,
	})
	if err != nil {
		return nil, err
	}
	h := svc.Handler()
	return func(w http.ResponseWriter, r *http.Request) {
		if info := infoOf(r); info != nil {
			info.route = mcpPath
		}
		if !s.authorized(r) {
			unauthorized(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}, nil
}

// mcpSlot waits for an execution slot for an MCP tool call; the execution
// ends when the call does or when the server stops running executions.
func (s *Server) mcpSlot(ctx context.Context) (context.Context, func(), error) {
	release, e := s.limiter.acquireBytes(ctx, int64(s.cfg.Memory))
	if e != nil {
		return nil, nil, e
	}
	s.metrics.running.Inc()
	ctx, cancel := s.execContext(ctx)
	return ctx, func() {
		cancel()
		s.metrics.running.Dec()
		release()
	}, nil
}
