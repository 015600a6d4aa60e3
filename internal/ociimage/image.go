// Package ociimage builds wasmbox's container image without a base image
// or a container daemon: one layer holding the static binary, a non-root
// user and the directory of the compilation cache (a volume), written as
// an OCI image layout in a tar file (`podman load`, `skopeo copy
// oci-archive:...`, `crane push`). `make image` runs it through mkimage.
package ociimage

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths and identities inside the image.
const (
	BinaryPath = "/usr/local/bin/wasmbox"
	CacheDir   = "/var/cache/wasmbox"
	// UID and GID of the image's user, nonroot, the distroless convention.
	UID = 65532
	GID = 65532
	// Port is the port `wasmbox serve` listens on in the image.
	Port = 8080
)

// Config says what goes into an image.
type Config struct {
	// Binary is the path of a static wasmbox binary for Arch.
	Binary string
	// Arch is the GOARCH of Binary (amd64, arm64); the OS is linux.
	Arch string
	// Version labels the image and names it in the layout (wasmbox:Version).
	Version string
	// Created is the image's creation time; zero: the Unix epoch, so the
	// same binary gives the same image.
	Created time.Time
}

// Build returns the image cfg describes.
func Build(cfg Config) (v1.Image, error) {
	switch {
	case cfg.Binary == "":
		return nil, errors.New("ociimage: no binary")
	case cfg.Arch != "amd64" && cfg.Arch != "arm64":
		return nil, fmt.Errorf("ociimage: architecture %q: use amd64 or arm64", cfg.Arch)
	case cfg.Version == "":
		return nil, errors.New("ociimage: no version")
	}
	bin, err := os.ReadFile(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("ociimage: %w", err)
	}
	created := cfg.Created
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	rootfs, err := rootFS(bin, created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(rootfs)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("ociimage: layer: %w", err)
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: created}, CreatedBy: "wasmbox ociimage: the static binary, a nonroot user, the cache directory",
	}})
	if err != nil {
		return nil, fmt.Errorf("ociimage: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("ociimage: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", cfg.Arch, v1.Time{Time: created}
	cf.Config = v1.Config{
		Entrypoint:   []string{BinaryPath},
		Cmd:          []string{"serve", "--addr", fmt.Sprintf("0.0.0.0:%d", Port)},
		User:         fmt.Sprintf("%d:%d", UID, GID),
		WorkingDir:   "/",
		Env:          []string{"WASMBOX_CACHE_DIR=" + CacheDir},
		Volumes:      map[string]struct{}{CacheDir: {}},
		ExposedPorts: map[string]struct{}{fmt.Sprintf("%d/tcp", Port): {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "wasmbox",
			"org.opencontainers.image.version": cfg.Version,
			"org.opencontainers.image.description": "Runs untrusted Python (CPython 3.13, WASI) in a WebAssembly sandbox. " +
				"`serve` needs WASMBOX_API_KEY (or --insecure) to listen on 0.0.0.0.",
		},
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("ociimage: %w", err)
	}
	return img, nil
}

// rootFS is the layer's tar: the binary, the user's passwd and group
// entries, a /tmp, and the cache directory owned by the user.
func rootFS(bin []byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64, uid, gid int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: uid, Gid: gid, ModTime: mtime, Format: tar.FormatPAX})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	steps := []func() error{
		func() error { return dir("etc", 0o755, 0, 0) },
		func() error {
			return file("etc/passwd", 0o644, fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", UID, GID))
		},
		func() error { return file("etc/group", 0o644, fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", GID)) },
		func() error { return dir("home", 0o755, 0, 0) },
		func() error { return dir("home/nonroot", 0o700, UID, GID) },
		func() error { return dir("tmp", 0o1777, 0, 0) },
		func() error { return dir("usr", 0o755, 0, 0) },
		func() error { return dir("usr/local", 0o755, 0, 0) },
		func() error { return dir("usr/local/bin", 0o755, 0, 0) },
		func() error { return file(BinaryPath[1:], 0o755, bin) },
		func() error { return dir("var", 0o755, 0, 0) },
		func() error { return dir("var/cache", 0o755, 0, 0) },
		func() error { return dir(CacheDir[1:], 0o755, UID, GID) },
		tw.Close,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("ociimage: root filesystem: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// WriteLayoutTar writes img as an OCI image layout, tagged
// wasmbox:VERSION, into the tar file out.
func WriteLayoutTar(img v1.Image, version, out string) error {
	dir, err := os.MkdirTemp("", "wasmbox-oci")
	if err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": version,
		"io.containerd.image.name":          "wasmbox:" + version,
	})); err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	return tarDir(dir, out)
}

// tarDir writes the files under dir into the tar file out, paths relative
// to dir, in lexical order.
func tarDir(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("ociimage: %w", err)
	}
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name, hdr.ModTime = filepath.ToSlash(rel), time.Unix(0, 0)
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		if d.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil || d.IsDir() {
			return err
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("ociimage: writing %s: %w", out, err)
	}
	return nil
}
