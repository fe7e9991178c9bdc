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
