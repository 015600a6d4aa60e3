package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["cache"] = command{"manage the cache of deterministic test results (cache prune)", cacheCmd}
}

// The result cache keeps the result of each deterministic case (`wasmbox
// test --deterministic`) on disk, keyed by the SHA-256 of everything that
// decides it: wasmbox's version, runtime.Sums, and the case's inputs
// (caseInputs: code, function, case, policy, limits, seed, budget). Entries
// live under DIR/results/GEN/, GEN naming the version and sums, so that
// `cache prune` can drop whole generations no binary of this build reads.

// resultCache is the cache's directory for this build's generation; a nil
// *resultCache holds nothing.
type resultCache struct {
	dir string
}

// resultsRoot is the cache's root: results/ in $WASMBOX_CACHE_DIR, or else
// in wasmbox/ under the user's cache directory.
func resultsRoot() (string, error) {
	dir := os.Getenv(runtime.CacheDirEnv)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "wasmbox")
	}
	return filepath.Join(dir, "results"), nil
}

// generation names this build's entries.
func generation() string {
	sums := runtime.EmbeddedSums()
	h := sha256.Sum256([]byte(version + "\x00" + sums.Interpreter + "\x00" + sums.Engine))
	return hex.EncodeToString(h[:8])
}

// openResultCache returns this build's cache, or nil (with a warning on
// stderr) when there is no cache directory.
func openResultCache(stderr io.Writer) *resultCache {
	root, err := resultsRoot()
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox: warning: no result cache: %v\n", err)
		return nil
	}
	return &resultCache{dir: filepath.Join(root, generation())}
}

// path is where the result of in is kept.
func (c *resultCache) path(in caseInputs) string {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err) // cannot happen: strings, numbers and valid JSON only
	}
	h := sha256.Sum256(b)
	key := hex.EncodeToString(h[:])
	return filepath.Join(c.dir, key[:2], key+".json")
}

// get returns the cached result of in.
func (c *resultCache) get(in caseInputs) (runtime.CaseResult, bool) {
	var r runtime.CaseResult
	if c == nil {
		return r, false
	}
	b, err := os.ReadFile(c.path(in))
	if err != nil || json.Unmarshal(b, &r) != nil || r.Status == "" {
		return r, false
	}
	return r, true
}

// put caches r as in's result. The cache is an optimisation: a failed
// write is ignored, and the case runs again next time.
func (c *resultCache) put(in caseInputs, r runtime.CaseResult) {
	if c == nil {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	p := c.path(in)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), p) != nil {
		os.Remove(tmp.Name())
	}
}

func cacheCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "prune" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "usage: wasmbox cache prune [--all] [--older-than DURATION]")
			return exitOK
		}
		return usageError(stderr, "cache", "want a subcommand: wasmbox cache prune [--all] [--older-than DURATION]")
	}
	fs := newFlagSet("cache prune", "wasmbox cache prune [--all] [--older-than DURATION]", stderr)
	all := fs.Bool("all", false, "remove every cached result, this build's too")
	olderThan := fs.Duration("older-than", 30*24*time.Hour, "also remove this build's results not written for this long")
	if status, done := parseFlags(fs, args[1:], stdout); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "cache prune", "unexpected argument %q", fs.Arg(0))
	}
	if *olderThan < 0 {
		return usageError(stderr, "cache prune", "--older-than %v must not be negative", *olderThan)
	}
	root, err := resultsRoot()
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox cache prune: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	n, size, err := prune(root, generation(), *all, time.Now().Add(-*olderThan))
	fmt.Fprintf(stdout, "removed %d cached results (%d bytes) from %s\n", n, size, root)
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox cache prune: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	return exitOK
}

// prune removes, under root, the entries of generations other than gen,
// and gen's written before cutoff (all of them with all). It returns how
// many entries it removed and their size.
func prune(root, gen string, all bool, cutoff time.Time) (n int, size int64, err error) {
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		stale := all || filepath.Dir(filepath.Dir(rel)) != gen || info.ModTime().Before(cutoff)
		if stale && os.Remove(p) == nil {
			n++
			size += info.Size()
		}
		return nil
	})
	return n, size, err
}
