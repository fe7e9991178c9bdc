//go:build !linux

package hostfs

import (
	"errors"
	"io/fs"

	"github.com/go-git/go-billy/v5"
)

// sysAttr adds nothing off linux: inode numbers are kept per path.
func sysAttr(fi fs.FileInfo, a *hattr) {}

func hostDev(fi fs.FileInfo) (uint64, bool) { return 0, false }

// canFutimens: off linux setattr changes times by name.
func canFutimens(f billy.File) bool { return false }

func futimens(f billy.File, atime, mtime *int64) error { return errors.ErrUnsupported }
