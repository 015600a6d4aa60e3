package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestEmbeddedAssetMatchesPinnedChecksum(t *testing.T) {
	sum := sha256.Sum256(PythonWasm)
	if got := hex.EncodeToString(sum[:]); got != PythonWasmSHA256 {
		t.Fatalf("embedded python.wasm has sha256 %s, want %s: run `make clean assets`", got, PythonWasmSHA256)
	}
}
