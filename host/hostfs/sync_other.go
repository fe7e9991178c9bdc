//go:build !linux

package hostfs

import (
	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// syncDirs: off Linux a directory's fsync leaves the host alone:
// Windows refuses FlushFileBuffers on a directory opened for reading.
const syncDirs = false

// syncHost is the store file's Sync whatever datasync asks, so
// fdatasync is a full sync here. os.File's Sync is fsync(2) on most
// Unix systems; on darwin fcntl(F_FULLFSYNC), which also flushes the
// drive's write cache (stronger than Linux's fsync), falling back to
// fsync(2) where the filesystem refuses it; FlushFileBuffers on Windows.
func syncHost(f billy.File, datasync bool) error { return syncByMethod(f) }

// syncFS is ->sync_fs: nothing off Linux, which has no syncfs(2); a
// file's fsync still reaches the host (syncHost).
func syncFS(t *vfs.Task, sb *vfs.SuperBlock, wait bool) error { return nil }
