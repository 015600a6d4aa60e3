package runtime

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Packages are pure-Python packages that a sandbox's interpreters import
// as if installed: each one is mounted read-only under PackagesDir and put
// on sys.path, after the script's directory and before the standard
// library.
//
// A package is one of:
//   - a directory. One that holds __init__.py is a package, importable by
//     the directory's name; any other is a sys.path entry (like PYTHONPATH),
//     its modules and packages importable by their own names;
//   - a .zip, whose root is a sys.path entry, as with zipimport;
//   - a pure-Python wheel (.whl): its .dist-info/WHEEL must say
//     Root-Is-Purelib: true and every tag, in the file name and in WHEEL,
//     must be py*-none-any. The wheel's root is the sys.path entry, with its
//     .data/purelib contents moved there as an installer would.
//
// None may hold a compiled extension module (.so, .pyd, .dylib, .dll):
// wasmbox runs WebAssembly and cannot load native code, so such a package is
// refused with ErrNotPurePython rather than mounted to fail at import time.
//
// Zips and wheels are unpacked on the host, so modules' __file__ are real
// paths and packages that read data files beside their code work. Each
// package's files are read when it is loaded and kept in memory: later
// changes on the host are not seen.
//
// A Packages is immutable once loaded and safe for concurrent use: one value
// may serve any number of sandboxes. The guard trusts package code as it
// trusts the standard library (see package guard): the operator chose it.
type Packages struct {
	entries []string // sys.path entries, in the guest, in the order loaded
	tree    *memTree // the files under PackagesDir
	sum     string   // see Sum
}

// PackagesDir is the read-only directory of the guest under which packages
// are mounted, each in a directory of its own named after the file or
// directory it came from.
const PackagesDir = "/opt/wasmbox/packages"

// Errors LoadPackages returns, to test with errors.Is. The error's text
// names the package's path and the member or tag at fault.
var (
	// ErrNotPurePython: the package holds a compiled extension module, or
	// is a wheel built for a particular interpreter, ABI or platform.
	ErrNotPurePython = errors.New("wasmbox runs WebAssembly and cannot load native extensions: only pure-Python packages can be used")
	// ErrBadPackage: the path is not a directory, a .zip or a .whl, or the
	// archive is corrupt or not a valid wheel.
	ErrBadPackage = errors.New("not a usable package")
)

// LoadPackages reads the packages at paths (see Packages), in order. It
// returns nil for no paths. Every path is checked: the first one that
// cannot be used fails the whole load, with an error naming it.
func LoadPackages(paths ...string) (*Packages, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	p := &Packages{tree: newMemTree()}
	used := map[string]bool{}
	for _, src := range paths {
		if src == "" {
			return nil, fmt.Errorf("wasmbox: package path is empty: %w", ErrBadPackage)
		}
		label := mountLabel(src, used)
		if err := p.load(src, label); err != nil {
			return nil, err
		}
		p.entries = append(p.entries, PackagesDir+"/"+label)
	}
	sum := sha256.Sum256([]byte(strings.Join(p.entries, "\n") + "\n\n" + p.tree.sum()))
	p.sum = hex.EncodeToString(sum[:])
	return p, nil
}

// Sum returns the SHA-256, in hex, of what the guest sees of the packages:
// their order on sys.path and every file's path and contents. Two loads of the same files give the same
// sum. It is "" for nil.
func (p *Packages) Sum() string {
	if p == nil {
		return ""
	}
	return p.sum
}

// SysPath returns the directories the packages put on sys.path, in the
// guest, in order.
func (p *Packages) SysPath() []string {
	if p == nil {
		return nil
	}
	return append([]string{}, p.entries...)
}

// mountLabel names the directory under PackagesDir that src is mounted in:
// its base name, with "-2", "-3", ... after it when two packages share one.
// A ':' becomes '_': the name goes into PYTHONPATH, which ':' separates.
func mountLabel(src string, used map[string]bool) string {
	base := strings.ReplaceAll(filepath.Base(filepath.Clean(src)), ":", "_")
	if base == "." || base == string(filepath.Separator) || base == ".." {
		base = "package"
	}
	label := base
	for n := 2; used[label]; n++ {
		label = base + "-" + strconv.Itoa(n)
	}
	used[label] = true
	return label
}

// load adds the package at src to the tree under label.
func (p *Packages) load(src, label string) error {
	info, err := os.Stat(src)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Path == src {
		err = pe.Err // the path is named once
	}
	if err != nil {
		return fmt.Errorf("wasmbox: package %s: %w", src, err)
	}
	switch ext := strings.ToLower(filepath.Ext(src)); {
	case info.IsDir():
		if _, err := os.Stat(filepath.Join(src, "__init__.py")); err == nil {
			label += "/" + filepath.Base(filepath.Clean(src))
		}
		return p.loadDir(src, label)
	case !info.Mode().IsRegular():
		return fmt.Errorf("wasmbox: package %s: not a regular file or a directory: %w", src, ErrBadPackage)
	case ext == ".zip" || ext == ".whl":
		return p.loadArchive(src, label, ext == ".whl")
	default:
		return fmt.Errorf("wasmbox: package %s: unknown kind of package %q: give a directory, a .zip or a pure-Python .whl: %w", src, ext, ErrBadPackage)
	}
}

// loadDir adds the files under dir. Links to files are read through; a
// link to a directory is refused (it could loop).
func (p *Packages) loadDir(dir, label string) error {
	return filepath.WalkDir(dir, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("wasmbox: package %s: %w", dir, err)
		}
		rel, err := filepath.Rel(dir, file)
		if err != nil {
			return fmt.Errorf("wasmbox: package %s: %w", dir, err)
		}
		name := path.Join(label, filepath.ToSlash(rel))
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			info, err := os.Stat(file)
			if err != nil {
				return fmt.Errorf("wasmbox: package %s: %w", dir, err)
			}
			if info.IsDir() {
				return fmt.Errorf("wasmbox: package %s: %s is a link to a directory, which packages may not hold: %w", dir, file, ErrBadPackage)
			}
			mode = info.Mode().Type()
		}
		switch {
		case d.IsDir():
			p.tree.mkdirAll(name)
			return nil
		case mode != 0:
			return fmt.Errorf("wasmbox: package %s: %s is not a regular file: %w", dir, file, ErrBadPackage)
		}
		if err := checkMember(dir, filepath.ToSlash(rel)); err != nil {
			return err
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("wasmbox: package %s: %w", dir, err)
		}
		return p.tree.add(name, data)
	})
}

// loadArchive adds the members of the zip or wheel at src.
func (p *Packages) loadArchive(src, label string, wheel bool) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("wasmbox: package %s: not a valid zip archive (%v): %w", src, err, ErrBadPackage)
		}
		return fmt.Errorf("wasmbox: package %s: %w", src, err)
	}
	defer zr.Close()
	purelib := ""
	if wheel {
		if purelib, err = checkWheel(src, &zr.Reader); err != nil {
			return err
		}
	}
	for _, f := range zr.File {
		name := f.Name
		if !fs.ValidPath(strings.TrimSuffix(name, "/")) || strings.Contains(name, "\\") {
			return fmt.Errorf("wasmbox: package %s: member %q is not a plain relative path: %w", src, name, ErrBadPackage)
		}
		if purelib != "" && strings.HasPrefix(name, purelib) && name != purelib {
			name = strings.TrimPrefix(name, purelib)
		}
		if f.FileInfo().IsDir() {
			p.tree.mkdirAll(path.Join(label, name))
			continue
		}
		if !f.Mode().IsRegular() {
			return fmt.Errorf("wasmbox: package %s: member %q is not a regular file: %w", src, f.Name, ErrBadPackage)
		}
		if err := checkMember(src, f.Name); err != nil {
			return err
		}
		data, err := readMember(f)
		if err != nil {
			return fmt.Errorf("wasmbox: package %s: member %q: %v: %w", src, f.Name, err, ErrBadPackage)
		}
		if err := p.tree.add(path.Join(label, name), data); err != nil {
			return fmt.Errorf("wasmbox: package %s: member %q: %v: %w", src, f.Name, err, ErrBadPackage)
		}
	}
	return nil
}

// readMember reads a zip member whole, checking its CRC.
func readMember(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// nativeSuffixes are the file name endings of compiled extension modules
// and the shared libraries they load (versioned ones, libx.so.1, too).
var nativeSuffixes = []string{".so", ".pyd", ".dylib", ".dll"}

// checkMember refuses a compiled extension module in the package at src.
func checkMember(src, member string) error {
	lower := strings.ToLower(member)
	native := strings.Contains(lower, ".so.") // a versioned shared library
	for _, suffix := range nativeSuffixes {
		native = native || strings.HasSuffix(lower, suffix)
	}
	if native {
		return fmt.Errorf("wasmbox: package %s: member %q is a compiled extension: %w", src, member, ErrNotPurePython)
	}
	return nil
}

// checkWheel checks that the wheel at src is pure Python: its file name's
// tags and its .dist-info/WHEEL. It returns the .data/purelib/ prefix of
// the wheel's members ("" when it has none).
func checkWheel(src string, zr *zip.Reader) (string, error) {
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	parts := strings.Split(base, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return "", fmt.Errorf("wasmbox: package %s: a wheel's name must be NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl: %w", src, ErrBadPackage)
	}
	if err := checkTags(src, "its file name", strings.Join(parts[len(parts)-3:], "-")); err != nil {
		return "", err
	}
	var wheelFile *zip.File
	for _, f := range zr.File {
		dir, name, ok := strings.Cut(f.Name, "/")
		if ok && name == "WHEEL" && strings.HasSuffix(dir, ".dist-info") {
			if wheelFile != nil {
				return "", fmt.Errorf("wasmbox: package %s: more than one .dist-info/WHEEL: %w", src, ErrBadPackage)
			}
			wheelFile = f
		}
	}
	if wheelFile == nil {
		return "", fmt.Errorf("wasmbox: package %s: not a wheel: it has no .dist-info/WHEEL: %w", src, ErrBadPackage)
	}
	data, err := readMember(wheelFile)
	if err != nil {
		return "", fmt.Errorf("wasmbox: package %s: member %q: %v: %w", src, wheelFile.Name, err, ErrBadPackage)
	}
	purelib, tags := "", 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "Root-Is-Purelib":
			purelib = value
		case "Tag":
			tags++
			if err := checkTags(src, wheelFile.Name, value); err != nil {
				return "", err
			}
		}
	}
	switch {
	case !strings.EqualFold(purelib, "true"):
		return "", fmt.Errorf("wasmbox: package %s: %s says Root-Is-Purelib: %q, not true: the wheel is platform-specific: %w", src, wheelFile.Name, purelib, ErrNotPurePython)
	case tags == 0:
		return "", fmt.Errorf("wasmbox: package %s: %s lists no Tag: %w", src, wheelFile.Name, ErrBadPackage)
	}
	dataDir := strings.TrimSuffix(strings.TrimSuffix(wheelFile.Name, "/WHEEL"), ".dist-info") + ".data/purelib/"
	return dataDir, nil
}

// checkTags refuses a compressed tag set (PYTHON-ABI-PLATFORM, each part
// possibly dotted) other than py*-none-any; where says where it was read.
func checkTags(src, where, tagSet string) error {
	parts := strings.Split(tagSet, "-")
	ok := len(parts) == 3 && parts[1] == "none" && parts[2] == "any"
	if ok {
		for _, py := range strings.Split(parts[0], ".") {
			ok = ok && strings.HasPrefix(py, "py")
		}
	}
	if !ok {
		return fmt.Errorf("wasmbox: package %s: %s has the tag %q, not py*-none-any: %w", src, where, tagSet, ErrNotPurePython)
	}
	return nil
}

// pythonPath returns env with the packages' directories added to
// PYTHONPATH, after any it names already: the interpreter (and warm.py, in a
// warm instance) puts them on sys.path after the script's directory and
// before the standard library. env itself is not changed.
func (p *Packages) pythonPath(env map[string]string) map[string]string {
	if p == nil {
		return env
	}
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	entries := p.entries
	if prev := out["PYTHONPATH"]; prev != "" {
		entries = append([]string{prev}, entries...)
	}
	out["PYTHONPATH"] = strings.Join(entries, ":")
	return out
}
