package vfs_test

import (
	"fmt"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// stackMounts mounts n tmpfs instances on dir, one on top of the other,
// and leaves a file named top in the topmost.
func stackMounts(e *vt.Env, dir string, n int) {
	e.TB.Helper()
	for i := 0; i < n; i++ {
		e.Must(e.Root.Mount(fmt.Sprintf("t%d", i), dir, "tmpfs", 0, ""))
	}
	e.WriteFile(dir+"/top", "", 0o644)
}

// stackMounted reports whether a mount of source is in the table.
func stackMounted(e *vt.Env, source string) bool {
	for _, mi := range e.Root.MountTable() {
		if mi.Source == source {
			return true
		}
	}
	return false
}

// TestMountStack: mounts stacked on one directory, and the walks that
// must cross them. Linux is the oracle (checked on 6.18 under unshare
// -m): __traverse_mounts and __follow_mount_rcu cross any number of
// stacked mounts (50 tmpfs on one directory: stat and readdir of it
// work), only an automount counting against MAXSYMLINKS.
func TestMountStack(t *testing.T) {
	var st Stat
	vt.Run(t, []vt.Case{
		{
			Name:  "stat of a directory under 50 stacked mounts",
			Setup: func(e *vt.Env) { stackMounts(e, "/e", 50) },
			Op:    func(e *vt.Env) error { return e.Root.Stat("/e/top", &st) },
		},
		{
			Name:  "ref-walk lookup under 50 stacked mounts",
			Setup: func(e *vt.Env) { stackMounts(e, "/e", 50) },
			Op: func(e *vt.Env) error {
				return LookupRefWalkForTest(e.Root, "/e/top", LOOKUP_FOLLOW)
			},
		},
		{
			Name:  "readdir of a directory under 50 stacked mounts",
			Setup: func(e *vt.Env) { stackMounts(e, "/e", 50) },
			Op: func(e *vt.Env) error {
				names, err := e.Names("/e/")
				if err == nil && (len(names) != 1 || names[0] != "top") {
					e.TB.Fatalf("readdir /e/: %q, want the topmost mount's [top]", names)
				}
				return err
			},
		},
	})
}

// TestAutomountChainELOOP: a filesystem whose root is an automount
// point that mounts another instance of itself makes an endless chain
// of automounts. With no bound on the mounts a walk crosses, only
// follow_automount's count against the walk's MAXSYMLINKS ends it:
// ELOOP after 40 automounts. The filesystem gives up with EIO after
// many more, so that a walk that counts nothing fails rather than
// runs on.
func TestAutomountChainELOOP(t *testing.T) {
	e := vt.New(t)
	calls := 0
	fst := &FileSystemType{Name: "autochain"}
	dops := &DentryOperations{Automount: func(t *Task, p Path) (*Mount, error) {
		if calls++; calls > 4*MAXSYMLINKS {
			return nil, EIO
		}
		return t.KernMount("autochain", "none", 0, "")
	}}
	fst.Mount = func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
		return MountNodev(t, fst, flags, data, func(t *Task, s *SuperBlock, data string) error {
			if err := vt.FillRootDir(t, s, 0o755, nil, nil); err != nil {
				return err
			}
			s.Root().SetOps(dops)
			s.Root().SetFlags(t, DCACHE_NEED_AUTOMOUNT)
			return nil
		})
	}
	fst.KillSB = KillAnonSuper
	e.Must(e.V.RegisterFilesystem(e.Root, fst))
	e.Must(e.Root.Mkdir("/a", 0o755))
	e.Must(e.Root.Mount("none", "/a", "autochain", 0, ""))
	var st Stat
	if err := e.Root.Stat("/a/", &st); ErrnoOf(err) != ELOOP {
		t.Fatalf("stat /a/ through an endless chain of automounts: %v, want ELOOP", err)
	}
	if calls != MAXSYMLINKS {
		t.Fatalf("%d automounts, want %d (MAXSYMLINKS)", calls, MAXSYMLINKS)
	}
	e.Must(e.Root.Umount2("/a", MNT_DETACH))
}
