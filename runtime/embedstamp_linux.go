package runtime

import (
	"io/fs"
	"strconv"
	"syscall"
)

// fileIdentity adds the device, inode and change time of fi: a file
// rewritten or replaced cannot keep them all, whatever times it is given.
func fileIdentity(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return "\x00" + strconv.FormatUint(uint64(st.Dev), 10) + "\x00" + strconv.FormatUint(uint64(st.Ino), 10) +
		"\x00" + strconv.FormatInt(int64(st.Ctim.Sec), 10) + "." + strconv.FormatInt(int64(st.Ctim.Nsec), 10)
}
