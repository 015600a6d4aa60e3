// Package runtimetest holds helpers for tests of wasmbox's runtime and of
// what is built on it.
package runtimetest

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// PackageFiles returns the files of a small pure-Python package called name,
// by path: name/__init__.py, a submodule name/text.py and a data file. Its
// top(s) returns the most common word in s (using collections, which the
// strict policy does not allow user code to import), greeting() reads
// the data file beside the code, and the submodule name.paths imports os.
func PackageFiles(name string) map[string]string {
	return map[string]string{
		name + "/__init__.py": `from collections import Counter
from .text import words

def top(s):
    return Counter(words(s)).most_common(1)[0][0]

def greeting():
    with open(__file__.rpartition("/")[0] + "/greeting.txt") as f:
        return f.read().strip()
`,
		name + "/text.py":      "import re\n\n\ndef words(s):\n    return re.findall(r\"[a-z]+\", s.lower())\n",
		name + "/greeting.txt": "hello from " + name + "\n",
		name + "/paths.py":     "import os\n\n\ndef here():\n    return os.path.basename(os.path.dirname(__file__))\n",
	}
}

// WriteDir writes files under dir and returns dir.
func WriteDir(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	return dir
}

// WriteZip writes files into a zip archive at path and returns path.
func WriteZip(t testing.TB, path string, files map[string]string) string {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(files[name]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return path
}

// WriteWheel writes a wheel of files into dir, as a build backend would:
// named NAME-VERSION-TAG.whl, with a NAME-VERSION.dist-info holding
// METADATA, a WHEEL that says Root-Is-Purelib (purelib) and Tag: tag, and a
// RECORD of every member's hash and size. It returns the wheel's path.
func WriteWheel(t testing.TB, dir, name, version, tag string, purelib bool, files map[string]string) string {
	t.Helper()
	info := name + "-" + version + ".dist-info/"
	all := maps.Clone(files)
	all[info+"METADATA"] = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version)
	all[info+"WHEEL"] = fmt.Sprintf("Wheel-Version: 1.0\nGenerator: wasmbox-test\nRoot-Is-Purelib: %t\nTag: %s\n", purelib, tag)
	var record strings.Builder
	for _, member := range slices.Sorted(maps.Keys(all)) {
		sum := sha256.Sum256([]byte(all[member]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", member, base64.RawURLEncoding.EncodeToString(sum[:]), len(all[member]))
	}
	record.WriteString(info + "RECORD,,\n")
	all[info+"RECORD"] = record.String()
	return WriteZip(t, filepath.Join(dir, name+"-"+version+"-"+tag+".whl"), all)
}
