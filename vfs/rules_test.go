package vfs_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// bareVFS is a VFS with lock validation on and only tmpfs, mounted as
// the root: no procfs, so that the tests below see one tree and their
// own calls only.
func bareVFS(t testing.TB) (*vfs.VFS, *vfs.Task) {
	t.Helper()
	v := vfs.New(vfs.Options{Lockdep: true})
	tk := v.NewTask("init", vfs.RootCred)
	if err := tmpfs.Register(tk, v); err != nil {
		t.Fatal(err)
	}
	if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
		t.Fatal(err)
	}
	return v, tk
}

// rulesEnv is a VFS with lock validation on, tmpfs at the root and
// probefs registered.
func rulesEnv(t *testing.T, cfg probefs.Config) (*vfs.VFS, *vfs.Task, *probefs.FS) {
	t.Helper()
	v, tk := bareVFS(t)
	fs := probefs.New(cfg)
	if err := fs.Register(tk, v); err != nil {
		t.Fatal(err)
	}
	return v, tk, fs
}

func rulesMust(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func rulesWant(t *testing.T, what string, err, want error) {
	t.Helper()
	if err != want {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

// mountOf returns the mount whose root is at path (as seen by tk).
func mountOf(t *testing.T, v *vfs.VFS, tk *vfs.Task, path string) *vfs.Mount {
	t.Helper()
	for _, mi := range tk.MountTable() {
		if mi.Mountpoint == path {
			for _, m := range v.Mounts() {
				if m.ID() == mi.ID {
					return m
				}
			}
		}
	}
	t.Fatalf("no mount at %s in %+v", path, tk.MountTable())
	return nil
}

// TestLockingRows drives probefs through scenarios that reach every row
// of locking.rst the VFS calls, with every call checked against its row.
func TestLockingRows(t *testing.T) {
	v, tk, fs := rulesEnv(t, probefs.Config{})
	must := func(what string, err error) { t.Helper(); rulesMust(t, what, err) }
	var st vfs.Stat

	// file_system_type.mount; the tree; d_init, d_hash, lookup, mkdir,
	// create, permission, alloc_inode.
	must("mkdir /p", tk.Mkdir("/p", 0o755))
	must("mount probefs", tk.Mount("none", "/p", "probefs", 0, ""))
	must("mkdir", tk.Mkdir("/p/d", 0o755))
	fd, err := tk.Open("/p/d/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	must("create", err)
	_, err = tk.Write(fd, []byte("probe"))
	must("write", err)
	must("close", tk.Close(fd))

	// d_revalidate, d_compare (another spelling), getattr.
	must("stat", tk.Stat("/p/D/F", &st))
	var st2 vfs.Stat
	must("stat", tk.Stat("/p/d/f", &st2))
	if st.Ino != st2.Ino {
		t.Errorf("case-insensitive names: /p/D/F ino %d, /p/d/f ino %d", st.Ino, st2.Ino)
	}
	// A negative dentry: lookup, d_delete when its last reference goes.
	rulesWant(t, "stat missing", tk.Stat("/p/d/missing", &st), vfs.ENOENT)
	rulesWant(t, "stat missing again", tk.Stat("/p/d/MISSING", &st), vfs.ENOENT)
	// ... revalidated away by a create under another spelling.
	fd, err = tk.Open("/p/d/Missing", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must("create over a negative dentry", err)
	must("close", tk.Close(fd))
	must("stat after create", tk.Stat("/p/d/MISSING", &st))
	// d_weak_revalidate: the walk ends on a jump.
	must("stat .", tk.Stat("/p/d/.", &st))

	// link, symlink, readlink, get_link, mknod, update_time, dirty_inode.
	must("link", tk.Link("/p/d/f", "/p/d/g"))
	must("symlink", tk.Symlink("f", "/p/d/s"))
	body, err := tk.Readlink("/p/d/s")
	must("readlink", err)
	if body != "f" {
		t.Errorf("readlink: %q", body)
	}
	must("stat through symlink", tk.Stat("/p/d/s", &st))
	if st.Ino != st2.Ino {
		t.Errorf("symlink leads to ino %d, want %d", st.Ino, st2.Ino)
	}
	must("mknod", tk.Mknod("/p/d/fifo", vfs.S_IFIFO|0o644, 0))

	// setattr, xattr set/get/list, listxattr.
	must("chmod", tk.Chmod("/p/d/f", 0o600))
	must("setxattr", tk.Setxattr("/p/d/f", "user.probe", []byte("1"), 0))
	val, err := tk.Getxattr("/p/d/f", "user.probe")
	must("getxattr", err)
	if string(val) != "1" {
		t.Errorf("getxattr: %q", val)
	}
	names, err := tk.Listxattr("/p/d/f")
	must("listxattr", err)
	if len(names) != 1 || names[0] != "user.probe" {
		t.Errorf("listxattr: %v", names)
	}

	// rename: same directory, across directories, exchange.
	must("mkdir e", tk.Mkdir("/p/e", 0o755))
	must("rename same dir", tk.Rename("/p/d/g", "/p/d/g2"))
	must("rename cross dir", tk.Rename("/p/d/g2", "/p/e/g"))
	must("rename dir cross", tk.Mkdir("/p/d/sub", 0o755))
	must("rename dir cross", tk.Rename("/p/d/sub", "/p/e/sub"))
	must("exchange", tk.Renameat2(vfs.AT_FDCWD, "/p/e/g", vfs.AT_FDCWD, "/p/d/f", vfs.RENAME_EXCHANGE))

	// unlink (d_iput; the last name: drop_inode, evict_inode,
	// destroy_inode, free_inode), rmdir.
	must("unlink", tk.Unlink("/p/d/fifo"))
	must("rmdir", tk.Rmdir("/p/e/sub"))

	// tmpfile.
	fd, err = tk.Open("/p/d", vfs.O_TMPFILE|vfs.O_RDWR, 0o600)
	must("O_TMPFILE", err)
	must("close tmpfile", tk.Close(fd))

	// d_automount: "auto" gets a tmpfs on first walk.
	must("mkdir auto", tk.Mkdir("/p/auto", 0o755))
	must("walk into auto", tk.Stat("/p/auto/", &st))
	fd, err = tk.Open("/p/auto/inside", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must("create on the automounted tmpfs", err)
	must("close", tk.Close(fd))
	// d_manage.
	must("mkdir managed", tk.Mkdir("/p/managed", 0o755))
	rulesWant(t, "walk through managed", tk.Stat("/p/managed/x", &st), vfs.ENOENT)

	// statfs, sync_fs and write_inode, remount_fs, show_options.
	var sfs vfs.Statfs
	must("statfs", tk.Statfs("/p", &sfs))
	if sfs.Type != probefs.MAGIC {
		t.Errorf("statfs type %#x", sfs.Type)
	}
	tk.Sync()
	must("remount", tk.Mount("none", "/p", "", vfs.MS_REMOUNT, "probe"))
	m := mountOf(t, v, tk, "/p")
	for _, mi := range tk.MountTable() {
		if mi.ID == m.ID() && !strings.Contains(mi.SuperOptions, ",probe") {
			t.Errorf("show_options not shown: %+v", mi)
		}
	}

	// freeze_fs and unfreeze_fs: no syscall yet; the exported calls.
	must("freeze", vfs.FreezeSuper(tk, m.SB()))
	rulesWant(t, "freeze again", vfs.FreezeSuper(tk, m.SB()), vfs.EBUSY)
	must("thaw", vfs.ThawSuper(tk, m.SB()))

	// d_dname: a pseudo dentry names itself.
	anon, err := fs.AnonDentry(tk, m.SB())
	must("anon dentry", err)
	if p := tk.DPath(vfs.Path{Mnt: m, Dentry: anon}); !strings.HasPrefix(p, "probefs:[") {
		t.Errorf("d_dname path %q", p)
	}
	vfs.Dput(tk, anon)

	// d_prune and d_release: the shrinker kills the cached negatives.
	if n := vfs.ShrinkDcacheSB(tk, m.SB()); n == 0 {
		t.Errorf("no unused probefs dentry to shrink")
	}

	// umount_begin (umount -f), put_super, kill_sb: the automount
	// first, then probefs itself.
	must("umount auto", tk.Umount2("/p/auto", 0))
	must("umount -f", tk.Umount2("/p", vfs.MNT_FORCE))

	// file_lock_operations and lock_manager_operations
	// (filelock_rules_test.go).
	reachFileLockRows(t, tk)

	reached := v.LockingRowsReached()
	var unreached []string
	for _, row := range vfs.LockingRows() {
		if _, skip := vfs.NotCalledRows[row]; skip {
			if reached[row] > 0 {
				t.Errorf("row %s is in NotCalledRows but was reached %d times", row, reached[row])
			}
			continue
		}
		if reached[row] == 0 && !rowsTestedElsewhere[strings.SplitN(row, ".", 2)[0]] {
			unreached = append(unreached, row)
		}
	}
	sort.Strings(unreached)
	for _, row := range unreached {
		t.Errorf("locking.rst row not reached: %s", row)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
	t.Logf("probefs calls: %v", fs.AllCalls())
	if t.Failed() {
		t.Logf("rows reached: %v", reached)
	}
}

// TestDNameOnlyForPseudoDentries: ->d_dname names dentries outside any
// tree, never a mount's root (d_path checks d != mnt_root): a mounted
// probefs shows its mountpoint in /proc/mounts.
func TestDNameOnlyForPseudoDentries(t *testing.T) {
	v, tk, fs := rulesEnv(t, probefs.Config{})
	rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
	rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
	m := mountOf(t, v, tk, "/p")
	if got := tk.DPath(vfs.Path{Mnt: m, Dentry: m.Root()}); got != "/p" {
		t.Errorf("d_path of the probefs root: %q, want /p", got)
	}
	rulesMust(t, "chdir", tk.Chdir("/p"))
	if cwd, err := tk.Getcwd(); err != nil || cwd != "/p" {
		t.Errorf("getcwd: %q, %v", cwd, err)
	}
	rulesMust(t, "chdir /", tk.Chdir("/"))
	if n := fs.Calls("d_dname"); n != 0 {
		t.Errorf("->d_dname called %d times for a mount root", n)
	}
	rulesMust(t, "umount", tk.Umount2("/p", 0))
}
