package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
	"github.com/vfscope/vfscope/vfs/lock"
)

func reportsOf(v *vfs.VFS, kind lock.ReportKind) []lock.Report {
	var out []lock.Report
	for _, r := range v.Validator().Reports() {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// TestLockdepABBA: two tasks take two inodes' i_rwsem in opposite orders
// (one after the other, so nothing deadlocks): the validator reports the
// cycle once, with both chains and both tasks.
func TestLockdepABBA(t *testing.T) {
	v, tk := bareVFS(t)
	rulesMust(t, "mkdir", tk.Mkdir("/dir", 0o755))
	fd, err := tk.Open("/file", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	rulesMust(t, "create", err)
	rulesMust(t, "close", tk.Close(fd))
	var dir, file *vfs.Inode
	for _, c := range v.RootMount().Root().AllChildren(tk) {
		switch c.Name() {
		case "dir":
			dir = c.Inode()
		case "file":
			file = c.Inode()
		}
	}
	if dir == nil || file == nil {
		t.Fatal("no /dir or /file in the dcache")
	}
	if n := len(v.Validator().Reports()); n != 0 {
		t.Fatalf("%d reports before the test", n)
	}

	alpha, beta := tk.Fork("alpha"), tk.Fork("beta")
	defer alpha.Exit()
	defer beta.Exit()
	dir.RwsemLock(alpha)
	file.RwsemLock(alpha) // dir -> file
	file.RwsemUnlock(alpha)
	dir.RwsemUnlock(alpha)

	file.RwsemLock(beta)
	dir.RwsemLock(beta) // file -> dir: closes the cycle
	dir.RwsemUnlock(beta)
	file.RwsemUnlock(beta)
	// The same inversion again is not reported twice.
	file.RwsemLock(beta)
	dir.RwsemLock(beta)
	dir.RwsemUnlock(beta)
	file.RwsemUnlock(beta)

	reps := v.Validator().Reports()
	if len(reps) != 1 {
		t.Fatalf("%d reports, want exactly 1: %v", len(reps), reps)
	}
	r := reps[0]
	if r.Kind != lock.CircularDependency {
		t.Fatalf("report kind %v:\n%s", r.Kind, r.Text)
	}
	for _, want := range []string{
		alpha.Owner().Name(), beta.Owner().Name(),
		"i_mutex_dir_key#tmpfs", "i_mutex_key#tmpfs",
		"the existing dependency chain", "*** DEADLOCK ***",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, r.Text)
		}
	}
	if r.Owner != beta.Owner().Name() {
		t.Errorf("report blames %q, want %q", r.Owner, beta.Owner().Name())
	}
}

// TestLockdepSleepInDropInode: a ->drop_inode (called under i_lock, "may
// block: no") that takes i_rwsem is reported.
func TestLockdepSleepInDropInode(t *testing.T) {
	v, tk, _ := rulesEnv(t, probefs.Config{SleepInDropInode: true})
	rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
	rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
	fd, err := tk.Open("/p/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	rulesMust(t, "create", err)
	rulesMust(t, "close", tk.Close(fd))
	if n := len(v.Validator().Reports()); n != 0 {
		t.Fatalf("%d reports before the faulty method ran", n)
	}
	rulesMust(t, "unlink", tk.Unlink("/p/f")) // the last iput: ->drop_inode
	reps := reportsOf(v, lock.SleepInAtomic)
	if len(reps) == 0 {
		t.Fatalf("no SleepInAtomic report; reports: %v", v.Validator().Reports())
	}
	r := reps[0]
	for _, want := range []string{"drop_inode", "i_mutex_key#probefs", "inode->i_lock"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, r.Text)
		}
	}
}

// TestLockdepHeldOnReturn: a ->mkdir that returns with a lock held is
// reported when mkdir(2) returns.
func TestLockdepHeldOnReturn(t *testing.T) {
	v, tk, _ := rulesEnv(t, probefs.Config{LeakMkdirLock: true})
	rulesMust(t, "mkdir", tk.Mkdir("/p", 0o755))
	rulesMust(t, "mount", tk.Mount("none", "/p", "probefs", 0, ""))
	if n := len(v.Validator().Reports()); n != 0 {
		t.Fatalf("%d reports before the faulty method ran", n)
	}
	rulesMust(t, "mkdir in probefs", tk.Mkdir("/p/d", 0o755))
	reps := v.Validator().Reports()
	if len(reps) != 1 || reps[0].Kind != lock.HeldOnReturn {
		t.Fatalf("want one HeldOnReturn report, got %v", reps)
	}
	for _, want := range []string{"mkdirat", "i_mutex_dir_key#probefs", tk.Owner().Name()} {
		if !strings.Contains(reps[0].Text, want) {
			t.Errorf("report lacks %q:\n%s", want, reps[0].Text)
		}
	}
	// The report only prints (lockdep_sys_exit): the leaked i_rwsem is
	// still locked and on the stack, and is not reported again.
	if h := tk.Owner().Held(); len(h) != 1 {
		t.Errorf("held after the report: %v, want the leaked lock", h)
	}
	var st vfs.Stat
	rulesMust(t, "stat", tk.Stat("/p", &st))
	if n := len(v.Validator().Reports()); n != 1 {
		t.Errorf("one bug, %d reports", n)
	}
}

// TestCasefoldLookup: tmpfs -o casefold finds names through ->d_hash and
// ->d_compare whatever their case, with one dentry per name; a failed
// lookup leaves no negative dentry (shmem_ci_dentry_ops's
// always_delete_dentry; simple_lookup does not d_add one in a casefolded
// directory), and a name created under another spelling keeps the
// spelling it was created with.
func TestCasefoldLookup(t *testing.T) {
	v, tk := bareVFS(t)
	rulesMust(t, "mkdir", tk.Mkdir("/ci", 0o755))
	rulesMust(t, "mount", tk.Mount("none", "/ci", "tmpfs", 0, "casefold"))
	fd, err := tk.Open("/ci/Foo", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	rulesMust(t, "create Foo", err)
	rulesMust(t, "close", tk.Close(fd))
	var a, b vfs.Stat
	rulesMust(t, "stat Foo", tk.Stat("/ci/Foo", &a))
	rulesMust(t, "stat FOO", tk.Stat("/ci/FOO", &b))
	if a.Ino != b.Ino {
		t.Errorf("FOO ino %d, Foo ino %d", b.Ino, a.Ino)
	}
	ciRoot := mountOf(t, v, tk, "/ci").Root()
	countNamed := func(name string) (n int, neg int) {
		for _, c := range ciRoot.AllChildren(tk) {
			if strings.EqualFold(c.Name(), name) && c.Hashed() {
				n++
				if c.Negative() {
					neg++
				}
			}
		}
		return
	}
	if n, _ := countNamed("foo"); n != 1 {
		t.Errorf("%d hashed dentries for foo, want 1", n)
	}
	rulesWant(t, "stat FoO/", tk.Stat("/ci/FoO/", &b), vfs.ENOTDIR)

	// No negative dentry for BAR.
	rulesWant(t, "stat BAR", tk.Stat("/ci/BAR", &b), vfs.ENOENT)
	if n, neg := countNamed("bar"); n != 0 || neg != 0 {
		t.Errorf("after a failed lookup: %d dentries for bar (%d negative), want none", n, neg)
	}
	fd, err = tk.Open("/ci/bar", vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o644)
	rulesMust(t, "create bar", err)
	rulesMust(t, "close", tk.Close(fd))
	rulesMust(t, "stat BAR after create", tk.Stat("/ci/BAR", &a))
	rulesMust(t, "stat bar", tk.Stat("/ci/bar", &b))
	if a.Ino != b.Ino {
		t.Errorf("BAR ino %d, bar ino %d", a.Ino, b.Ino)
	}
	if n, neg := countNamed("bar"); n != 1 || neg != 0 {
		t.Errorf("after create: %d hashed dentries for bar (%d negative), want 1 positive", n, neg)
	}
	// The name keeps the spelling it was created with.
	fd, err = tk.Open("/ci", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	rulesMust(t, "open /ci", err)
	ents, err := tk.Getdents(fd, 4096)
	rulesMust(t, "getdents", err)
	tk.Close(fd)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name)
	}
	// Newest first, as Linux 6.18's offset_readdir walks d_children.
	if strings.Join(names, " ") != ". .. bar Foo" {
		t.Errorf("getdents: %v, want [. .. bar Foo]", names)
	}
	// Renaming onto another spelling of a missing name uses the new
	// spelling too.
	rulesWant(t, "stat QUX", tk.Stat("/ci/QUX", &b), vfs.ENOENT)
	rulesMust(t, "rename", tk.Rename("/ci/bar", "/ci/qux"))
	fd, _ = tk.Open("/ci", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	ents, _ = tk.Getdents(fd, 4096)
	tk.Close(fd)
	names = names[:0]
	for _, e := range ents {
		names = append(names, e.Name)
	}
	if strings.Join(names, " ") != ". .. qux Foo" {
		t.Errorf("getdents after rename: %v, want [. .. qux Foo]", names)
	}
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
}
