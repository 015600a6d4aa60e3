package containerapi

import "github.com/wasmbox/wasmbox/runtime"

// Contexts returns the code contexts of the container called name ("": the
// default one), for tests to watch them end.
func Contexts(h *Handler, name string) []*runtime.Context {
	c := h.def
	if name != "" {
		h.mu.Lock()
		n := h.named[name]
		h.mu.Unlock()
		if n == nil {
			return nil
		}
		c = n.c
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*runtime.Context
	for _, cc := range c.contexts {
		out = append(out, cc.ctx)
	}
	return out
}
