package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"

	"github.com/vfscope/vfscope/vfs"
)

// TestErrno checks each row of errno's table.
func TestErrno(t *testing.T) {
	pe := func(err error) error { return &fs.PathError{Op: "op", Path: "p", Err: err} }
	for _, c := range []struct {
		err  error
		want error
	}{
		{nil, nil},
		{vfs.ENOSPC, vfs.ENOSPC},
		{fmt.Errorf("wrapped: %w", vfs.EMLINK), vfs.EMLINK},
		{pe(syscall.ENOENT), vfs.ENOENT},
		{pe(syscall.ENOTEMPTY), vfs.ENOTEMPTY},
		{pe(syscall.EXDEV), vfs.EXDEV},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EISDIR}, vfs.EISDIR},
		{os.NewSyscallError("statfs", syscall.ELOOP), vfs.ELOOP},
		{pe(errors.New("path escapes from parent")), vfs.EXDEV},
		{os.ErrNotExist, vfs.ENOENT},
		{fmt.Errorf("x: %w", fs.ErrNotExist), vfs.ENOENT},
		{fs.ErrExist, vfs.EEXIST},
		{fs.ErrPermission, vfs.EACCES},
		{fs.ErrInvalid, vfs.EINVAL},
		{fs.ErrClosed, vfs.EBADF},
		{billy.ErrReadOnly, vfs.EROFS},
		{billy.ErrNotSupported, vfs.EOPNOTSUPP},
		{errors.ErrUnsupported, vfs.EOPNOTSUPP},
		{billy.ErrCrossedBoundary, vfs.EXDEV},
		{osfs.ErrBaseDirCannotBeRemoved, vfs.EBUSY},
		{osfs.ErrBaseDirCannotBeRenamed, vfs.EBUSY},
		{errors.New("something else"), vfs.EIO},
	} {
		if got := errno(c.err); got != c.want {
			t.Errorf("errno(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
