package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/wasmbox/wasmbox/internal/guard"
)

// guardConfig returns the guard settings for this engine's guests, with
// extra directories trusted like the standard library (the host's own
// programs: see guard.Config.StdlibPrefixes) and pkgs's directory trusted as
// library code (nil for none). It carries the
// guard's boot compiled to bytecode when that could be had: compiling the
// boot in each fresh instance costs more than the rest of its start-up.
// An engine with a snapshot needs none: the snapshot has the boot compiled.
func (e *Engine) guardConfig(pkgs *Packages, trusted ...string) guard.Config {
	cfg := guard.Config{StdlibPrefixes: append(slices.Clone(e.interp.stdlibPrefixes), trusted...)}
	if pkgs != nil {
		cfg.LibraryPrefixes = []string{PackagesDir + "/"}
	}
	if e.snap == nil {
		e.bootOnce.Do(func() { e.bootCode = e.loadBootCode() })
		cfg.Bytecode = e.bootCode
	}
	return cfg
}

// loadBootCode reads the boot's bytecode from the compilation-cache
// directory, or makes it by running the guest once (and stores it there).
// It returns nil, and the guests compile the boot themselves, when the
// guest fails to make it.
func (e *Engine) loadBootCode() []byte {
	key := sha256.Sum256([]byte(e.interp.sum + "\x00" + guard.BootSource()))
	path := ""
	if e.cacheDir != "" {
		path = filepath.Join(e.cacheDir, "guard-"+hex.EncodeToString(key[:8])+".marshal")
		if code, ok := readChecked(path); ok {
			return code
		}
	}
	code, err := e.compileBoot()
	if err != nil {
		slog.Warn("wasmbox: could not precompile the guard; guests will compile it", "err", err)
		return nil
	}
	if path != "" {
		if err := writeChecked(path, code); err != nil {
			slog.Warn("wasmbox: could not cache the guard's bytecode", "path", path, "err", err)
		}
	}
	return code
}

// compileBoot runs the guest program that marshals the boot's code object.
func (e *Engine) compileBoot() ([]byte, error) {
	var out, errOut bytes.Buffer
	clk := newGuestClock(clockOrigin)
	ctx, cancel := context.WithTimeout(withClock(context.Background(), clk), bootCompileTimeout)
	defer cancel()
	mcfg := e.moduleConfig(guard.CompileArgv(), nil, clk).
		WithStdin(bytes.NewReader(nil)).
		WithStdout(&out).
		WithStderr(&errOut).
		WithFSConfig(e.fsConfig(newMemFS(0, 0)))
	if err := e.instantiate(ctx, newAllocator(DefaultMemoryLimit), mcfg, nil); err != nil {
		return nil, fmt.Errorf("%w: %s", err, errOut.String())
	}
	if out.Len() == 0 {
		return nil, fmt.Errorf("no bytecode: %s", errOut.String())
	}
	return out.Bytes(), nil
}

// bootCompileTimeout bounds the one guest run that compiles the boot.
const bootCompileTimeout = time.Minute

// readChecked reads a file written by writeChecked, reporting false when it
// is missing or does not match its checksum (a torn or corrupt write).
func readChecked(path string) ([]byte, bool) {
	data, err := os.ReadFile(path)
	if err != nil || len(data) < sha256.Size {
		return nil, false
	}
	sum := sha256.Sum256(data[sha256.Size:])
	return data[sha256.Size:], bytes.Equal(sum[:], data[:sha256.Size])
}

// writeChecked writes data behind its SHA-256, through a temporary file
// renamed into place, so readers never see half a file.
func writeChecked(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	_, err = f.Write(append(sum[:], data...))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
