// Package numpysuite runs a share of numpy's own test suite inside the
// sandbox: numpy's tests (from assets/cpython313/numpy-with-tests.zip)
// and pytest (Debian's packages) mounted with --packages, numpy itself the
// sandbox's. `make numpy-suite` runs every group and prints the figures;
// `make test` runs the quicker ones.
package numpysuite

import (
	"archive/zip"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

//go:embed harness.py
var harness []byte

// Groups are the shares of numpy's test suite, by what they cover: test
// files relative to the tests tree.
var Groups = map[string][]string{
	"fft":    {"numpy/fft/tests"},
	"random": {"numpy/random/tests"},
	"linalg": {"numpy/linalg/tests"},
	"ufunc":  {"numpy/_core/tests/test_ufunc.py", "numpy/_core/tests/test_umath.py"},
	"core": {"numpy/_core/tests/test_numeric.py", "numpy/_core/tests/test_shape_base.py",
		"numpy/_core/tests/test_indexing.py", "numpy/_core/tests/test_multiarray.py",
		"numpy/_core/tests/test_item_selection.py"},
}

// Failure is one failed test: its pytest id and the last line of its error.
type Failure struct {
	Test  string `json:"test"`
	Error string `json:"error"`
}

// Result is what the harness reports for one group.
type Result struct {
	Passed   int       `json:"passed"`
	Failed   int       `json:"failed"`
	Skipped  int       `json:"skipped"`
	XFailed  int       `json:"xfailed"`
	XPassed  int       `json:"xpassed"`
	Errors   int       `json:"error"`
	Status   int       `json:"status"`
	Failures []Failure `json:"failures"`
	// Duration is the whole run's, pytest's start-up included.
	Duration time.Duration `json:"-"`
}

// TestsTree writes numpy's test directories and conftest.py from the zip at
// withTests into dir, under dir/numpy/..., with an empty __init__.py in each
// package directory above them (never run: numpy is imported from the
// sandbox's own numpy.zip first; they make pytest name the tests
// numpy._core.tests.test_x).
func TestsTree(withTests, dir string) error {
	zr, err := zip.OpenReader(withTests)
	if err != nil {
		return fmt.Errorf("numpy tests: %w", err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") || !(strings.Contains("/"+path.Dir(name)+"/", "/tests/") || path.Base(name) == "conftest.py") {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("numpy tests: %s: member %q leaves the tree", withTests, name)
		}
		if err := extract(f, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	return filepath.WalkDir(filepath.Join(dir, "numpy"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		init := filepath.Join(p, "__init__.py")
		if _, err := os.Stat(init); os.IsNotExist(err) {
			return os.WriteFile(init, nil, 0o644)
		}
		return nil
	})
}

func extract(f *zip.File, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("numpy tests: %s: %w", f.Name, err)
	}
	defer r.Close()
	w, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return fmt.Errorf("numpy tests: %s: %w", f.Name, err)
	}
	return w.Close()
}

// Config says where the pieces are and how much the run may take.
type Config struct {
	Engine    *runtime.Engine
	TestsTree string // from TestsTree
	Pytest    string // from FetchPytest
	Timeout   time.Duration
	MemoryMiB uint64
	MaxOutput int64
}

// Run runs the test files of one group in a fresh sandbox under the policy
// none (pytest imports what it likes; the WebAssembly boundary still holds)
// and returns the harness's tally.
func Run(ctx context.Context, cfg Config, files []string) (*Result, error) {
	pkgs, err := runtime.LoadPackages(cfg.Pytest, cfg.TestsTree)
	if err != nil {
		return nil, err
	}
	sysPath := pkgs.SysPath()
	root := sysPath[1]
	args := []string{root}
	for _, f := range files {
		args = append(args, root+"/"+f)
	}
	none, err := validate.PolicyByName("none")
	if err != nil {
		return nil, err
	}
	r, err := runtime.NewPythonRunner(cfg.Engine, runtime.RunnerConfig{Policy: &none, Sandbox: runtime.SandboxConfig{
		Packages: pkgs, Timeout: cfg.Timeout, MemoryLimit: cfg.MemoryMiB << 20, MaxOutput: cfg.MaxOutput,
		MaxFSBytes: 256 << 20,
	}})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := r.Run(ctx, harness, args, runtime.ExecOptions{})
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	var out Result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &out); err != nil {
		return nil, fmt.Errorf("numpy suite: no tally from the harness (exit %d, timed out %v): %s%s", res.ExitCode, res.TimedOut, tail(res.Stdout), tail(res.Stderr))
	}
	out.Duration = time.Since(start)
	return &out, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}
