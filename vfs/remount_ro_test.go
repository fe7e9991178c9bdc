package vfs_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// mountinfoLine returns the fields of /proc/self/mountinfo's last line
// whose mount point is mp: [0] id ... [5] the per-mount options, then
// "-", the type, the source and the superblock's options.
func mountinfoLine(e *vt.Env, mp string) []string {
	e.TB.Helper()
	s, err := e.ReadFile("/proc/self/mountinfo")
	if err != nil {
		e.TB.Fatal(err)
	}
	var found []string
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 9 && f[4] == mp {
			found = f
		}
	}
	if found == nil {
		e.TB.Fatalf("%s not in mountinfo:\n%s", mp, s)
	}
	return found
}

// wantMountinfoRO checks the per-mount and the superblock's rw/ro of
// mountinfo's line for mp.
func wantMountinfoRO(mp, mnt, sb string) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		f := mountinfoLine(e, mp)
		if got := strings.Split(f[5], ",")[0]; got != mnt {
			e.TB.Errorf("%s: per-mount %q, want %s", mp, f[5], mnt)
		}
		if got := strings.Split(f[len(f)-1], ",")[0]; got != sb {
			e.TB.Errorf("%s: superblock %q, want %s", mp, f[len(f)-1], sb)
		}
	}
}

// probefsOn mounts probefs, a filesystem with ->freeze_fs, at dst.
func probefsOn(dst string, flags uint32) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		e.Must(probefs.New(probefs.Config{}).Register(e.Root, e.V))
		e.Must(e.Root.Mount("none", dst, "probefs", flags, ""))
	}
}

// TestRemountReadOnly: mount(MS_REMOUNT) as reconfigure_super() and
// do_remount() in fs/super.c and fs/namespace.c do it, checked against
// Linux 6.18 (tmpfs under unshare -m):
//   - do_remount calls set_mount_attributes(mnt, mnt_flags): the
//     mount's own MNT_READONLY follows MS_RDONLY, and mountinfo's
//     per-mount field shows it ("ro,relatime - tmpfs none ro"); a remount
//     to rw through a bind leaves the first mount ro;
//   - reconfigure_super returns EBUSY while s_writers.frozen !=
//     SB_UNFROZEN, in either direction;
//   - sb_prepare_remount_readonly walks sb->s_mounts, lazily detached
//     mounts included, and fails with EBUSY for a writer on any of them
//     or for s_remove_count (an unlinked inode still open).
func TestRemountReadOnly(t *testing.T) {
	tm := mountT("none", "/e", "tmpfs", 0, "")
	remountRO := func(e *vt.Env) error { return e.T.Mount("none", "/e", "", vfs.MS_REMOUNT|vfs.MS_RDONLY, "") }
	var fd int
	vt.Run(t, []vt.Case{
		{Name: "remount ro sets the mount's flag", Setup: tm, Op: remountRO, Check: wantMountinfoRO("/e", "ro", "ro")},
		{Name: "remount rw through a bind keeps the first mount ro",
			Setup: func(e *vt.Env) {
				tm(e)
				e.Must(remountRO(e))
				e.Must(e.Root.Mkdir("/b", 0o755))
				e.Must(e.Root.Mount("/e", "/b", "", vfs.MS_BIND, ""))
			},
			Op: func(e *vt.Env) error { return e.T.Mount("none", "/b", "", vfs.MS_REMOUNT, "") },
			Check: func(e *vt.Env) {
				wantMountinfoRO("/e", "ro", "rw")(e)
				wantMountinfoRO("/b", "rw", "rw")(e)
			}},
		{Name: "remount ro while frozen", Setup: func(e *vt.Env) { probefsOn("/e", 0)(e); e.Must(e.Root.Freeze("/e")) },
			Op: remountRO, Want: vfs.EBUSY,
			Check: func(e *vt.Env) {
				e.Must(e.Root.Thaw("/e"))
				wantMountinfoRO("/e", "rw", "rw")(e)
				e.WriteFile("/e/after", "x", 0o644)
			}},
		{Name: "remount rw while frozen", Setup: func(e *vt.Env) { probefsOn("/e", vfs.MS_RDONLY)(e); e.Must(e.Root.Freeze("/e")) },
			Op:   func(e *vt.Env) error { return e.T.Mount("none", "/e", "", vfs.MS_REMOUNT, "") },
			Want: vfs.EBUSY,
			Check: func(e *vt.Env) {
				if _, err := e.Root.Open("/e/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644); err != vfs.EROFS {
					e.TB.Errorf("create on the frozen ro fs: %v, want EROFS", err)
				}
				e.Must(e.Root.Thaw("/e"))
				wantMountinfoRO("/e", "ro", "ro")(e)
			}},
		{Name: "writer through a lazily detached bind",
			Setup: func(e *vt.Env) {
				tm(e)
				e.Must(e.Root.Mkdir("/b", 0o755))
				e.Must(e.Root.Mount("/e", "/b", "", vfs.MS_BIND, ""))
				var err error
				fd, err = e.Root.Open("/b/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				e.Must(err)
				e.Must(e.Root.Umount2("/b", vfs.MNT_DETACH))
			},
			Op: remountRO, Want: vfs.EBUSY,
			Check: func(e *vt.Env) {
				if n, err := e.Root.Write(fd, []byte("data")); n != 4 || err != nil {
					e.TB.Errorf("write through the detached mount: %d %v", n, err)
				}
				e.Must(e.Root.Close(fd))
				e.Must(remountRO(e))
			}},
		{Name: "unlinked file still open",
			Setup: func(e *vt.Env) {
				tm(e)
				e.WriteFile("/e/f", "hi", 0o644)
				var err error
				fd, err = e.Root.Open("/e/f", vfs.O_RDONLY, 0)
				e.Must(err)
				e.Must(e.Root.Unlink("/e/f"))
			},
			Op: remountRO, Want: vfs.EBUSY,
			Check: func(e *vt.Env) {
				e.Must(e.Root.Close(fd))
				e.Must(remountRO(e))
			}},
		// check_mnt: a lazily detached mount, reached through the
		// working directory of a task standing in it, is not
		// remounted, by either kind of remount (EINVAL for both on the
		// host, from a shell whose cwd was lazily unmounted).
		{Name: "remount of a lazily detached mount",
			Setup: func(e *vt.Env) { tm(e); e.Must(e.T.Chdir("/e")); e.Must(e.Root.Umount2("/e", vfs.MNT_DETACH)) },
			Op:    func(e *vt.Env) error { return e.T.Mount("none", ".", "", vfs.MS_REMOUNT|vfs.MS_RDONLY, "") },
			Want:  vfs.EINVAL,
			Check: func(e *vt.Env) {
				fd, err := e.T.Open("f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				if err != nil {
					e.TB.Errorf("create in the detached mount after the refused remount: %v", err)
					return
				}
				e.Must(e.T.Close(fd))
			}},
		{Name: "bind remount of a lazily detached mount",
			Setup: func(e *vt.Env) { tm(e); e.Must(e.T.Chdir("/e")); e.Must(e.Root.Umount2("/e", vfs.MNT_DETACH)) },
			Op:    func(e *vt.Env) error { return e.T.Mount("none", ".", "", vfs.MS_REMOUNT|vfs.MS_BIND|vfs.MS_RDONLY, "") },
			Want:  vfs.EINVAL},
		{Name: "writer on the mount", Setup: func(e *vt.Env) {
			tm(e)
			var err error
			fd, err = e.Root.Open("/e/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			e.Must(err)
		}, Op: remountRO, Want: vfs.EBUSY, Check: func(e *vt.Env) { e.Must(e.Root.Close(fd)) }},
	})
}

// TestRemountReadOnlyRacesOpen: a remount to read-only and an open for
// writing race; sb_prepare_remount_readonly sets MNT_WRITE_HOLD on every
// mount before counting writers, and mnt_get_write_access waits for the
// hold to go before it looks at the read-only state, so an open that
// succeeded always makes the remount fail: a descriptor open for writing
// on a read-only superblock never exists.
func TestRemountReadOnlyRacesOpen(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	e.Must(r.Mkdir("/m", 0o755))
	e.Must(r.Mount("none", "/m", "tmpfs", 0, ""))
	e.WriteFile("/m/f", "", 0o644)
	var m *vfs.Mount
	for _, x := range e.V.Mounts() {
		if x.Mountpoint().Name() == "m" {
			m = x
		}
	}
	w := r.Fork("writer")
	defer w.Exit()
	stop := make(chan struct{})
	bad := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			fd, err := w.Open("/m/f", vfs.O_WRONLY|vfs.O_APPEND, 0)
			if err != nil {
				runtime.Gosched()
				continue
			}
			if m.SB().ReadOnly() {
				bad <- "a descriptor open for writing on a read-only superblock"
				w.Close(fd)
				return
			}
			w.Close(fd)
			runtime.Gosched()
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	for i := 0; i < 100000 && time.Now().Before(deadline); i++ {
		r.Mount("none", "/m", "", vfs.MS_REMOUNT|vfs.MS_RDONLY, "")
		select {
		case s := <-bad:
			close(stop)
			<-done
			t.Fatalf("after %d remounts: %s", i, s)
		default:
		}
		e.Must(r.Mount("none", "/m", "", vfs.MS_REMOUNT, ""))
		runtime.Gosched()
	}
	close(stop)
	<-done
	select {
	case s := <-bad:
		t.Fatal(s)
	default:
	}
}
