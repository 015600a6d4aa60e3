package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	goruntime "runtime"
	"runtime/debug"
	"strconv"

	"github.com/wasmbox/wasmbox/assets"
	"github.com/wasmbox/wasmbox/internal/evaltest"
	"github.com/wasmbox/wasmbox/internal/guard"
	"github.com/wasmbox/wasmbox/internal/wasmbin"
)

// Sums names what a deterministic run's result depends on besides its own
// inputs (code, case, seed, limits), as SHA-256 sums in hex. Two runs of
// the same inputs under the same sums give the same result.
type Sums struct {
	// Interpreter covers everything the guest runs: the embedded module
	// and standard library, warm.py, the guard's boot and the eval harness.
	Interpreter string `json:"interpreter"`
	// Engine covers the host side: wazero's version, the architecture, and
	// the rules of snapshots, virtual clocks and work units.
	Engine string `json:"engine"`
}

// EmbeddedSums returns the Sums of engines running the embedded
// interpreter. It is cheap: the embedded files' pinned checksums stand for
// them (NewEngine checks the files against those).
func EmbeddedSums() Sums {
	return Sums{
		Interpreter: sumOf(assets.CPython313WasmSHA256, assets.CPython313StdlibSHA256, warmSource, guard.BootSource(), string(evaltest.HarnessSource)),
		Engine: sumOf(wazeroVersion(), goruntime.GOARCH, snapshotFormat, virtualFormat, WorkUnitTime.String(),
			clockStepString, strconv.Itoa(wasmbin.PreemptInterval)),
	}
}

// sumOf is the SHA-256 of parts, each ended by a NUL.
func sumOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// wazeroVersion is the version of wazero this binary was built with.
func wazeroVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/tetratelabs/wazero" {
				return dep.Version
			}
		}
	}
	return "unknown"
}
