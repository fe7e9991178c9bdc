package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestAccessAsksPermission: faccessat(2) asks ->permission for every
// mode, F_OK included (do_faccessat: inode_permission(mode|MAY_ACCESS)),
// so F_OK fails where ->permission refuses whatever the mask. On the
// host, as uid 1000: access("/proc/1/fdinfo", F_OK) is EACCES, and
// access("/proc/1/fd", F_OK) succeeds (proc_fd_permission is the mode
// bits, which grant an empty mask).
func TestAccessAsksPermission(t *testing.T) {
	user := func(e *vt.Env) { e.As(1000, 1000, 50) }
	access := func(path func(e *vt.Env) string, mode int) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Access(path(e), mode) }
	}
	rootPid := func(sub string) func(e *vt.Env) string {
		return func(e *vt.Env) string { return "/proc/" + itoa(int(e.Root.PID())) + sub }
	}
	own := func(sub string) func(e *vt.Env) string {
		return func(e *vt.Env) string { return "/proc/" + itoa(int(e.T.PID())) + sub }
	}
	plain := func(p string) func(e *vt.Env) string { return func(*vt.Env) string { return p } }
	vt.Run(t, []vt.Case{
		{Name: "F_OK others fdinfo", Setup: user, Op: access(rootPid("/fdinfo"), F_OK), Want: EACCES},
		{Name: "R_OK others fdinfo", Setup: user, Op: access(rootPid("/fdinfo"), R_OK), Want: EACCES},
		{Name: "F_OK own fdinfo", Setup: user, Op: access(own("/fdinfo"), F_OK)},
		{Name: "F_OK others fd", Setup: user, Op: access(rootPid("/fd"), F_OK)},
		{Name: "X_OK others fd", Setup: user, Op: access(rootPid("/fd"), X_OK), Want: EACCES},
		{Name: "F_OK mode 000", Setup: func(e *vt.Env) { e.Must(e.Root.Chmod("/d/f", 0)); user(e) }, Op: access(plain("/d/f"), F_OK)},
		{Name: "F_OK missing", Setup: user, Op: access(plain("/d/nope"), F_OK), Want: ENOENT},
		{Name: "F_OK behind unsearchable dir", Setup: user, Op: access(plain("/priv/x"), F_OK), Want: EACCES},
		{Name: "F_OK sysctl", Setup: user, Op: access(plain("/proc/sys/fs/lease-break-time"), F_OK)},
		{Name: "W_OK sysctl", Setup: user, Op: access(plain("/proc/sys/fs/lease-break-time"), W_OK), Want: EACCES},
	})
}
