package ociimage

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// untar extracts the tar file src into a new directory.
func untar(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(src)
	require.NoError(t, err)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return dir
		}
		require.NoError(t, err)
		p := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if hdr.Typeflag == tar.TypeDir {
			require.NoError(t, os.MkdirAll(p, 0o755))
			continue
		}
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
}

func TestImageLayoutTar(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wasmbox")
	require.NoError(t, os.WriteFile(bin, []byte("\x7fELF a static binary"), 0o755))
	img, err := Build(Config{Binary: bin, Arch: "arm64", Version: "1.2.3"})
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "wasmbox-oci.tar")
	require.NoError(t, WriteLayoutTar(img, "1.2.3", out))

	// Read it back as any OCI tool would: the layout's index, its one image.
	idx, err := layout.ImageIndexFromPath(untar(t, out))
	require.NoError(t, err)
	im, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, im.Manifests, 1)
	assert.Equal(t, "1.2.3", im.Manifests[0].Annotations["org.opencontainers.image.ref.name"])
	assert.Equal(t, types.OCIManifestSchema1, im.Manifests[0].MediaType)
	got, err := idx.Image(im.Manifests[0].Digest)
	require.NoError(t, err)

	cf, err := got.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, "linux", cf.OS)
	assert.Equal(t, "arm64", cf.Architecture)
	c := cf.Config
	assert.Equal(t, []string{"/usr/local/bin/wasmbox"}, c.Entrypoint)
	assert.Equal(t, []string{"serve", "--addr", "0.0.0.0:8080"}, c.Cmd)
	assert.Equal(t, "65532:65532", c.User, "not root")
	assert.Equal(t, []string{"WASMBOX_CACHE_DIR=/var/cache/wasmbox"}, c.Env)
	assert.Equal(t, map[string]struct{}{"/var/cache/wasmbox": {}}, c.Volumes)
	assert.Equal(t, map[string]struct{}{"8080/tcp": {}}, c.ExposedPorts)
	assert.Equal(t, "1.2.3", c.Labels["org.opencontainers.image.version"])

	layers, err := got.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 1, "no base image: one layer")
	mt, err := layers[0].MediaType()
	require.NoError(t, err)
	assert.Equal(t, types.OCILayer, mt)
	rc, err := layers[0].Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	entries := map[string]*tar.Header{}
	var binary []byte
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		entries[hdr.Name] = hdr
		if hdr.Name == "usr/local/bin/wasmbox" {
			binary, err = io.ReadAll(tr)
			require.NoError(t, err)
		}
	}
	assert.Equal(t, "\x7fELF a static binary", string(binary))
	require.Contains(t, entries, "usr/local/bin/wasmbox")
	assert.Equal(t, int64(0o755), entries["usr/local/bin/wasmbox"].Mode)
	require.Contains(t, entries, "var/cache/wasmbox/")
	assert.Equal(t, []int{UID, GID}, []int{entries["var/cache/wasmbox/"].Uid, entries["var/cache/wasmbox/"].Gid}, "the user can write the cache")
	assert.Equal(t, int64(0o1777), entries["tmp/"].Mode)
	assert.Contains(t, entries, "etc/passwd")
	assert.NotContains(t, entries, "bin/sh", "an empty root: no shell")
}

func TestImageSameInputSameDigest(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wasmbox")
	require.NoError(t, os.WriteFile(bin, []byte("binary"), 0o755))
	a, err := Build(Config{Binary: bin, Arch: "amd64", Version: "1"})
	require.NoError(t, err)
	b, err := Build(Config{Binary: bin, Arch: "amd64", Version: "1"})
	require.NoError(t, err)
	da, err := a.Digest()
	require.NoError(t, err)
	db, err := b.Digest()
	require.NoError(t, err)
	assert.Equal(t, da, db)
}

func TestImageBadConfig(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wasmbox")
	require.NoError(t, os.WriteFile(bin, []byte("binary"), 0o755))
	tests := []struct {
		name string
		cfg  Config
		err  error
	}{
		{"no binary", Config{Arch: "amd64", Version: "1"}, nil},
		{"missing binary", Config{Binary: bin + ".gone", Arch: "amd64", Version: "1"}, os.ErrNotExist},
		{"unknown arch", Config{Binary: bin, Arch: "s390x", Version: "1"}, nil},
		{"no version", Config{Binary: bin, Arch: "amd64"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.cfg)
			require.Error(t, err)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			}
		})
	}
}
