package shell

import (
	"errors"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// errText is the C library's message for each errno, as GNU tools print it.
var errText = map[experimentalsys.Errno]string{
	experimentalsys.EACCES:       "Permission denied",
	experimentalsys.EAGAIN:       "Resource temporarily unavailable",
	experimentalsys.EBADF:        "Bad file descriptor",
	experimentalsys.EEXIST:       "File exists",
	experimentalsys.EFAULT:       "Bad address",
	experimentalsys.EINTR:        "Interrupted system call",
	experimentalsys.EINVAL:       "Invalid argument",
	experimentalsys.EIO:          "Input/output error",
	experimentalsys.EISDIR:       "Is a directory",
	experimentalsys.ELOOP:        "Too many levels of symbolic links",
	experimentalsys.ENAMETOOLONG: "File name too long",
	experimentalsys.ENOENT:       "No such file or directory",
	experimentalsys.ENOSYS:       "Function not implemented",
	experimentalsys.ENOTDIR:      "Not a directory",
	experimentalsys.ERANGE:       "Numerical result out of range",
	experimentalsys.ENOTEMPTY:    "Directory not empty",
	experimentalsys.ENOTSOCK:     "Socket operation on non-socket",
	experimentalsys.ENOTSUP:      "Operation not supported",
	experimentalsys.EPERM:        "Operation not permitted",
	experimentalsys.EROFS:        "Read-only file system",
}

// ErrText returns the message a GNU tool prints for err ("No such file or
// directory"): the C library's text when err is or wraps an
// experimentalsys.Errno, err.Error() otherwise.
func ErrText(err error) string {
	var errno experimentalsys.Errno
	if errors.As(err, &errno) {
		if text, ok := errText[errno]; ok {
			return text
		}
	}
	return err.Error()
}
