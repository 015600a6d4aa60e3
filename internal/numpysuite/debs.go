package numpysuite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

// Mirror is where the pytest packages are fetched from.
const Mirror = "http://deb.debian.org/debian/"

// deb is one Debian trixie binary package: its pool path and SHA-256.
type deb struct{ path, sha256 string }

// pytestDebs are pytest 8.3.5 and what it and numpy's conftest.py import,
// all pure Python, from Debian trixie.
var pytestDebs = []deb{
	{"pool/main/p/pytest/python3-pytest_8.3.5-2_all.deb", "f933f7b38d1fd2c140684a44fecc7aa23cd6d08364604384c14c4cc21de8f8f9"},
	{"pool/main/p/python-pluggy/python3-pluggy_1.5.0-1_all.deb", "d762a370c7c54046d991b3caa9095facbee5c54792e306b5f9e32455326f82bc"},
	{"pool/main/p/python-iniconfig/python3-iniconfig_1.1.1-2_all.deb", "c9226a32a78fa93f9e993a4ed77fcb3ceb23c21b9d75d7ea4dc77cb016ed0d83"},
	{"pool/main/p/python-packaging/python3-packaging_25.0-1_all.deb", "d70c8469f6e9c6105e1ebcd3ebdc963f11dadbeddd89d2d1a2a3cb1c97d2ecbc"},
	{"pool/main/p/python-hypothesis/python3-hypothesis_6.130.5-2_all.deb", "fc302cc434e7ea073641b5199cccd42301f98d40b2329a8febb56957c439f408"},
	{"pool/main/p/python-attrs/python3-attr_25.3.0-1_all.deb", "72cee7fff9e57e8410956e3071ffe910d9de14ddedf14d598a616319428b369c"},
	{"pool/main/s/sortedcontainers/python3-sortedcontainers_2.4.0-2_all.deb", "b00fd22e4fd50d8ba44442607fc3c737186082b16648d3995b2e4fca642f53e1"},
}

// FetchPytest makes dir hold pytest and its dependencies as a directory for
// --packages (their dist-packages), downloading the Debian packages into
// dir/debs unless they are there with the right sums, and unpacking them
// with dpkg-deb. It returns the directory to mount.
func FetchPytest(ctx context.Context, dir string) (string, error) {
	debs := filepath.Join(dir, "debs")
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return "", err
	}
	if err := os.RemoveAll(root); err != nil {
		return "", err
	}
	for _, d := range pytestDebs {
		file := filepath.Join(debs, filepath.Base(d.path))
		if sumOf(file) != d.sha256 {
			if err := download(ctx, Mirror+d.path, file, d.sha256); err != nil {
				return "", err
			}
		}
		if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", file, root).CombinedOutput(); err != nil {
			return "", fmt.Errorf("unpacking %s: %v: %s", file, err, out)
		}
	}
	return filepath.Join(root, "usr", "lib", "python3", "dist-packages"), nil
}

// sumOf is the hex SHA-256 of file, or "" if it cannot be read.
func sumOf(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

func download(ctx context.Context, url, file, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downloading %s: %s", url, resp.Status)
	}
	tmp := file + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("downloading %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		os.Remove(tmp)
		return fmt.Errorf("downloading %s: sha256 %s, want %s", url, got, want)
	}
	return os.Rename(tmp, file)
}
