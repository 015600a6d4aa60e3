package containerapi

import "net/http"

// commands are what /api/commands reports a container can run.
var commands = []string{"python3", "python", "python3.13"}

func (c *container) handlePing(r *http.Request) (any, *apiError) {
	return map[string]any{"success": true, "status": "healthy", "message": "pong", "timestamp": now()}, nil
}

func (c *container) handleVersion(r *http.Request) (any, *apiError) {
	return map[string]any{"success": true, "version": c.cfg.Version, "timestamp": now()}, nil
}

func (c *container) handleCommands(r *http.Request) (any, *apiError) {
	return map[string]any{"success": true, "availableCommands": commands, "count": len(commands), "timestamp": now()}, nil
}
