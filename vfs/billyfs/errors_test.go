package billyfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"testing"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// TestErrno checks every row of Errno's table.
func TestErrno(t *testing.T) {
	cases := []struct {
		err  error
		want error
	}{
		{nil, nil},
		{vfs.ENOSPC, vfs.ENOSPC},
		{&os.PathError{Op: "write", Path: "f/2", Err: vfs.EIO}, vfs.EIO},
		{fmt.Errorf("wrapped: %w", vfs.EROFS), vfs.EROFS},
		{fs.ErrNotExist, vfs.ENOENT},
		{&os.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, vfs.ENOENT},
		{fs.ErrExist, vfs.EEXIST},
		{fs.ErrPermission, vfs.EACCES},
		{fs.ErrInvalid, vfs.EINVAL},
		{fs.ErrClosed, vfs.EBADF},
		{io.ErrShortWrite, vfs.EIO},
		{billy.ErrReadOnly, vfs.EROFS},
		{billy.ErrNotSupported, vfs.EOPNOTSUPP},
		{errors.ErrUnsupported, vfs.EOPNOTSUPP},
		{billy.ErrCrossedBoundary, vfs.EXDEV},
		{errors.New("something else"), vfs.EIO},
	}
	for _, c := range cases {
		if got := Errno(c.err); got != c.want {
			t.Errorf("Errno(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
