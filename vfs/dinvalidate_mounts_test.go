package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// procMountSetup forks a task, mounts a tmpfs on /proc/<pid>/fd and, when
// exit is set, ends the task. It leaves the mountpoint's path in *mp.
func procMountSetup(mp *string, exit bool) func(e *vt.Env) {
	return func(e *vt.Env) {
		c := e.Root.Fork("c")
		*mp = "/proc/" + itoa(int(c.PID())) + "/fd"
		e.Must(e.Root.Mount("tmpfs", *mp, "tmpfs", 0, ""))
		if exit {
			c.Exit()
		} else {
			e.TB.Cleanup(c.Exit)
		}
	}
}

func procMounts(e *vt.Env) string {
	s, err := e.ReadFile("/proc/mounts")
	e.Must(err)
	return s
}

// TestDInvalidateDetachesMounts: a mount on a /proc/<pid> directory goes
// when the task does. Linux fs/dcache.c d_invalidate, run when
// ->d_revalidate finds /proc/<pid> stale, calls detach_mounts for every
// mountpoint below the victim (fs/namespace.c: a lazy umount_tree), so
// the mount leaves /proc/mounts and no longer pins /proc. Before the fix
// d_invalidate was d_drop: the mount stayed listed and umount /proc gave
// EBUSY.
func TestDInvalidateDetachesMounts(t *testing.T) {
	var mp string
	var st Stat
	listed := func(want bool) func(e *vt.Env) {
		return func(e *vt.Env) {
			if got := strings.Contains(procMounts(e), " "+mp+" "); got != want {
				e.TB.Fatalf("%s in /proc/mounts: %v, want %v\n%s", mp, got, want, procMounts(e))
			}
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "task alive: the mount stays", Setup: procMountSetup(&mp, false),
			Op: func(e *vt.Env) error { return e.T.Stat(mp, &st) }, Check: listed(true)},
		{Name: "task gone: the lookup fails", Setup: procMountSetup(&mp, true),
			Op: func(e *vt.Env) error { return e.T.Stat(mp, &st) }, Want: ENOENT},
		{Name: "task gone: the mount leaves /proc/mounts", Setup: procMountSetup(&mp, true),
			Op: func(e *vt.Env) error { e.T.Stat(mp, &st); return nil }, Check: listed(false)},
		{Name: "task gone: /proc is no longer busy", Setup: procMountSetup(&mp, true),
			Op: func(e *vt.Env) error { e.T.Stat(mp, &st); return e.T.Umount2("/proc", 0) }},
		{Name: "task alive: /proc stays busy", Setup: procMountSetup(&mp, false),
			Op: func(e *vt.Env) error { return e.T.Umount2("/proc", 0) }, Want: EBUSY},
		{Name: "task gone: a mount on the mount goes too", Setup: func(e *vt.Env) {
			procMountSetup(&mp, false)(e)
			e.Must(e.Root.Mkdir(mp+"/in", 0o755))
			e.Must(e.Root.Mount("tmpfs", mp+"/in", "tmpfs", 0, ""))
		}, Op: func(e *vt.Env) error {
			// The task ends only now, after the nested mount.
			e.V.TaskByPID(int32(atoi(e, strings.Split(mp, "/")[2]))).Exit()
			e.T.Stat(mp, &st)
			if strings.Contains(procMounts(e), mp) {
				e.TB.Fatalf("mounts below %s still listed:\n%s", mp, procMounts(e))
			}
			return e.T.Umount2("/proc", 0)
		}},
	})
}

func atoi(e *vt.Env, s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			e.TB.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
