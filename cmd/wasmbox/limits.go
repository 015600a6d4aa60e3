package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// sizeUnits are the suffixes parseSize accepts, longest first.
var sizeUnits = []struct {
	suffix string
	mult   uint64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3},
	{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1},
}

// parseSize reads a byte size: a whole number of bytes, or a number with a
// unit (64MiB, 1GiB, 512KiB, 10MB).
func parseSize(s string) (uint64, error) {
	num, mult := strings.TrimSpace(s), uint64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || num == "" {
		return 0, fmt.Errorf("invalid size %q: use bytes or a number with a unit, like 64MiB or 1GiB", s)
	}
	return uint64(f * float64(mult)), nil
}

// limitFlags are the flags that set a run's limits, packages and policy,
// shared by run and test (sh takes all but the policy).
type limitFlags struct {
	timeout     time.Duration
	memory      string
	policy      string
	allowImport string
	packages    []string          // --packages, in order
	loaded      *runtime.Packages // packages once loaded by limits()
}

func (l *limitFlags) register(fs *pflag.FlagSet, timeoutHelp string) {
	l.registerLimits(fs, timeoutHelp)
	registerPolicyFlags(fs, &l.policy, &l.allowImport)
}

// registerLimits registers --timeout, --memory and --packages alone (sh
// has no policy).
func (l *limitFlags) registerLimits(fs *pflag.FlagSet, timeoutHelp string) {
	fs.DurationVar(&l.timeout, "timeout", runtime.DefaultTimeout, timeoutHelp)
	fs.StringVar(&l.memory, "memory", "128MiB", "guest linear-memory limit (64MiB, 1GiB, or bytes)")
	registerPackagesFlag(fs, &l.packages)
}

// registerPackagesFlag registers --packages, which may be given more than
// once.
func registerPackagesFlag(fs *pflag.FlagSet, paths *[]string) {
	fs.StringArrayVar(paths, "packages", nil, "mount `PATH` (a directory, .zip or pure-Python .whl) read-only under "+runtime.PackagesDir+" and put it on sys.path (repeatable)")
}

// loadPackages loads the packages --packages names (nil for none).
func loadPackages(paths []string) (*runtime.Packages, error) {
	p, err := runtime.LoadPackages(paths...)
	if err != nil {
		return nil, fmt.Errorf("--packages: %w", err)
	}
	return p, nil
}

func registerPolicyFlags(fs *pflag.FlagSet, policy, allow *string) {
	fs.StringVar(policy, "policy", "strict", "import policy: strict (json, re, typing), stdlib (reviewed pure modules) or none (no static check)")
	fs.StringVar(allow, "allow-import", "", "comma-separated modules added to the policy's allowlist")
}

// resolvePolicy builds the policy that --policy and --allow-import name.
func resolvePolicy(name, allow string) (validate.Policy, error) {
	p, err := validate.PolicyByName(name)
	if err != nil {
		return p, err
	}
	mods, err := validate.ParseAllowImports(allow)
	if err != nil {
		return p, err
	}
	return p.WithAllowedImports(mods...)
}

// sandboxConfig checks the limit flags and turns them into a sandbox config.
func (l *limitFlags) sandboxConfig() (runtime.SandboxConfig, validate.Policy, error) {
	cfg, err := l.limits()
	if err != nil {
		return cfg, validate.Policy{}, err
	}
	policy, err := resolvePolicy(l.policy, l.allowImport)
	if err != nil {
		return cfg, validate.Policy{}, err
	}
	return cfg, policy, nil
}

// limits checks --timeout and --memory, loads --packages (once) and turns
// them into a sandbox config.
func (l *limitFlags) limits() (runtime.SandboxConfig, error) {
	var cfg runtime.SandboxConfig
	if l.timeout <= 0 {
		return cfg, fmt.Errorf("--timeout %v must be positive", l.timeout)
	}
	mem, err := parseSize(l.memory)
	if err != nil {
		return cfg, fmt.Errorf("--memory: %v", err)
	}
	if l.loaded == nil && len(l.packages) > 0 {
		if l.loaded, err = loadPackages(l.packages); err != nil {
			return cfg, err
		}
	}
	cfg.Timeout, cfg.MemoryLimit, cfg.Packages = l.timeout, mem, l.loaded
	return cfg, nil
}
