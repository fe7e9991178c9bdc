package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

func mountT(src, dst, fstype string, flags uint32, data string) func(e *vt.Env) {
	return func(e *vt.Env) { e.TB.Helper(); e.Must(e.Root.Mount(src, dst, fstype, flags, data)) }
}

func mounted(e *vt.Env, dst string) bool {
	for _, m := range e.Root.MountTable() {
		if m.Mountpoint == dst {
			return true
		}
	}
	return false
}

// TestMount: mount(2) and umount2(2).
func TestMount(t *testing.T) {
	tm := mountT("none", "/e", "tmpfs", 0, "")
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "mount hides and umount reveals", Setup: func(e *vt.Env) { e.WriteFile("/e/under", "u", 0o644) },
			Op: func(e *vt.Env) error {
				e.Must(e.T.Mount("none", "/e", "tmpfs", 0, ""))
				if e.Exists("/e/under") {
					e.TB.Fatal("mount did not cover")
				}
				e.WriteFile("/e/over", "o", 0o644)
				return e.T.Umount2("/e", 0)
			}, Check: checks(wantExists("/e/under"), wantAbsent("/e/over"))},
		{Name: "new fs root mode", Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "tmpfs", 0, "mode=700") }, Check: wantMode("/e", S_IFDIR|0o700)},
		{Name: "user mount", Setup: user, Op: func(e *vt.Env) error { return e.T.Mount("none", "/tmp", "tmpfs", 0, "") }, Want: EPERM},
		{Name: "user umount", Setup: func(e *vt.Env) { tm(e); user(e) }, Op: func(e *vt.Env) error { return e.T.Umount2("/e", 0) }, Want: EPERM},
		{Name: "unknown type", Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "nosuchfs", 0, "") }, Want: ENODEV},
		{Name: "missing target", Op: func(e *vt.Env) error { return e.T.Mount("none", "/nope", "tmpfs", 0, "") }, Want: ENOENT},
		{Name: "bad option", Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "tmpfs", 0, "bogus=1") }, Want: EINVAL},
		{Name: "umount not mountpoint", Op: func(e *vt.Env) error { return e.T.Umount2("/d", 0) }, Want: EINVAL},
		{Name: "umount inside mount", Setup: func(e *vt.Env) { tm(e); e.Must(e.Root.Mkdir("/e/x", 0o755)) }, Op: func(e *vt.Env) error { return e.T.Umount2("/e/x", 0) }, Want: EINVAL},
		{Name: "umount missing", Op: func(e *vt.Env) error { return e.T.Umount2("/nope", 0) }, Want: ENOENT},
		// do_umount_root: the mount of the task's root is remounted
		// read-only; with MNT_DETACH even the namespace's root goes.
		{Name: "umount root remounts it read-only", Op: func(e *vt.Env) error { return e.T.Umount2("/", 0) },
			Check: func(e *vt.Env) {
				if err := e.Root.Mkdir("/x", 0o755); err != EROFS || !mounted(e, "/") {
					e.TB.Fatalf("mkdir: %v; mounts %v", err, e.Root.MountTable())
				}
			}},
		{Name: "umount root with a writer", Op: func(e *vt.Env) error {
			openT(e, "/d/f", O_WRONLY)
			return e.T.Umount2("/", 0)
		}, Want: EBUSY},
		{Name: "umount chroot root", Setup: tm, Op: func(e *vt.Env) error {
			c := e.Root.Fork("c")
			defer c.Exit()
			e.Must(c.Chroot("/e"))
			e.Must(c.Chdir("/"))
			if err := c.Umount2("/", 0); err != nil {
				return err
			}
			if err := c.Mkdir("/x", 0o755); err != EROFS {
				e.TB.Fatalf("mkdir in the chroot: %v", err)
			}
			return e.Root.Mkdir("/d/x", 0o755)
		}},
		{Name: "umount lazily the namespace root", Op: func(e *vt.Env) error { return e.T.Umount2("/", MNT_DETACH) },
			Check: func(e *vt.Env) {
				if mt := e.Root.MountTable(); len(mt) != 0 {
					e.TB.Fatalf("still mounted: %v", mt)
				}
				e.Must(e.Root.Mkdir("/x", 0o755))
			}},
		{Name: "umount bad flags", Setup: tm, Op: func(e *vt.Env) error { return e.T.Umount2("/e", 0x100) }, Want: EINVAL},
		{Name: "umount expire with detach", Setup: tm, Op: func(e *vt.Env) error { return e.T.Umount2("/e", MNT_EXPIRE|MNT_DETACH) }, Want: EINVAL},
		{Name: "umount expire twice", Setup: tm, Op: func(e *vt.Env) error {
			if err := e.T.Umount2("/e", MNT_EXPIRE); err != EAGAIN {
				e.TB.Fatalf("first MNT_EXPIRE: %v", err)
			}
			return e.T.Umount2("/e", MNT_EXPIRE)
		}, Check: func(e *vt.Env) {
			if mounted(e, "/e") {
				e.TB.Fatal("still mounted")
			}
		}},
		{Name: "busy open file", Setup: func(e *vt.Env) { tm(e); e.WriteFile("/e/f", "x", 0o644) },
			Op: func(e *vt.Env) error { openT(e, "/e/f", O_RDONLY); return e.T.Umount2("/e", 0) }, Want: EBUSY},
		{Name: "busy open dir", Setup: tm, Op: func(e *vt.Env) error { openT(e, "/e", O_RDONLY); return e.T.Umount2("/e", 0) }, Want: EBUSY},
		{Name: "busy cwd", Setup: func(e *vt.Env) { tm(e); e.Must(e.Root.Mkdir("/e/x", 0o755)) }, Op: func(e *vt.Env) error {
			other := e.Root.Fork("other")
			defer other.Exit()
			e.Must(other.Chdir("/e/x"))
			return e.T.Umount2("/e", 0)
		}, Want: EBUSY},
		{Name: "busy child mount", Setup: func(e *vt.Env) { tm(e); e.Must(e.Root.Mkdir("/e/x", 0o755)); mountT("none", "/e/x", "tmpfs", 0, "")(e) },
			Op: func(e *vt.Env) error { return e.T.Umount2("/e", 0) }, Want: EBUSY},
		{Name: "closed file not busy", Setup: func(e *vt.Env) { tm(e); e.WriteFile("/e/f", "x", 0o644) },
			Op: func(e *vt.Env) error { e.Must(e.T.Close(openT(e, "/e/f", O_RDONLY))); return e.T.Umount2("/e", 0) }},
		{Name: "lazy detach keeps open files", Setup: func(e *vt.Env) { tm(e); e.WriteFile("/e/f", "data", 0o644) },
			Op: func(e *vt.Env) error {
				fd := openT(e, "/e/f", O_RDWR)
				dfd := openT(e, "/e", O_RDONLY)
				e.Must(e.T.Umount2("/e", MNT_DETACH))
				if mounted(e, "/e") || e.Exists("/e/f") {
					e.TB.Fatal("still visible")
				}
				wantRead(e, fd, 10, "data")
				_, err := e.T.Write(fd, []byte("more"))
				e.Must(err)
				// The detached tree still works through the descriptors.
				nfd, err := e.T.Openat(dfd, "new", O_CREAT|O_WRONLY, 0o644)
				e.Must(err)
				e.Must(e.T.Close(nfd))
				var st Stat
				e.Must(e.T.Fstatat(dfd, "f", &st, 0))
				if st.Size != 8 {
					e.TB.Fatal(st)
				}
				e.Must(e.T.Close(fd))
				return e.T.Close(dfd)
			}},
		{Name: "lazy detach with cwd inside", Setup: tm, Op: func(e *vt.Env) error {
			other := e.Root.Fork("other")
			defer other.Exit()
			e.Must(other.Chdir("/e"))
			e.Must(e.T.Umount2("/e", MNT_DETACH))
			return other.Mkdir("stillhere", 0o755)
		}},
		{Name: "ro mount mkdir", Setup: mountT("none", "/e", "tmpfs", MS_RDONLY, ""), Op: func(e *vt.Env) error { return e.T.Mkdir("/e/x", 0o755) }, Want: EROFS},
		{Name: "ro mount creat", Setup: mountT("none", "/e", "tmpfs", MS_RDONLY, ""), Op: func(e *vt.Env) error { return openOnly(e, "/e/x", O_CREAT|O_WRONLY, 0o644) }, Want: EROFS},
		{Name: "ro mount open rdonly", Setup: func(e *vt.Env) {
			mountT("/d", "/e", "", MS_BIND, "")(e)
			mountT("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, "")(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY|O_CREAT, 0o644) }},
		{Name: "ro bind open wronly", Setup: func(e *vt.Env) {
			mountT("/d", "/e", "", MS_BIND, "")(e)
			mountT("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, "")(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/e/f", O_WRONLY, 0) }, Want: EROFS},
		{Name: "ro bind leaves original writable", Setup: func(e *vt.Env) {
			mountT("/d", "/e", "", MS_BIND, "")(e)
			mountT("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, "")(e)
		}, Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_WRONLY, 0) }},
		{Name: "ro bind unlink rename symlink", Setup: func(e *vt.Env) {
			mountT("/d", "/e", "", MS_BIND, "")(e)
			mountT("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, "")(e)
		}, Op: func(e *vt.Env) error {
			for _, err := range []error{e.T.Unlink("/e/f"), e.T.Rename("/e/f", "/e/g"), e.T.Symlink("x", "/e/s"), e.T.Rmdir("/e/sub"),
				e.T.Chmod("/e/f", 0o600), e.T.Setxattr("/e/f", "user.a", []byte("1"), 0), e.T.Truncate("/e/f", 0)} {
				if err != EROFS {
					e.TB.Fatalf("got %v, want EROFS", err)
				}
			}
			return nil
		}},
		{Name: "remount ro with writer", Setup: func(e *vt.Env) { tm(e); e.WriteFile("/e/f", "x", 0o644) },
			Op: func(e *vt.Env) error {
				openT(e, "/e/f", O_WRONLY)
				return e.T.Mount("", "/e", "", MS_REMOUNT|MS_RDONLY, "")
			}, Want: EBUSY},
		{Name: "remount ro with reader", Setup: func(e *vt.Env) { tm(e); e.WriteFile("/e/f", "x", 0o644) },
			Op: func(e *vt.Env) error {
				openT(e, "/e/f", O_RDONLY)
				return e.T.Mount("", "/e", "", MS_REMOUNT|MS_RDONLY, "")
			},
			Check: func(e *vt.Env) {
				if err := e.Root.Mkdir("/e/x", 0o755); err != EROFS {
					e.TB.Fatal(err)
				}
			}},
		{Name: "remount bind ro with writer", Setup: func(e *vt.Env) { tm(e); e.WriteFile("/e/f", "x", 0o644) },
			Op: func(e *vt.Env) error {
				openT(e, "/e/f", O_RDWR)
				return e.T.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, "")
			}, Want: EBUSY},
		{Name: "remount rw again", Setup: func(e *vt.Env) { mountT("none", "/e", "tmpfs", MS_RDONLY, "")(e) },
			Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_REMOUNT, "") }, Check: func(e *vt.Env) { e.Must(e.Root.Mkdir("/e/x", 0o755)) }},
		{Name: "remount not root of mount", Setup: tm, Op: func(e *vt.Env) error { return e.T.Mount("", "/d", "", MS_REMOUNT|MS_RDONLY, "") }, Want: EINVAL},
		{Name: "bind", Op: func(e *vt.Env) error { return e.T.Mount("/d/sub", "/e", "", MS_BIND, "") },
			Check: checks(wantContent("/e/g", "g"), func(e *vt.Env) {
				e.WriteFile("/e/new", "n", 0o644)
				wantContent("/d/sub/new", "n")(e)
				if e.Stat("/e").Ino != e.Stat("/d/sub").Ino {
					e.TB.Fatal("different inode")
				}
			})},
		{Name: "bind file", Setup: func(e *vt.Env) { e.WriteFile("/d/t", "", 0o644) }, Op: func(e *vt.Env) error { return e.T.Mount("/d/f", "/d/t", "", MS_BIND, "") },
			Check: wantContent("/d/t", "hello")},
		{Name: "bind file on dir", Op: func(e *vt.Env) error { return e.T.Mount("/d/f", "/e", "", MS_BIND, "") }, Want: ENOTDIR},
		{Name: "bind missing source", Op: func(e *vt.Env) error { return e.T.Mount("/nope", "/e", "", MS_BIND, "") }, Want: ENOENT},
		{Name: "bind without rec skips submounts", Setup: func(e *vt.Env) {
			mountT("none", "/d/sub", "tmpfs", 0, "")(e)
			e.WriteFile("/d/sub/inner", "i", 0o644)
		}, Op: func(e *vt.Env) error { return e.T.Mount("/d", "/e", "", MS_BIND, "") },
			Check: checks(wantExists("/e/sub/g"), wantAbsent("/e/sub/inner"))},
		{Name: "bind rec copies submounts", Setup: func(e *vt.Env) {
			mountT("none", "/d/sub", "tmpfs", 0, "")(e)
			e.WriteFile("/d/sub/inner", "i", 0o644)
		}, Op: func(e *vt.Env) error { return e.T.Mount("/d", "/e", "", MS_BIND|MS_REC, "") },
			Check: checks(wantAbsent("/e/sub/g"), wantContent("/e/sub/inner", "i"), func(e *vt.Env) {
				if !mounted(e, "/e/sub") {
					e.TB.Fatal(e.Root.MountTable())
				}
			})},
		{Name: "dotdot at mount root", Setup: func(e *vt.Env) { mountT("none", "/d/sub", "tmpfs", 0, "")(e) }, Op: func(e *vt.Env) error {
			if e.Stat("/d/sub/..").Ino != e.Stat("/d").Ino || e.Stat("/d/sub/../f").Size != 5 {
				e.TB.Fatal(".. did not go to the parent mount")
			}
			e.Must(e.T.Chdir("/d/sub"))
			var st Stat
			return e.T.Stat("../f", &st)
		}},
		{Name: "dotdot at bind root", Setup: mountT("/d/sub", "/e", "", MS_BIND, ""), Op: func(e *vt.Env) error {
			if e.Stat("/e/..").Ino != e.Stat("/").Ino {
				e.TB.Fatal("/e/.. is not /")
			}
			return nil
		}},
		{Name: "stacked mounts", Setup: tm, Op: func(e *vt.Env) error {
			e.WriteFile("/e/first", "1", 0o644)
			e.Must(e.T.Mount("none", "/e", "tmpfs", 0, ""))
			if e.Exists("/e/first") {
				e.TB.Fatal("not stacked")
			}
			e.Must(e.T.Umount2("/e", 0))
			if !e.Exists("/e/first") {
				e.TB.Fatal("first mount lost")
			}
			return nil
		}},
		{Name: "move", Setup: tm, Op: func(e *vt.Env) error {
			e.WriteFile("/e/m", "m", 0o644)
			return e.T.Mount("/e", "/d/sub", "", MS_MOVE, "")
		}, Check: checks(wantContent("/d/sub/m", "m"), wantAbsent("/e/m"))},
		{Name: "move into itself", Setup: func(e *vt.Env) { tm(e); e.Must(e.Root.Mkdir("/e/x", 0o755)) },
			Op: func(e *vt.Env) error { return e.T.Mount("/e", "/e/x", "", MS_MOVE, "") }, Want: ELOOP},
		{Name: "move onto its own mountpoint", Op: func(e *vt.Env) error {
			// "." is the directory the mount covers: lock_mount climbs
			// from there to the mount itself.
			e.Must(e.T.Chdir("/e"))
			e.Must(e.T.Mount("none", "/e", "tmpfs", 0, ""))
			return e.T.Mount("/e", ".", "", MS_MOVE, "")
		}, Want: ELOOP},
		{Name: "remount keeps dirsync", Setup: mountT("none", "/e", "tmpfs", MS_DIRSYNC, ""),
			Op:    func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_REMOUNT, "") },
			Check: func(e *vt.Env) { wantSBFlags(e, "/e", SB_DIRSYNC, SB_DIRSYNC) }},
		{Name: "nosuid nodev noexec stay off the superblock",
			Op: func(e *vt.Env) error { return e.T.Mount("none", "/e", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "") },
			Check: func(e *vt.Env) {
				wantSBFlags(e, "/e", SB_NOSUID|SB_NODEV|SB_NOEXEC, 0)
				e.Must(e.T.Mount("", "/e", "", MS_REMOUNT|MS_NOSUID, ""))
				wantSBFlags(e, "/e", SB_NOSUID|SB_NODEV|SB_NOEXEC, 0)
			}},
		{Name: "bind empty source", Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_BIND, "") }, Want: EINVAL},
		{Name: "make private", Setup: tm, Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_PRIVATE|MS_REC, "") }},
		{Name: "make slave of nothing", Setup: tm, Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_SLAVE, "") }},
		{Name: "make shared unsupported", Setup: tm, Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_SHARED, "") }, Want: EINVAL},
		{Name: "make private not a mount root", Op: func(e *vt.Env) error { return e.T.Mount("", "/d", "", MS_PRIVATE, "") }, Want: EINVAL},
		{Name: "make private and slave", Setup: tm, Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_PRIVATE|MS_SLAVE, "") }, Want: EINVAL},
		{Name: "make private user", Setup: func(e *vt.Env) { tm(e); user(e) }, Op: func(e *vt.Env) error { return e.T.Mount("", "/e", "", MS_PRIVATE, "") }, Want: EPERM},
		{Name: "mount table", Setup: mountT("none", "/e", "tmpfs", MS_NOSUID|MS_RDONLY, "size=1m"), Op: func(e *vt.Env) error {
			for _, m := range e.T.MountTable() {
				if m.Mountpoint == "/e" {
					if m.FSType != "tmpfs" || !strings.HasPrefix(m.MountOptions, "ro") || !strings.Contains(m.MountOptions, "nosuid") {
						e.TB.Fatalf("%+v", m)
					}
					return nil
				}
			}
			e.TB.Fatal("no /e")
			return nil
		}},
	})
}

// wantSBFlags checks the bits of mask in the flags of the superblock
// mounted at dst.
func wantSBFlags(e *vt.Env, dst string, mask, want uint32) {
	e.TB.Helper()
	var st Stat
	e.Must(e.Root.Stat(dst, &st))
	for _, m := range e.Root.VFS().Mounts() {
		if m.SB().Dev() == st.Dev {
			if got := m.SB().Flags() & mask; got != want {
				e.TB.Fatalf("superblock flags %#x of %#x, want %#x", got, mask, want)
			}
			return
		}
	}
	e.TB.Fatalf("no superblock for %s", dst)
}
