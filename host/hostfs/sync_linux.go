//go:build linux

package hostfs

import (
	"os"
	"syscall"

	"github.com/go-git/go-billy/v5"
	"golang.org/x/sys/unix"

	"github.com/vfscope/vfscope/vfs"
)

// syncDirs: a directory's fsync syncs the host directory (dirFsync).
const syncDirs = true

// hostSyncCalls are the two system calls syncHost makes on a host
// descriptor: fsync(2), and fdatasync(2) when only the data and the
// metadata needed to read it back must reach the storage. A variable
// only so that a test can see which one ran (the host shows no
// difference); nothing else changes it.
var hostSyncCalls = struct{ fsync, fdatasync, syncfs func(fd int) error }{syscall.Fsync, syscall.Fdatasync, unix.Syncfs}

// syncFS is ->sync_fs: syncfs(2) of the host filesystem holding a Dir's
// root, on the root directory Dir opened, so that sync(2) and syncfs(2)
// in the VFS reach the host's storage as fsync(2) does. The VFS calls
// it twice (sync_filesystem): without wait, which does nothing here,
// then with wait, when syncfs(2), which always waits, runs. Another
// store has no host filesystem of its own to sync (osfs's BoundOS
// keeps no descriptor; memfs is memory).
func syncFS(t *vfs.Task, sb *vfs.SuperBlock, wait bool) error {
	d, ok := info(sb).fs.(*Dir)
	if !wait || !ok {
		return nil
	}
	return errno(d.withRootFd(hostSyncCalls.syncfs))
}

// syncHost is fsync_file() of UML's hostfs on the host file f:
// fdatasync(2) of its descriptor when datasync, else fsync(2), retried
// on EINTR as os.File's Sync retries. A store file with no descriptor
// (syscall.Conn: os.File's, hence Dir's and osfs's) gets its own Sync.
func syncHost(f billy.File, datasync bool) error {
	c, ok := f.(syscall.Conn)
	if !ok {
		return syncByMethod(f)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return errno(err)
	}
	call, op := hostSyncCalls.fsync, "fsync"
	if datasync {
		call, op = hostSyncCalls.fdatasync, "fdatasync"
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = call(int(fd)); serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return errno(err)
	}
	if serr != nil {
		return errno(&os.PathError{Op: op, Path: f.Name(), Err: serr})
	}
	return nil
}
