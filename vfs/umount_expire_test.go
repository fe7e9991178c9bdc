package vfs_test

import (
	"runtime"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// expireSeq runs umount2(MNT_EXPIRE) on /e, then use, then MNT_EXPIRE
// again, and checks each answer: fs/namespace.c's do_umount sets
// mnt_expiry_mark on the first call (EAGAIN), and mntput() clears it, so
// a use of the mount between two calls earns another EAGAIN; path_umount
// puts its own reference with mntput_no_expire so as not to clear it.
func expireSeq(use func(e *vt.Env) error, want ...Errno) func(e *vt.Env) error {
	return func(e *vt.Env) error {
		e.TB.Helper()
		for i, w := range want {
			if use != nil && i > 0 {
				e.Must(use(e))
			}
			if err := e.T.Umount2("/e", MNT_EXPIRE); ErrnoOf(err) != w {
				e.TB.Fatalf("MNT_EXPIRE %d: got %s, want %s", i+1, vt.Name(err), vt.Name(w))
			}
		}
		return nil
	}
}

func wantMounted(dst string, want bool) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		if mounted(e, dst) != want {
			e.TB.Fatalf("%s mounted: %v, want %v", dst, !want, want)
		}
	}
}

// TestUmountExpire: the expiry mark and its clearing by use.
func TestUmountExpire(t *testing.T) {
	setup := func(e *vt.Env) {
		e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, ""))
		e.WriteFile("/e/f", "x", 0o644)
		e.Must(e.Root.Mkdir("/e/x", 0o755))
	}
	var st Stat
	vt.Run(t, []vt.Case{
		{Name: "unused mount goes on the second call", Setup: setup,
			Op: expireSeq(nil, EAGAIN, 0), Check: wantMounted("/e", false)},
		{Name: "stat inside clears the mark", Setup: setup,
			Op:    expireSeq(func(e *vt.Env) error { return e.T.Stat("/e/f", &st) }, EAGAIN, EAGAIN),
			Check: wantMounted("/e", true)},
		{Name: "stat of the root clears the mark", Setup: setup,
			Op:    expireSeq(func(e *vt.Env) error { return e.T.Stat("/e", &st) }, EAGAIN, EAGAIN),
			Check: wantMounted("/e", true)},
		{Name: "open and close clears the mark", Setup: setup,
			Op:    expireSeq(func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY, 0) }, EAGAIN, EAGAIN),
			Check: wantMounted("/e", true)},
		{Name: "mkdir inside clears the mark", Setup: setup,
			Op:    expireSeq(func(e *vt.Env) error { return e.T.Mkdir("/e/y", 0o755) }, EAGAIN, EAGAIN),
			Check: wantMounted("/e", true)},
		{Name: "used then idle goes on the third call", Setup: setup,
			Op: func(e *vt.Env) error {
				expireSeq(func(e *vt.Env) error { return e.T.Stat("/e/f", &st) }, EAGAIN, EAGAIN)(e)
				return e.T.Umount2("/e", MNT_EXPIRE)
			}, Check: wantMounted("/e", false)},
		{Name: "a failed lookup inside clears the mark too", Setup: setup,
			// tmpfs keeps no negative dentries (always_delete_dentry),
			// so the miss leaves RCU mode and puts its reference.
			Op: expireSeq(func(e *vt.Env) error {
				if err := e.T.Stat("/e/nope", &st); err != ENOENT {
					return err
				}
				return nil
			}, EAGAIN, EAGAIN), Check: wantMounted("/e", true)},
		{Name: "busy answers EBUSY and sets no mark", Setup: setup,
			Op: func(e *vt.Env) error {
				fd := openT(e, "/e/f", O_RDONLY)
				if err := e.T.Umount2("/e", MNT_EXPIRE); err != EBUSY {
					e.TB.Fatalf("busy: %v", err)
				}
				e.Must(e.T.Close(fd))
				return e.T.Umount2("/e", MNT_EXPIRE)
			}, Want: EAGAIN, Check: wantMounted("/e", true)},
		{Name: "a plain umount of a marked mount", Setup: setup,
			Op: func(e *vt.Env) error {
				if err := e.T.Umount2("/e", MNT_EXPIRE); err != EAGAIN {
					e.TB.Fatalf("first: %v", err)
				}
				return e.T.Umount2("/e", 0)
			}, Check: wantMounted("/e", false)},
		{Name: "a lazy detach of a marked mount with an open file", Setup: setup,
			Op: func(e *vt.Env) error {
				if err := e.T.Umount2("/e", MNT_EXPIRE); err != EAGAIN {
					e.TB.Fatalf("first: %v", err)
				}
				fd := openT(e, "/e/f", O_RDONLY)
				e.Must(e.T.Umount2("/e", MNT_DETACH))
				return e.T.Close(fd)
			}, Check: wantMounted("/e", false)},
	})
}

// TestUmountErrorOrder: ksys_umount (fs/namespace.c) refuses unknown
// flags with EINVAL before the lookup; the lookup's errors come next;
// then can_umount's EPERM (may_mount) and EINVAL (not a mount's root);
// MNT_EXPIRE with MNT_FORCE or MNT_DETACH, or on the caller's root, is
// do_umount's EINVAL, after all of those. mount(2) likewise looks the
// target up first (do_mount), then path_mount refuses MS_NOUSER with
// EINVAL before may_mount's EPERM, after discarding the old MS_MGC_VAL
// magic in the top half of the flags.
func TestUmountErrorOrder(t *testing.T) {
	tm := func(e *vt.Env) { e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, "")) }
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "bad flags before lookup", Op: func(e *vt.Env) error { return e.T.Umount2("/nope", 0x100) }, Want: EINVAL},
		{Name: "expire detach missing", Op: func(e *vt.Env) error { return e.T.Umount2("/nope", MNT_EXPIRE|MNT_DETACH) }, Want: ENOENT},
		{Name: "expire force missing", Op: func(e *vt.Env) error { return e.T.Umount2("/nope", MNT_EXPIRE|MNT_FORCE) }, Want: ENOENT},
		{Name: "user missing", Setup: user, Op: func(e *vt.Env) error { return e.T.Umount2("/nope", 0) }, Want: ENOENT},
		{Name: "user expire detach missing", Setup: user, Op: func(e *vt.Env) error { return e.T.Umount2("/nope", MNT_EXPIRE|MNT_DETACH) }, Want: ENOENT},
		{Name: "user expire detach mounted", Setup: func(e *vt.Env) { tm(e); user(e) }, Op: func(e *vt.Env) error { return e.T.Umount2("/e", MNT_EXPIRE|MNT_DETACH) }, Want: EPERM},
		{Name: "expire detach not a mountpoint", Op: func(e *vt.Env) error { return e.T.Umount2("/d", MNT_EXPIRE|MNT_DETACH) }, Want: EINVAL},
		{Name: "expire force mounted", Setup: tm, Op: func(e *vt.Env) error { return e.T.Umount2("/e", MNT_EXPIRE|MNT_FORCE) }, Want: EINVAL, Check: wantMounted("/e", true)},
		{Name: "expire root", Op: func(e *vt.Env) error { return e.T.Umount2("/", MNT_EXPIRE) }, Want: EINVAL},
		{Name: "mount nouser", Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "tmpfs", MS_NOUSER, "") }, Want: EINVAL, Check: wantMounted("/e", false)},
		{Name: "mount nouser missing", Op: func(e *vt.Env) error { return e.T.Mount("none", "/nope", "tmpfs", MS_NOUSER, "") }, Want: ENOENT},
		{Name: "mount nouser as user", Setup: user, Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "tmpfs", MS_NOUSER, "") }, Want: EINVAL},
		{Name: "mount missing as user", Setup: user, Op: func(e *vt.Env) error { return e.T.Mount("none", "/nope", "tmpfs", 0, "") }, Want: ENOENT},
		{Name: "mount magic discarded", Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "tmpfs", MS_MGC_VAL, "") }, Check: wantMounted("/e", true)},
	})
}

// TestUmountExpireRace: puts that clear the mark race with umount2
// setting it, and with the unmount itself. Whatever the interleaving,
// each MNT_EXPIRE answers EAGAIN, EBUSY or success, and once the users
// are gone no reference is left over: at most two more calls unmount.
func TestUmountExpireRace(t *testing.T) {
	e := vt.New(t)
	e.Fixture()
	e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, ""))
	e.WriteFile("/e/f", "x", 0o644)
	const users, rounds = 2, 300
	done := make(chan error, users)
	for i := range users {
		u := e.Root.Fork("user" + string(rune('0'+i)))
		go func() {
			defer u.Exit()
			var st Stat
			for j := range rounds {
				var err error
				if j%2 == 0 {
					err = u.Stat("/e/f", &st)
				} else {
					var fd int
					if fd, err = u.Open("/e/f", O_RDONLY, 0); err == nil {
						err = u.Close(fd)
					}
				}
				// ENOENT once the mount is gone.
				if err != nil && err != ENOENT {
					done <- err
					return
				}
				runtime.Gosched()
			}
			done <- nil
		}()
	}
	gone := false
	for range rounds {
		switch err := e.Root.Umount2("/e", MNT_EXPIRE); err {
		case nil:
			gone = true
		case EAGAIN, EBUSY:
		default:
			t.Fatalf("MNT_EXPIRE: %v", err)
		}
		if gone {
			break
		}
		runtime.Gosched()
	}
	for range users {
		if err := <-done; err != nil {
			t.Fatalf("user: %v", err)
		}
	}
	for i := 0; !gone; i++ {
		switch err := e.Root.Umount2("/e", MNT_EXPIRE); {
		case err == nil:
			gone = true
		case err != EAGAIN || i > 0:
			t.Fatalf("idle MNT_EXPIRE %d: %v", i+1, err)
		}
	}
	if mounted(e, "/e") {
		t.Fatal("still mounted")
	}
	e.Check()
}
