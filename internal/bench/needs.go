package bench

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// importProbe is a program that imports mod, as a workload does (so that
// wasmbox runs it where it would run the workload: see runtime's
// preload.go), and exits 3 when that fails, with the first line of the
// error that started it on stderr.
func importProbe(mod string) string {
	return fmt.Sprintf(`import sys
try:
    import %s
except ImportError as e:
    while e.__cause__ or e.__context__:
        e = e.__cause__ or e.__context__
    print(type(e).__name__ + ":", (str(e).strip().splitlines() or [""])[0], file=sys.stderr)
    sys.exit(3)
`, mod)
}

// moduleProbe answers which interpreters can import the modules workloads
// need: the guest (every wasmbox variant runs the same build) and the
// native python3. Answers are kept: "" when the module imports, else why
// not.
type moduleProbe struct {
	engine *runtime.Engine
	python *Python // nil: no native variant
	guest  map[string]string
	native map[string]string
}

func newModuleProbe(engine *runtime.Engine, python *Python) *moduleProbe {
	return &moduleProbe{engine: engine, python: python, guest: map[string]string{}, native: map[string]string{}}
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
				why, err := p.has(ctx, p.native, mod, p.nativeHas)
				if err != nil {
					return nil, fmt.Errorf("bench: asking %s for %s: %w", p.python.Path, mod, err)
				}
				if why != "" {
					out[v.Name()] = fmt.Sprintf("skipped: no %s in native python3 %s (--python names another): %s", mod, p.python.Path, why)
				}
				continue
			}
			why, err := p.has(ctx, p.guest, mod, p.guestHas)
			if err != nil {
				return nil, fmt.Errorf("bench: asking the wasmbox interpreter for %s: %w", mod, err)
			}
			if why != "" {
				out[v.Name()] = fmt.Sprintf("skipped: no %s in this build: %s", mod, why)
			}
		}
	}
	return out, nil
}

// has answers from cache, or asks probe and keeps the answer.
func (p *moduleProbe) has(ctx context.Context, cache map[string]string, mod string, probe func(context.Context, string) (string, error)) (string, error) {
	if why, known := cache[mod]; known {
		return why, nil
	}
	why, err := probe(ctx, mod)
	if err == nil {
		cache[mod] = why
	}
	return why, err
}

// probeStatus turns the probe's exit status into an answer: "" when the
// module imports, else the error it printed.
func probeStatus(status int, stderr string) (string, error) {
	switch status {
	case 0:
		return "", nil
	case 3:
		return tail(stderr), nil
	}
	return "", fmt.Errorf("the probe exited with status %d: %s", status, tail(stderr))
}

func (p *moduleProbe) guestHas(ctx context.Context, mod string) (string, error) {
	s, err := p.engine.NewSandbox(runtime.SandboxConfig{Timeout: runTimeout})
	if err != nil {
		return "", err
	}
	defer s.Destroy()
	res, err := s.Exec(ctx, runtime.QuoteCommand([]string{"python3", "-c", importProbe(mod)}), runtime.ExecOptions{})
	if err != nil {
		return "", err
	}
	return probeStatus(res.ExitCode, res.Stderr)
}

func (p *moduleProbe) nativeHas(ctx context.Context, mod string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, p.python.Path, "-c", importProbe(mod))
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &exit):
		return probeStatus(exit.ExitCode(), stderr.String())
	}
	return "", err
}
