//go:build unix

package shell

import (
	"os"
	"reflect"
	"syscall"

	"github.com/tetratelabs/wazero/sys"
)

// statSys returns a *syscall.Stat_t of st owned by this process's user.
// Nlink's width differs between platforms (uint64 on linux/amd64, uint32
// on linux/arm64, uint16 on darwin), so it is set by reflection.
func statSys(st sys.Stat_t) any {
	s := &syscall.Stat_t{Ino: st.Ino, Size: st.Size, Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	reflect.ValueOf(&s.Nlink).Elem().SetUint(st.Nlink)
	return s
}
