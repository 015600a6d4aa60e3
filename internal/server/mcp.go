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
// /v1/run and /v1/test. run_python's code contexts are the MCP service's
// own, named by its clients; like a sandbox's contexts they are capped
// (MaxContexts), end after SessionTTL idle, hold their memory and files
// (SessionFSBytes) of the host budget, and end when executions are stopped.
func (s *Server) newMCPHandler() (http.HandlerFunc, error) {
	svc, err := mcp.New(mcp.Config{
		Engine: s.engine, Packages: s.cfg.Packages, Version: s.cfg.Version,
		Timeout: s.cfg.Timeout, MaxTimeout: s.cfg.MaxTimeout, Memory: s.cfg.Memory, MaxOutput: s.cfg.MaxOutput,
		MaxContexts: s.cfg.MaxContexts, ContextTTL: s.cfg.SessionTTL, ContextFSBytes: s.cfg.SessionFSBytes, Reserve: s.reserveContext,
		MaxBody: s.cfg.MaxBody, Acquire: s.mcpSlot, Logger: s.log,
	})
	if err != nil {
		return nil, err
	}
	s.closeMCP = svc.Close
	context.AfterFunc(s.hardStop, svc.Close)
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
