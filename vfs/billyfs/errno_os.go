//go:build linux

package billyfs

import (
	"errors"
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// fromOS maps the host's errno inside an *os.PathError or similar (an
// os: store): on linux its number is Linux's.
func fromOS(err error) (vfs.Errno, bool) {
	var se syscall.Errno
	if errors.As(err, &se) && se != 0 {
		return vfs.Errno(se), true
	}
	return 0, false
}
