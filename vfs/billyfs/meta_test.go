package billyfs_test

import (
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// TestRemountKeepsMetadata builds a tree of every kind of file, then
// checks that an unmount and a mount of the same store show exactly the
// same tree: names, inode numbers, modes, owners, link counts, times,
// device numbers, symlink targets and extended attributes.
func TestRemountKeepsMetadata(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	e.Must(r.Mkdir("/mnt/a", 0o750))
	e.Must(r.Mkdir("/mnt/a/b", 0o700))
	e.WriteFile("/mnt/a/empty", "", 0o640)
	e.Must(r.Link("/mnt/a/empty", "/mnt/a/b/hard"))
	e.Must(r.Symlink("../a/empty", "/mnt/a/sym"))
	e.Must(r.Mknod("/mnt/fifo", vfs.S_IFIFO|0o600, 0))
	e.Must(r.Mknod("/mnt/dev", vfs.S_IFCHR|0o600, vfs.MkDev(1, 3)))
	e.Must(r.Chown("/mnt/a/b", 1000, 100))
	e.Must(r.Setxattr("/mnt/a", "user.color", []byte("blue"), 0))
	e.Must(r.Setxattr("/mnt/a/empty", "trusted.k", []byte{0, 1, 2}, 0))
	e.Must(r.Utimensat(vfs.AT_FDCWD, "/mnt/fifo", &[2]vfs.Timespec{{Sec: 1, Nsec: 2}, {Sec: 1000, Nsec: 3}}, 0))
	e.Must(r.Mkdir("/mnt/gone", 0o755))
	e.Must(r.Rmdir("/mnt/gone"))
	e.Must(r.Rename("/mnt/a/sym", "/mnt/a/b/sym2"))
	before := e.snapshot("/mnt")
	e.remount("")
	after := e.snapshot("/mnt")
	if before != after {
		t.Fatalf("the tree changed over a remount:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if !strings.Contains(after, "/a/b/sym2 ") || strings.Contains(after, "/gone") {
		t.Fatalf("renames or removals lost:\n%s", after)
	}
}

// TestRemountAfterManyChanges churns one directory (the log grows and is
// compacted) and checks the names after a remount.
func TestRemountAfterManyChanges(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	e.Must(r.Mkdir("/mnt/d", 0o755))
	want := map[string]bool{}
	for i := 0; i < 300; i++ {
		name := "/mnt/d/f" + itoa(i)
		e.WriteFile(name, "", 0o644)
		want["f"+itoa(i)] = true
		if i%3 != 0 {
			e.Must(r.Unlink(name))
			delete(want, "f"+itoa(i))
		}
		if i%7 == 0 && want["f"+itoa(i)] {
			e.Must(r.Rename("/mnt/d/f"+itoa(i), "/mnt/d/g"+itoa(i)))
			delete(want, "f"+itoa(i))
			want["g"+itoa(i)] = true
		}
	}
	before := e.snapshot("/mnt")
	e.remount("")
	if after := e.snapshot("/mnt"); after != before {
		t.Fatalf("changed over a remount:\n%s\n---\n%s", before, after)
	}
	names, err := e.Names("/mnt/d")
	e.Must(err)
	if len(names) != len(want) {
		t.Fatalf("%d names, want %d", len(names), len(want))
	}
	for _, n := range names {
		if !want[n] {
			t.Errorf("unexpected %s", n)
		}
	}
}

// TestRenameExchangeAndReplace covers rename over a file, over an empty
// directory, RENAME_EXCHANGE of a file and a directory across parents,
// and link counts of the parents after a remount.
func TestRenameExchangeAndReplace(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	e.Must(r.Mkdir("/mnt/p", 0o755))
	e.Must(r.Mkdir("/mnt/q", 0o755))
	e.Must(r.Mkdir("/mnt/p/dir", 0o755))
	e.Must(r.Mkdir("/mnt/q/emptydir", 0o755))
	e.WriteFile("/mnt/p/f", "", 0o644)
	e.WriteFile("/mnt/q/victim", "", 0o600)
	e.Must(r.Rename("/mnt/p/f", "/mnt/q/victim"))
	e.Must(r.Renameat2(vfs.AT_FDCWD, "/mnt/p/dir", vfs.AT_FDCWD, "/mnt/q/victim", vfs.RENAME_EXCHANGE))
	e.Must(r.Mkdir("/mnt/p/d2", 0o755))
	e.Must(r.Rename("/mnt/p/d2", "/mnt/q/emptydir"))
	if err := r.Rename("/mnt/q/emptydir", "/mnt/q"); err == nil {
		t.Fatal("renamed a directory onto its parent")
	}
	before := e.snapshot("/mnt")
	e.remount("")
	after := e.snapshot("/mnt")
	if before != after {
		t.Fatalf("changed over a remount:\n%s\n---\n%s", before, after)
	}
	if got := e.Stat("/mnt/q").Nlink; got != 4 {
		t.Errorf("q has %d links, want 4 (., .., victim/, emptydir/)", got)
	}
	if got := e.Stat("/mnt/p").Nlink; got != 2 {
		t.Errorf("p has %d links, want 2", got)
	}
}

// TestOrphans: a file unlinked while open lives until its last close;
// after a shutdown (the open file never closed on the store's side) the
// next mount frees it.
func TestOrphans(t *testing.T) {
	e := newEnv(t, "")
	e.mount("")
	r := e.Root
	before := e.statfs()
	e.WriteFile("/mnt/f", "", 0o644)
	fd, err := r.Open("/mnt/f", vfs.O_RDONLY, 0)
	e.Must(err)
	e.Must(r.Unlink("/mnt/f"))
	var st vfs.Stat
	e.Must(r.Fstat(fd, &st))
	if st.Nlink != 0 {
		t.Fatalf("nlink %d after unlink", st.Nlink)
	}
	e.Must(billyfs.Shutdown(e.store))
	e.Must(r.Close(fd))
	e.umount()
	e.mount("nr_inodes=100")
	if e.Exists("/mnt/f") {
		t.Fatal("the orphan has a name again")
	}
	if got := e.statfs(); got.Ffree != 100-1 || before.Files != 0 {
		t.Fatalf("statfs after orphan cleanup: %+v (before %+v)", got, before)
	}
}

// TestLimits: nr_inodes gives ENOSPC at create, statfs shows the counts,
// remount cannot shrink below use, show_options prints the limits.
func TestLimits(t *testing.T) {
	e := newEnv(t, "")
	e.mount("nr_inodes=4,size=64k")
	r := e.Root
	st := e.statfs()
	if st.Type != billyfs.BILLYFS_MAGIC || st.Files != 4 || st.Ffree != 3 || st.Blocks != 16 || st.Bfree != 16 {
		t.Fatalf("statfs %+v", st)
	}
	e.WriteFile("/mnt/a", "", 0o644)
	e.Must(r.Mkdir("/mnt/b", 0o755))
	e.Must(r.Symlink("a", "/mnt/c"))
	if err := r.Mkdir("/mnt/d", 0o755); err != vfs.ENOSPC {
		t.Fatalf("mkdir over nr_inodes: %v", err)
	}
	if err := r.Mount("none", "/mnt", "", vfs.MS_REMOUNT, "nr_inodes=2"); err != vfs.EINVAL {
		t.Fatalf("remount below use: %v", err)
	}
	e.Must(r.Mount("none", "/mnt", "", vfs.MS_REMOUNT, "nr_inodes=10"))
	e.Must(r.Mkdir("/mnt/d", 0o755))
	mounts, err := e.ReadFile("/proc/mounts")
	e.Must(err)
	want := "none /mnt billyfs rw,relatime,store=" + e.store + ",size=64k,nr_inodes=10 0 0"
	if !strings.Contains(mounts, want) {
		t.Fatalf("/proc/mounts lacks %q:\n%s", want, mounts)
	}
	e.remount("nr_inodes=10")
	if got := e.statfs(); got.Ffree != 10-5 {
		t.Fatalf("after remount: %+v", got)
	}
}

// TestMountErrors: bad options are EINVAL; a store in use is EBUSY; a
// store holding something that is not billyfs is EINVAL.
func TestMountErrors(t *testing.T) {
	e := newEnv(t, "")
	r := e.Root
	for _, data := range []string{"", "store=", "store=mem,size=x", "store=nosuch", "store=mem,bogus"} {
		if err := r.Mount("none", "/mnt", "billyfs", 0, data); err != vfs.EINVAL {
			t.Errorf("mount -o %q: %v, want EINVAL", data, err)
		}
	}
	e.mount("")
	e.Must(r.Mkdir("/other", 0o755))
	if err := r.Mount("none", "/other", "billyfs", 0, "store="+e.store); err != vfs.EBUSY {
		t.Errorf("second mount of a store: %v, want EBUSY", err)
	}
	e.umount()
	// A fresh memfs per mount: nothing survives.
	e.Must(r.Mount("none", "/mnt", "billyfs", 0, "store=mem"))
	e.Must(r.Mkdir("/mnt/x", 0o755))
	e.umount()
	e.Must(r.Mount("mem", "/mnt", "billyfs", 0, ""))
	if e.Exists("/mnt/x") {
		t.Error("store=mem kept a directory across mounts")
	}
	e.umount()
	// A store with files of its own and no billyfs superblock is not
	// formatted over.
	foreign := memfs.New()
	util.WriteFile(foreign, "notes.txt", []byte("mine"), 0o644)
	name := "foreign-" + t.Name()
	e.Must(billyfs.RegisterStore(name, foreign))
	defer billyfs.ForgetStore(name)
	if err := r.Mount("none", "/mnt", "billyfs", 0, "store="+name); err != vfs.EINVAL {
		t.Errorf("mount of a foreign store: %v, want EINVAL", err)
	}
	if ents, _ := foreign.ReadDir("."); len(ents) != 1 {
		t.Errorf("the foreign store was changed: %d entries", len(ents))
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}
