package hostfs

import (
	"errors"
	"syscall"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// fsync is ->fsync of a regular file, hostfs_fsync(): the host file
// open in File.Private, synced by syncHost, fdatasync(2) when datasync
// (fdatasync, and an O_DSYNC write's generic_write_sync) and fsync(2)
// otherwise. Errors are the host's, through errno.
func fsync(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error {
	return syncHost(f.Private.(*handle).f, datasync)
}

// dirFsync is ->fsync of a directory: hostfs_fsync too (UML's hostfs
// gives it to directories, whose host descriptor it syncs), here on the
// host directory opened by its name for the call, since an open
// directory keeps no host file. A directory no longer on the host
// (unhashed), and a store that cannot open a directory (memfs: its
// error carries no host errno), have nothing on the host to sync. Off
// Linux (syncDirs) nothing is synced, as before.
func dirFsync(t *vfs.Task, f *vfs.File, start, end int64, datasync bool) error {
	if !syncDirs {
		return nil
	}
	p, ok := hostPath(f.Dentry())
	if !ok {
		return nil
	}
	df, err := info(f.Inode().SB()).fs.Open(p)
	if err != nil {
		var en syscall.Errno
		if errors.As(err, &en) {
			return errno(err)
		}
		return nil
	}
	defer df.Close()
	return syncHost(df, datasync)
}

// syncByMethod is the store file's own Sync (os.File's), nil when its
// files have none (memfs: nothing there outlives the process).
func syncByMethod(f billy.File) error {
	if s, ok := f.(interface{ Sync() error }); ok {
		return errno(s.Sync())
	}
	return nil
}
