//go:build release

// Package release checks the artifacts of `make release-snapshot` in dist/
// (goreleaser, .goreleaser.yaml). The tag keeps it out of `go test ./...`:
// the Makefile runs it right after goreleaser.
package release

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dist is goreleaser's output directory, from this package's directory.
const dist = "../../dist"

// platforms are the release's targets.
var platforms = []struct{ os, arch, ext string }{
	{"linux", "amd64", "tar.gz"}, {"linux", "arm64", "tar.gz"},
	{"darwin", "amd64", "tar.gz"}, {"darwin", "arm64", "tar.gz"},
	{"windows", "amd64", "zip"}, {"windows", "arm64", "zip"},
}

// snapshotVersion reads the version goreleaser gave the snapshot.
func snapshotVersion(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	require.NoError(t, err, "run `make release-snapshot` first")
	var meta struct{ Version string }
	require.NoError(t, json.Unmarshal(raw, &meta))
	require.NotEmpty(t, meta.Version)
	return meta.Version
}

// checksums reads checksums.txt: file name to SHA-256.
func checksums(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dist, "checksums.txt"))
	require.NoError(t, err)
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "checksums.txt line %q", sc.Text())
		sums[name] = sum
	}
	require.NoError(t, sc.Err())
	return sums
}

func TestReleaseSnapshot(t *testing.T) {
	version := snapshotVersion(t)
	sums := checksums(t)
	for _, p := range platforms {
		t.Run(p.os+"/"+p.arch, func(t *testing.T) {
			base := "wasmbox_" + version + "_" + p.os + "_" + p.arch
			archive := base + "." + p.ext
			data, err := os.ReadFile(filepath.Join(dist, archive))
			require.NoError(t, err)
			sum := sha256.Sum256(data)
			assert.Equal(t, hex.EncodeToString(sum[:]), sums[archive], "checksums.txt has the archive's sum")

			sbom, err := os.ReadFile(filepath.Join(dist, base+".cdx.json"))
			require.NoError(t, err)
			var doc struct {
				BOMFormat  string
				Metadata   struct{ Component struct{ Name string } }
				Components []struct{ Name string }
			}
			require.NoError(t, json.Unmarshal(sbom, &doc))
			assert.Equal(t, "CycloneDX", doc.BOMFormat)
			names := []string{}
			for _, c := range doc.Components {
				names = append(names, c.Name)
			}
			assert.Contains(t, names, "github.com/tetratelabs/wazero")
			assert.Contains(t, names, "github.com/modelcontextprotocol/go-sdk")
		})
	}
}

func TestReleaseLinuxBinaryRuns(t *testing.T) {
	version := snapshotVersion(t)
	f, err := os.Open(filepath.Join(dist, "wasmbox_"+version+"_linux_amd64.tar.gz"))
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	bin := filepath.Join(t.TempDir(), "wasmbox")
	var files []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		files = append(files, hdr.Name)
		if hdr.Name == "wasmbox" {
			out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
			require.NoError(t, err)
			_, err = io.Copy(out, tr)
			require.NoError(t, err)
			require.NoError(t, out.Close())
		}
	}
	assert.ElementsMatch(t, []string{"wasmbox", "README.md", "SECURITY.md"}, files)
	out, err := exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "wasmbox "+version+"\n")
	assert.Contains(t, string(out), "python  3.13")
}
