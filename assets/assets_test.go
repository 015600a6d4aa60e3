package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedAssetsMatchPinnedChecksums(t *testing.T) {
	zip, err := fs.ReadFile(CPython313Stdlib, "python313.zip")
	require.NoError(t, err)
	numpyZip, err := fs.ReadFile(CPython313Stdlib, "numpy.zip")
	require.NoError(t, err)
	withTests, err := os.ReadFile("cpython313/numpy-with-tests.zip")
	require.NoError(t, err)
	for _, a := range []struct {
		name string
		data []byte
		want string
	}{
		{"cpython313/python.wasm", CPython313Wasm, CPython313WasmSHA256},
		{"cpython313/python313.zip", zip, CPython313StdlibSHA256},
		{"cpython313/python-numpy.wasm", NumpyWasm, NumpyWasmSHA256},
		{"cpython313/numpy.zip", numpyZip, NumpyZipSHA256},
		{"cpython313/numpy-with-tests.zip", withTests, NumpyWithTestsSHA256},
	} {
		t.Run(a.name, func(t *testing.T) {
			sum := sha256.Sum256(a.data)
			assert.Equal(t, a.want, hex.EncodeToString(sum[:]), "embedded %s: rebuild with `make python-wasm` or restore it from git", a.name)
		})
	}
}
