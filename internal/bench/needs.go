package bench

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// findSpecProbe exits 0 when the module named by its argument can be
// imported, 3 when it cannot; it imports nothing itself.
const findSpecProbe = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 3)"

// moduleProbe answers which interpreters have the modules workloads need:
// the guest (every wasmbox variant runs the same build) and the native
// python3. Answers are kept.
type moduleProbe struct {
	engine *runtime.Engine
	python *Python // nil: no native variant
	guest  map[string]bool
	native map[string]bool
}

func newModuleProbe(engine *runtime.Engine, python *Python) *moduleProbe {
	return &moduleProbe{engine: engine, python: python, guest: map[string]bool{}, native: map[string]bool{}}
}

// skips returns why each variant of vs that cannot run w cannot, by
// variant name: its interpreter lacks a module w needs.
func (p *moduleProbe) skips(ctx context.Context, w *Workload, vs []Variant) (map[string]string, error) {
	out := map[string]string{}
	for _, mod := range w.Needs {
		for _, v := range vs {
			if _, skipped := out[v.Name()]; skipped {
				continue
			}
			if v.Name() == NativeName {
				ok, err := p.has(ctx, p.native, mod, p.nativeHas)
				if err != nil {
					return nil, fmt.Errorf("bench: asking %s for %s: %w", p.python.Path, mod, err)
				}
				if !ok {
					out[v.Name()] = fmt.Sprintf("skipped: no %s in native python3 %s (--python names another)", mod, p.python.Path)
				}
				continue
			}
			ok, err := p.has(ctx, p.guest, mod, p.guestHas)
			if err != nil {
				return nil, fmt.Errorf("bench: asking the wasmbox interpreter for %s: %w", mod, err)
			}
			if !ok {
				out[v.Name()] = fmt.Sprintf("skipped: no %s in this build", mod)
			}
		}
	}
	return out, nil
}

// has answers from cache, or asks probe and keeps the answer.
func (p *moduleProbe) has(ctx context.Context, cache map[string]bool, mod string, probe func(context.Context, string) (bool, error)) (bool, error) {
	if ok, known := cache[mod]; known {
		return ok, nil
	}
	ok, err := probe(ctx, mod)
	if err == nil {
		cache[mod] = ok
	}
	return ok, err
}

// probeStatus turns the probe's exit status into an answer.
func probeStatus(status int, stderr string) (bool, error) {
	switch status {
	case 0:
		return true, nil
	case 3:
		return false, nil
	}
	return false, fmt.Errorf("the probe exited with status %d: %s", status, tail(stderr))
}

func (p *moduleProbe) guestHas(ctx context.Context, mod string) (bool, error) {
	s, err := p.engine.NewSandbox(runtime.SandboxConfig{Timeout: runTimeout})
	if err != nil {
		return false, err
	}
	defer s.Destroy()
	res, err := s.Exec(ctx, runtime.QuoteCommand([]string{"python3", "-c", findSpecProbe, mod}), runtime.ExecOptions{})
	if err != nil {
		return false, err
	}
	return probeStatus(res.ExitCode, res.Stderr)
}

func (p *moduleProbe) nativeHas(ctx context.Context, mod string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, p.python.Path, "-c", findSpecProbe, mod)
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit):
		return probeStatus(exit.ExitCode(), stderr.String())
	}
	return false, err
}
