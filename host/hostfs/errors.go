package hostfs

import (
	"errors"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// errno maps an error of the backing store to the Linux errno the VFS
// returns; it is the one place where that happens. Two rows are hostfs's
// own; every other error goes through billyfs.Errno, whose table (a
// vfs.Errno as itself, the host's syscall.Errno inside *os.PathError,
// *os.LinkError, *os.SyscallError... as the same errno, the fs.Err*,
// billy.Err* and errors.ErrUnsupported sentinels, EIO for anything else)
// the two share. In order:
//
//	error                                   errno
//	nil                                     nil
//	os.Root's "path escapes from parent"    EXDEV (what openat2's
//	                                          RESOLVE_BENEATH gives)
//	osfs's ErrBaseDirCannotBe*              EBUSY (the mount root)
//	anything else                           billyfs.Errno
//
// Neither of hostfs's rows carries an errno or a sentinel of billyfs's
// table, so checking them first takes nothing from it. TestErrno checks
// every row, and those of billyfs's table that hostfs meets.
func errno(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case strings.Contains(err.Error(), "path escapes from parent"):
		return vfs.EXDEV
	case errors.Is(err, osfs.ErrBaseDirCannotBeRemoved), errors.Is(err, osfs.ErrBaseDirCannotBeRenamed):
		return vfs.EBUSY
	}
	return billyfs.Errno(err)
}
