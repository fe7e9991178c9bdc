//go:build linux

package hostfs

// SetHostSyncCalls makes syncHost call fsync and fdatasync in place of
// the system calls, for a test to see which one ran; restore puts the
// real ones back.
func SetHostSyncCalls(fsync, fdatasync func(fd int) error) (restore func()) {
	old := hostSyncCalls
	hostSyncCalls.fsync, hostSyncCalls.fdatasync = fsync, fdatasync
	return func() { hostSyncCalls = old }
}

// SetHostSyncfs makes ->sync_fs call syncfs in place of syncfs(2);
// restore puts the real one back.
func SetHostSyncfs(syncfs func(fd int) error) (restore func()) {
	old := hostSyncCalls.syncfs
	hostSyncCalls.syncfs = syncfs
	return func() { hostSyncCalls.syncfs = old }
}
