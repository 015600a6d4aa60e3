package runtime

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Verifying the embedded interpreter hashes some 20 MB: a tenth of a
// second of CPU in every process, for a check whose answer cannot change
// while the binary does not. So once a binary's embedded files have
// matched their pinned sums, NewEngine leaves a stamp in the cache
// directory named by the binary's identity (path, device, inode, size,
// modification and change times: see executableIdentity) and the pinned
// sums; a later process of the same binary finds the stamp and skips the
// hash.
//
// The stamp is no weaker than what sits beside it. Anyone who can write
// to the cache directory can already replace the compiled machine code
// that NewEngine loads from it (wazero checks a CRC, not a signature), so
// a forged stamp, which at most skips the check of a binary that was
// corrupted on disk, gives them nothing new: the cache directory must be
// trusted as the binary is (README, "Compilation cache"). A binary replaced
// or rewritten in place gets a new inode or new times, so the stamp of its
// predecessor does not name it.

// embedStampPrefix begins the names of the stamps in the cache directory.
const embedStampPrefix = "embed-verified-"

// embedStampPath is the stamp that records that this executable's embedded
// files match sums, in cacheDir; "" when there is no cache directory or the
// executable cannot be identified.
func embedStampPath(cacheDir string, sums ...string) string {
	if cacheDir == "" {
		return ""
	}
	id, ok := executableIdentity()
	if !ok {
		return ""
	}
	return filepath.Join(cacheDir, embedStampPrefix+sumOf(append([]string{id}, sums...)...)[:32])
}

// verifyStamped runs verify unless the stamp at path exists, and leaves the
// stamp after a verification that passed. An empty path always verifies. A
// stamp that cannot be written is no error: the next process hashes again.
func verifyStamped(path string, verify func() error) error {
	if path != "" {
		if _, err := os.Lstat(path); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			path = "" // unreadable: verify and leave it alone
		}
	}
	if err := verify(); err != nil {
		return err
	}
	if path != "" {
		if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
			pruneEmbedStamps(filepath.Dir(path), time.Now().Add(-embedStampMaxAge))
		}
	}
	return nil
}

// embedStampMaxAge is how long a stamp is kept: every build of wasmbox
// (and of a test binary) leaves one, and a binary whose stamp went away
// only hashes its files once more.
const embedStampMaxAge = 7 * 24 * time.Hour

// pruneEmbedStamps removes the stamps in dir last written before cutoff.
// It runs when a stamp is written, that is once per binary.
func pruneEmbedStamps(dir string, cutoff time.Time) {
	stamps, _ := filepath.Glob(filepath.Join(dir, embedStampPrefix+"*"))
	for _, p := range stamps {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			os.Remove(p)
		}
	}
}

// executableIdentity names the running executable's file as it is now:
// its path and what os.Stat says of it.
func executableIdentity() (string, bool) {
	exe, err := os.Executable()
	if err != nil {
		return "", false
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "", false
	}
	return exe + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + fileIdentity(fi), true
}
