package procfs_test

import (
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/procfs"
)

// setup boots a VFS (tmpfs root, proc on /proc) and, at the end of the
// test, checks that neither the lock validator (when on, as with
// VFSCOPE_LOCKDEP=1) nor the locking tables saw anything wrong, and that
// the dcache counters agree with a recount.
func setup(t *testing.T) (*vfs.VFS, *vfs.Task) {
	t.Helper()
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if val := v.Validator(); val != nil {
			if r := val.Reports(); len(r) > 0 {
				t.Errorf("lock validator: %v", r)
			}
		}
		if r := v.LockingViolations(); len(r) > 0 {
			t.Errorf("locking violations: %v", r)
		}
		got, want := v.DentryState(), v.CountDentries(tk)
		if got != want {
			t.Errorf("dentry-state counters %+v, recount %+v", got, want)
		}
	})
	return v, tk
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// read returns a file's content, read in small pieces so that the
// snapshot is seen across many reads.
func read(t *testing.T, tk *vfs.Task, path string) string {
	t.Helper()
	fd, err := tk.Open(path, vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer tk.Close(fd)
	var b strings.Builder
	buf := make([]byte, 7)
	for {
		n, err := tk.Read(fd, buf)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		if n == 0 {
			return b.String()
		}
		b.Write(buf[:n])
	}
}

func list(t *testing.T, tk *vfs.Task, path string) []vfs.Dirent {
	t.Helper()
	fd, err := tk.Open(path, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer tk.Close(fd)
	var out []vfs.Dirent
	for {
		// A small buffer: the listing resumes from d_off many times.
		ents, err := tk.Getdents(fd, 64)
		if err != nil {
			t.Fatalf("getdents %s: %v", path, err)
		}
		if len(ents) == 0 {
			return out
		}
		out = append(out, ents...)
	}
}

func names(ents []vfs.Dirent) []string {
	var out []string
	for _, e := range ents {
		out = append(out, e.Name)
	}
	return out
}

func pidStr(tk *vfs.Task) string { return strconv.Itoa(int(tk.PID())) }

func TestFilesystems(t *testing.T) {
	_, tk := setup(t)
	if got, want := read(t, tk, "/proc/filesystems"), "nodev\ttmpfs\nnodev\tproc\nnodev\tpipefs\nnodev\tbillyfs\n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestMounts(t *testing.T) {
	_, tk := setup(t)
	base := "none / tmpfs rw,relatime,mode=755 0 0\nproc /proc proc rw,relatime 0 0\nudev /dev tmpfs rw,nosuid,relatime,mode=755 0 0\n"
	tests := []struct {
		name   string
		dir    string
		src    string
		flags  uint32
		data   string
		expect string
	}{
		{"size", "/mnt", "none", 0, "size=1m", "none /mnt tmpfs rw,relatime,size=1024k 0 0\n"},
		{"flags", "/ro", "src", vfs.MS_RDONLY | vfs.MS_NOSUID | vfs.MS_NODEV | vfs.MS_NOEXEC, "", "src /ro tmpfs ro,nosuid,nodev,noexec,relatime 0 0\n"},
		{"noatime sync", "/na", "x", vfs.MS_NOATIME | vfs.MS_SYNCHRONOUS, "nr_inodes=10", "x /na tmpfs rw,sync,noatime,nr_inodes=10 0 0\n"},
		{"strictatime", "/sa", "y", vfs.MS_STRICTATIME, "", "y /sa tmpfs rw 0 0\n"},
		{"escapes", "/a b\tc\nd\\e", "s p", 0, "", "s\\040p /a\\040b\\011c\\012d\\134e tmpfs rw,relatime 0 0\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			must(t, tk.Mkdir(tc.dir, 0o755))
			must(t, tk.Mount(tc.src, tc.dir, "tmpfs", tc.flags, tc.data))
			defer func() {
				must(t, tk.Umount2(tc.dir, 0))
				must(t, tk.Rmdir(tc.dir))
			}()
			want := base + tc.expect
			for _, p := range []string{"/proc/mounts", "/proc/self/mounts", "/proc/" + pidStr(tk) + "/mounts"} {
				if got := read(t, tk, p); got != want {
					t.Errorf("%s:\ngot  %q\nwant %q", p, got, want)
				}
			}
		})
	}
	if got := read(t, tk, "/proc/mounts"); got != base {
		t.Fatalf("after umounts: %q", got)
	}
}

// TestMountsFromChroot: /proc/<pid>/mounts shows the mounts below that
// task's root, with mountpoints relative to it.
func TestMountsFromChroot(t *testing.T) {
	_, tk := setup(t)
	must(t, tk.Mkdir("/jail", 0o755))
	must(t, tk.Mkdir("/jail/mnt", 0o755))
	must(t, tk.Mount("none", "/jail/mnt", "tmpfs", 0, "size=1m"))
	child := tk.Fork("jailed")
	must(t, child.Chroot("/jail"))
	want := "none /mnt tmpfs rw,relatime,size=1024k 0 0\n"
	if got := read(t, tk, "/proc/"+pidStr(child)+"/mounts"); got != want {
		t.Errorf("got %q want %q", got, want)
	}
	child.Exit()
	must(t, tk.Umount2("/jail/mnt", 0))
}

func TestMountinfo(t *testing.T) {
	_, tk := setup(t)
	must(t, tk.Mkdir("/mnt", 0o755))
	must(t, tk.Mount("none", "/mnt", "tmpfs", vfs.MS_NOSUID, "size=1m"))
	must(t, tk.Mkdir("/mnt/sub", 0o755))
	must(t, tk.Mkdir("/bind", 0o755))
	must(t, tk.Mount("/mnt/sub", "/bind", "", vfs.MS_BIND, ""))
	var root, proc, dev_, mnt, bind vfs.Stat
	must(t, tk.Stat("/", &root))
	must(t, tk.Stat("/proc", &proc))
	must(t, tk.Stat("/dev", &dev_))
	must(t, tk.Stat("/mnt", &mnt))
	must(t, tk.Stat("/bind", &bind))
	dev := func(st vfs.Stat) string { return fmt.Sprintf("%d:%d", vfs.Major(st.Dev), vfs.Minor(st.Dev)) }
	want := fmt.Sprintf("%d %d %s / / rw,relatime - tmpfs none rw,mode=755\n", root.MntID, root.MntID, dev(root)) +
		fmt.Sprintf("%d %d %s / /proc rw,relatime - proc proc rw\n", proc.MntID, root.MntID, dev(proc)) +
		fmt.Sprintf("%d %d %s / /dev rw,nosuid,relatime - tmpfs udev rw,mode=755\n", dev_.MntID, root.MntID, dev(dev_)) +
		fmt.Sprintf("%d %d %s / /mnt rw,nosuid,relatime - tmpfs none rw,size=1024k\n", mnt.MntID, root.MntID, dev(mnt)) +
		fmt.Sprintf("%d %d %s /sub /bind rw,nosuid,relatime - tmpfs none rw,size=1024k\n", bind.MntID, root.MntID, dev(mnt))
	for _, p := range []string{"/proc/self/mountinfo", "/proc/" + pidStr(tk) + "/mountinfo"} {
		if got := read(t, tk, p); got != want {
			t.Errorf("%s:\ngot  %q\nwant %q", p, got, want)
		}
	}
	must(t, tk.Umount2("/bind", 0))
	must(t, tk.Umount2("/mnt", 0))
}

// TestSnapshot: what a reader sees was fixed when it opened the file.
func TestSnapshot(t *testing.T) {
	_, tk := setup(t)
	fd, err := tk.Open("/proc/mounts", vfs.O_RDONLY, 0)
	must(t, err)
	buf := make([]byte, 10)
	_, err = tk.Read(fd, buf)
	must(t, err)
	must(t, tk.Mkdir("/mnt", 0o755))
	must(t, tk.Mount("none", "/mnt", "tmpfs", 0, ""))
	rest := make([]byte, 4096)
	n, err := tk.Read(fd, rest)
	must(t, err)
	got := string(buf) + string(rest[:n])
	if want := "none / tmpfs rw,relatime,mode=755 0 0\nproc /proc proc rw,relatime 0 0\nudev /dev tmpfs rw,nosuid,relatime,mode=755 0 0\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	// seq_lseek: SEEK_SET and SEEK_CUR; SEEK_END is EINVAL.
	off, err := tk.Seek(fd, 5, vfs.SEEK_SET)
	if off != 5 || err != nil {
		t.Errorf("lseek SEEK_SET: %d %v", off, err)
	}
	n, err = tk.Read(fd, buf[:3])
	if n != 3 || err != nil || string(buf[:3]) != "/ t" {
		t.Errorf("read after lseek: %q %v", buf[:n], err)
	}
	if _, err := tk.Seek(fd, 0, vfs.SEEK_END); err != vfs.EINVAL {
		t.Errorf("lseek SEEK_END: %v", err)
	}
	if _, err := tk.Seek(fd, -100, vfs.SEEK_CUR); err != vfs.EINVAL {
		t.Errorf("lseek before 0: %v", err)
	}
	must(t, tk.Close(fd))
	must(t, tk.Umount2("/mnt", 0))
}

func TestSysFs(t *testing.T) {
	v, tk := setup(t)
	// Reading a file makes its path's dentries: settle them first.
	readSysctl(t, tk, "/proc/sys/fs/dentry-state")
	readSysctl(t, tk, "/proc/sys/fs/inode-nr")
	readSysctl(t, tk, "/proc/sys/fs/inode-state")
	type counts struct{ dentry, unused, negative, inodes, freeInodes int64 }
	snap := func() counts {
		t.Helper()
		var c counts
		ds := strings.Split(readSysctl(t, tk, "/proc/sys/fs/dentry-state"), "\t")
		if len(ds) != 6 || ds[2] != "45" || ds[3] != "0" || ds[5] != "0\n" {
			t.Fatalf("dentry-state %q", ds)
		}
		c.dentry, _ = strconv.ParseInt(ds[0], 10, 64)
		c.unused, _ = strconv.ParseInt(ds[1], 10, 64)
		c.negative, _ = strconv.ParseInt(ds[4], 10, 64)
		in := readSysctl(t, tk, "/proc/sys/fs/inode-nr")
		if _, err := fmt.Sscanf(in, "%d\t%d\n", &c.inodes, &c.freeInodes); err != nil || in != fmt.Sprintf("%d\t%d\n", c.inodes, c.freeInodes) {
			t.Fatalf("inode-nr %q: %v", in, err)
		}
		if st := readSysctl(t, tk, "/proc/sys/fs/inode-state"); st != fmt.Sprintf("%d\t%d\t0\t0\t0\t0\t0\n", c.inodes, c.freeInodes) {
			t.Fatalf("inode-state %q, inode-nr %q", st, in)
		}
		return c
	}
	c0 := snap()
	if c1 := snap(); c1 != c0 {
		t.Fatalf("reading changed the counters: %+v then %+v", c0, c1)
	}
	steps := []struct {
		name string
		do   func()
		diff counts
	}{
		{"mkdir on tmpfs pins a dentry and an inode", func() { must(t, tk.Mkdir("/tmp/d", 0o755)) }, counts{dentry: 1, inodes: 1}},
		{"a failed lookup on tmpfs keeps nothing", func() {
			var st vfs.Stat
			if err := tk.Stat("/tmp/none", &st); err != vfs.ENOENT {
				t.Fatal(err)
			}
		}, counts{}},
		{"a failed lookup on proc keeps nothing", func() {
			var st vfs.Stat
			if err := tk.Stat("/proc/nothing", &st); err != vfs.ENOENT {
				t.Fatal(err)
			}
			if err := tk.Stat("/proc/99999", &st); err != vfs.ENOENT {
				t.Fatal(err)
			}
		}, counts{}},
		{"a proc lookup leaves an unused dentry on the LRU", func() {
			var st vfs.Stat
			must(t, tk.Stat("/proc/filesystems", &st))
		}, counts{dentry: 1, unused: 1, inodes: 1}},
		{"looking it up again finds it cached", func() {
			var st vfs.Stat
			must(t, tk.Stat("/proc/filesystems", &st))
		}, counts{}},
		{"/proc/self/mounts: self, the pid directory, mounts", func() { read(t, tk, "/proc/self/mounts") }, counts{dentry: 3, unused: 2, inodes: 3}},
		{"pruning frees the unused proc dentries and their inodes", func() {
			v.ShrinkDcache(tk, -1)
			// The prune took /proc/sys/fs/* too: make them again, so
			// that only what the steps above made is missing.
			readSysctl(t, tk, "/proc/sys/fs/dentry-state")
			readSysctl(t, tk, "/proc/sys/fs/inode-nr")
			readSysctl(t, tk, "/proc/sys/fs/inode-state")
		}, counts{dentry: -4, unused: -3, inodes: -4}},
		{"rmdir on tmpfs", func() { must(t, tk.Rmdir("/tmp/d")) }, counts{dentry: -1, inodes: -1}},
	}
	before := c0
	for _, s := range steps {
		s.do()
		after := snap()
		got := counts{after.dentry - before.dentry, after.unused - before.unused, after.negative - before.negative, after.inodes - before.inodes, after.freeInodes - before.freeInodes}
		if got != s.diff {
			t.Errorf("%s: counters moved by %+v, want %+v", s.name, got, s.diff)
		}
		before = after
	}
}

func TestSelf(t *testing.T) {
	_, tk := setup(t)
	child := tk.Fork("child")
	defer child.Exit()
	for _, task := range []*vfs.Task{tk, child} {
		body, err := task.Readlink("/proc/self")
		must(t, err)
		if body != pidStr(task) {
			t.Errorf("task %d reads /proc/self as %q", task.PID(), body)
		}
		var self, dir vfs.Stat
		must(t, task.Stat("/proc/self", &self))
		must(t, task.Stat("/proc/"+pidStr(task), &dir))
		if self.Ino != dir.Ino || self.Ino == 0 {
			t.Errorf("/proc/self is inode %d, /proc/%d is %d", self.Ino, task.PID(), dir.Ino)
		}
		var l vfs.Stat
		must(t, task.Lstat("/proc/self", &l))
		if l.Mode != vfs.S_IFLNK|0o777 || l.Size != 0 {
			t.Errorf("lstat /proc/self: %o size %d", l.Mode, l.Size)
		}
	}
}

func TestPidDir(t *testing.T) {
	_, tk := setup(t)
	must(t, tk.Mkdir("/tmp/w", 0o755))
	must(t, tk.Chdir("/tmp/w"))
	fd, err := tk.Open("/tmp/w/file", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	must(t, err)
	_, err = tk.Write(fd, []byte("content"))
	must(t, err)
	rfd, err := tk.Open("/proc/filesystems", vfs.O_RDONLY, 0)
	must(t, err)
	pid := pidStr(tk)

	if got, want := names(list(t, tk, "/proc/"+pid)), []string{".", "..", "fd", "fdinfo", "status", "maps", "cwd", "root", "mounts", "mountinfo"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ls /proc/%s: %v", pid, got)
	}
	links := []struct{ path, body string }{
		{"/proc/self/cwd", "/tmp/w"},
		{"/proc/self/root", "/"},
		{"/proc/" + pid + "/cwd", "/tmp/w"},
		{"/proc/self/fd/" + strconv.Itoa(fd), "/tmp/w/file"},
		{"/proc/self/fd/" + strconv.Itoa(rfd), "/proc/filesystems"},
		{"/proc/mounts", "self/mounts"},
	}
	for _, l := range links {
		body, err := tk.Readlink(l.path)
		if err != nil || body != l.body {
			t.Errorf("readlink %s: %q %v, want %q", l.path, body, err, l.body)
		}
	}
	// Following them.
	var st, want vfs.Stat
	must(t, tk.Stat("/proc/self/cwd", &st))
	must(t, tk.Stat("/tmp/w", &want))
	if st.Ino != want.Ino {
		t.Errorf("/proc/self/cwd leads to %d, want %d", st.Ino, want.Ino)
	}
	if got := read(t, tk, "/proc/self/fd/"+strconv.Itoa(fd)); got != "content" {
		t.Errorf("read through the fd link: %q", got)
	}
	// The fd directory lists the open descriptors, as links whose mode
	// shows how each is open.
	ents := list(t, tk, "/proc/self/fd")
	wantNames := []string{".", "..", strconv.Itoa(fd), strconv.Itoa(rfd)}
	// list holds one more descriptor open: the directory itself.
	if len(ents) != 5 || strings.Join(names(ents[:4]), " ") != strings.Join(wantNames, " ") {
		t.Errorf("ls /proc/self/fd: %v", names(ents))
	}
	for _, e := range ents[2:] {
		if e.Type != vfs.DT_LNK || e.Ino == 0 {
			t.Errorf("fd entry %+v", e)
		}
	}
	var l vfs.Stat
	must(t, tk.Lstat("/proc/self/fd/"+strconv.Itoa(fd), &l))
	if l.Mode != vfs.S_IFLNK|0o700 {
		t.Errorf("rw fd link mode %o", l.Mode)
	}
	must(t, tk.Lstat("/proc/self/fd/"+strconv.Itoa(rfd), &l))
	if l.Mode != vfs.S_IFLNK|0o500 {
		t.Errorf("ro fd link mode %o", l.Mode)
	}
	// proc_fd_instantiate gives an fd link i_size 64 (cwd and root: 0).
	if l.Size != 64 {
		t.Errorf("fd link size %d, want 64", l.Size)
	}
	must(t, tk.Lstat("/proc/self/cwd", &l))
	if l.Size != 0 {
		t.Errorf("cwd link size %d, want 0", l.Size)
	}
	// A closed descriptor's cached link goes away.
	must(t, tk.Close(rfd))
	if err := tk.Lstat("/proc/self/fd/"+strconv.Itoa(rfd), &l); err != vfs.ENOENT {
		t.Errorf("closed fd: %v", err)
	}
	must(t, tk.Close(fd))
	must(t, tk.Chdir("/"))
	must(t, tk.Unlink("/tmp/w/file"))
	must(t, tk.Rmdir("/tmp/w"))
}

func TestRootListing(t *testing.T) {
	_, tk := setup(t)
	a := tk.Fork("a")
	b := tk.Fork("b")
	defer a.Exit()
	ents := list(t, tk, "/proc")
	got := names(ents)
	want := []string{".", "..", "sys", "locks", "mounts", "lockdep", "meminfo", "filesystems", "lockdep_stats", "self", pidStr(tk), pidStr(a), pidStr(b)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("ls -f /proc: %v, want %v", got, want)
	}
	// d_ino and d_type agree with lstat, and stay the same across a
	// prune (the inode is made again with the same number).
	for _, e := range ents[2:] {
		var st vfs.Stat
		must(t, tk.Lstat("/proc/"+e.Name, &st))
		if st.Ino != e.Ino || vfs.DTType(st.Mode) != e.Type || st.Ino == 0 {
			t.Errorf("%s: dirent %+v, lstat ino %d mode %o", e.Name, e, st.Ino, st.Mode)
		}
	}
	b.Exit()
	if got := names(list(t, tk, "/proc")); len(got) != len(want)-1 || got[len(got)-1] != pidStr(a) {
		t.Errorf("after exit: %v", got)
	}
	var root vfs.Stat
	must(t, tk.Stat("/proc", &root))
	if root.Ino != procfs.PROC_ROOT_INO || root.Nlink != 3+2 || root.Mode != vfs.S_IFDIR|0o555 {
		t.Errorf("stat /proc: %+v", root)
	}
}

func TestStableInodes(t *testing.T) {
	v, tk := setup(t)
	paths := []string{"/proc", "/proc/filesystems", "/proc/mounts", "/proc/sys", "/proc/sys/fs", "/proc/sys/fs/dentry-state",
		"/proc/sys/fs/inode-nr", "/proc/sys/fs/inode-state", "/proc/self", "/proc/self/", "/proc/self/fd", "/proc/self/mounts",
		"/proc/self/mountinfo", "/proc/self/cwd", "/proc/self/root"}
	inos := map[string]uint64{}
	seen := map[uint64]string{}
	for _, p := range paths {
		var st vfs.Stat
		must(t, tk.Lstat(p, &st))
		if st.Ino == 0 {
			t.Errorf("%s has inode 0", p)
		}
		if other, ok := seen[st.Ino]; ok && p != "/proc/self/" {
			t.Errorf("%s and %s share inode %d", p, other, st.Ino)
		}
		if vfs.IsReg(st.Mode) && (st.Size != 0 || st.Mode&0o777 != 0o444) {
			t.Errorf("%s: size %d mode %o", p, st.Size, st.Mode)
		}
		seen[st.Ino] = p
		inos[p] = st.Ino
	}
	v.ShrinkDcache(tk, -1)
	for _, p := range paths {
		var st vfs.Stat
		must(t, tk.Lstat(p, &st))
		if st.Ino != inos[p] {
			t.Errorf("%s: inode %d after pruning, was %d", p, st.Ino, inos[p])
		}
	}
}

// TestTaskExit: a task's /proc/<pid> goes away with it, even when its
// dentries are cached; the cached ones die instead of going back to the
// LRU.
func TestTaskExit(t *testing.T) {
	v, tk := setup(t)
	child := tk.Fork("child")
	dir := "/proc/" + pidStr(child)
	var st vfs.Stat
	for _, p := range []string{dir, dir + "/mounts", dir + "/fd", dir + "/cwd"} {
		must(t, tk.Lstat(p, &st))
	}
	if got := read(t, tk, dir+"/mounts"); !strings.HasPrefix(got, "none / tmpfs") {
		t.Fatalf("%s/mounts: %q", dir, got)
	}
	// An open directory of the task: readdir fails once it has exited.
	dfd, err := tk.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(t, err)
	// An open file keeps its snapshot.
	mfd, err := tk.Open(dir+"/mountinfo", vfs.O_RDONLY, 0)
	must(t, err)

	child.Exit()
	for _, p := range []string{dir, dir + "/", dir + "/mounts", dir + "/fd", dir + "/cwd", dir + "/mountinfo"} {
		if err := tk.Lstat(p, &st); err != vfs.ENOENT {
			t.Errorf("lstat %s after exit: %v", p, err)
		}
		if _, err := tk.Open(p, vfs.O_RDONLY, 0); err != vfs.ENOENT {
			t.Errorf("open %s after exit: %v", p, err)
		}
	}
	if _, err := tk.Getdents(dfd, 4096); err != vfs.ENOENT {
		t.Errorf("getdents of the dead task's directory: %v", err)
	}
	buf := make([]byte, 4096)
	if n, err := tk.Read(mfd, buf); err != nil || n == 0 {
		t.Errorf("read of an open mountinfo after exit: %d %v", n, err)
	}
	must(t, tk.Close(mfd))
	must(t, tk.Close(dfd))
	for _, e := range list(t, tk, "/proc") {
		if e.Name == pidStr(child) {
			t.Errorf("/proc still lists %s", e.Name)
		}
	}
	// Nothing of the dead task stays on the LRU once pruned.
	v.ShrinkDcache(tk, -1)
	for _, sb := range v.SuperBlocks(tk) {
		if sb.FSType().Name == "proc" {
			for _, d := range sb.LRU(tk) {
				t.Errorf("dentry %q still cached after pruning", d.Name())
			}
		}
		sb.PutSuper(tk)
	}
}

// TestReadOnly: who may open a proc file for writing, and what the
// write gives. Outside /proc/sys root's DAC override lets the open
// through (generic_permission), O_TRUNC is accepted (proc_notify_change,
// proc_setattr), and the write fails: EIO for the proc_create_single /
// proc_create_seq files (proc_reg_write without proc_write, fs/proc/inode.c),
// EINVAL for files without ->write (vfs_write without FMODE_CAN_WRITE,
// fs/read_write.c). Under /proc/sys a read-only entry is EACCES at open,
// for root too (proc_sys_permission's test_perm, fs/proc/proc_sysctl.c).
func TestReadOnly(t *testing.T) {
	_, tk := setup(t)
	user := tk.Fork("user")
	defer user.Exit()
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	tests := []struct {
		task  *vfs.Task
		path  string
		flags int
		err   error // open's
		werr  error // a write's, when open succeeds for writing
	}{
		{tk, "/proc/filesystems", vfs.O_WRONLY, nil, vfs.EIO},
		{tk, "/proc/filesystems", vfs.O_RDWR, nil, vfs.EIO},
		{tk, "/proc/meminfo", vfs.O_WRONLY | vfs.O_TRUNC, nil, vfs.EIO},
		{tk, "/proc/locks", vfs.O_WRONLY, nil, vfs.EIO},
		{tk, "/proc/lockdep", vfs.O_WRONLY, nil, vfs.EIO},
		{tk, "/proc/sys/fs/dentry-state", vfs.O_WRONLY, vfs.EACCES, nil},
		{tk, "/proc/sys/fs/inode-nr", vfs.O_RDWR, vfs.EACCES, nil},
		{tk, "/proc/sys/fs/inode-state", vfs.O_WRONLY | vfs.O_TRUNC, vfs.EACCES, nil},
		{tk, "/proc/self/mounts", vfs.O_WRONLY | vfs.O_TRUNC, nil, vfs.EINVAL},
		{tk, "/proc/mounts", vfs.O_WRONLY, nil, vfs.EINVAL},
		{tk, "/proc/self/mountinfo", vfs.O_WRONLY, nil, vfs.EINVAL},
		{tk, "/proc/self/maps", vfs.O_WRONLY | vfs.O_TRUNC, nil, vfs.EINVAL},
		{tk, "/proc/self/mountinfo", vfs.O_RDONLY, nil, nil},
		{tk, "/proc/new", vfs.O_WRONLY | vfs.O_CREAT, vfs.ENOENT, nil},
		{tk, "/proc", vfs.O_RDONLY | vfs.O_DIRECTORY, nil, nil},
		{user, "/proc/filesystems", vfs.O_RDONLY, nil, nil},
		{user, "/proc/filesystems", vfs.O_WRONLY, vfs.EACCES, nil},
		{user, "/proc/self/maps", vfs.O_WRONLY, vfs.EACCES, nil},
		{user, "/proc/" + pidStr(tk) + "/fd", vfs.O_RDONLY | vfs.O_DIRECTORY, vfs.EACCES, nil},
		{user, "/proc/self/fd", vfs.O_RDONLY | vfs.O_DIRECTORY, nil, nil},
	}
	for _, tc := range tests {
		fd, err := tc.task.Open(tc.path, tc.flags, 0o644)
		if err != tc.err {
			t.Errorf("task %d open %s %#o: %v, want %v", tc.task.PID(), tc.path, tc.flags, err, tc.err)
		}
		if err != nil {
			continue
		}
		if tc.flags&(vfs.O_WRONLY|vfs.O_RDWR) != 0 {
			if _, err := tc.task.Write(fd, []byte("1\n")); err != tc.werr {
				t.Errorf("task %d write %s: %v, want %v", tc.task.PID(), tc.path, err, tc.werr)
			}
		}
		tc.task.Close(fd)
	}
	// proc_setattr: a /proc/<pid> file's mode cannot change.
	if err := tk.Chmod("/proc/self/maps", 0o666); err != vfs.EPERM {
		t.Errorf("chmod /proc/self/maps: %v, want EPERM", err)
	}
	if _, err := user.Readlink("/proc/" + pidStr(tk) + "/cwd"); err != vfs.EACCES {
		t.Errorf("another user's cwd: %v", err)
	}
	if err := tk.Mkdir("/proc/x", 0o755); err != vfs.ENOENT {
		t.Errorf("mkdir in /proc: %v", err)
	}
	if err := tk.Unlink("/proc/filesystems"); err == nil {
		t.Errorf("unlink in /proc succeeded")
	}
}

func TestMountOptions(t *testing.T) {
	_, tk := setup(t)
	must(t, tk.Mkdir("/p2", 0o555))
	if err := tk.Mount("proc", "/p2", "proc", 0, "hidepid=2"); err != vfs.EINVAL {
		t.Errorf("unknown option: %v", err)
	}
	// A second mount is a superblock of its own, with the same content.
	must(t, tk.Mount("proc", "/p2", "proc", vfs.MS_NOSUID|vfs.MS_NODEV|vfs.MS_NOEXEC, ""))
	var a, b vfs.Stat
	must(t, tk.Stat("/proc/filesystems", &a))
	must(t, tk.Stat("/p2/filesystems", &b))
	if a.Ino != b.Ino || a.Dev == b.Dev {
		t.Errorf("second proc mount: %+v vs %+v", a, b)
	}
	want := "none / tmpfs rw,relatime,mode=755 0 0\nproc /proc proc rw,relatime 0 0\nudev /dev tmpfs rw,nosuid,relatime,mode=755 0 0\nproc /p2 proc rw,nosuid,nodev,noexec,relatime 0 0\n"
	if got := read(t, tk, "/p2/self/mounts"); got != want {
		t.Errorf("got %q want %q", got, want)
	}
	var sf vfs.Statfs
	must(t, tk.Statfs("/p2", &sf))
	if sf.Type != procfs.PROC_SUPER_MAGIC {
		t.Errorf("statfs type %#x", sf.Type)
	}
	must(t, tk.Umount2("/p2", 0))
}

// TestDentriesNotPinned: proc keeps nothing the shrinker cannot free, and
// a prune changes nothing anyone reads.
func TestDentriesNotPinned(t *testing.T) {
	v, tk := setup(t)
	before := read(t, tk, "/proc/self/mountinfo")
	var procSB *vfs.SuperBlock
	for _, sb := range v.SuperBlocks(tk) {
		if sb.FSType().Name == "proc" {
			procSB = sb
		}
		sb.PutSuper(tk)
	}
	if procSB == nil {
		t.Fatal("no proc superblock")
	}
	if len(procSB.LRU(tk)) == 0 {
		t.Fatal("proc dentries are not on the LRU when unused")
	}
	v.ShrinkDcache(tk, -1)
	var left []string
	for _, d := range procSB.Root().AllChildren(tk) {
		left = append(left, d.Name())
	}
	sort.Strings(left)
	if len(left) != 0 {
		t.Errorf("left after pruning: %v", left)
	}
	if after := read(t, tk, "/proc/self/mountinfo"); after != before {
		t.Errorf("mountinfo changed: %q then %q", before, after)
	}
}

// TestHammer: tasks come and go while others list /proc, walk into pid
// directories (cached or not), read the counters and prune the dcache.
// Each task is driven by one goroutine, as the VFS requires; what one
// task reads of another is what procfs reads under locks (the task list,
// the descriptor table).
func TestHammer(t *testing.T) {
	v, tk := setup(t)
	must(t, tk.Mkdir("/tmp/h", 0o777))
	const workers, rounds = 4, 100
	done := make(chan error, workers+1)
	for w := 0; w < workers; w++ {
		wt := tk.Fork("worker")
		go func() {
			defer wt.Exit()
			for i := 0; i < rounds; i++ {
				c := wt.Fork("child")
				fd, err := c.Open("/tmp/h/f"+pidStr(c), vfs.O_CREAT|vfs.O_RDWR, 0o644)
				if err != nil {
					done <- err
					return
				}
				dir := "/proc/" + pidStr(c)
				body, err := wt.Readlink(dir + "/fd/" + strconv.Itoa(fd))
				if err != nil || body != "/tmp/h/f"+pidStr(c) {
					done <- fmt.Errorf("readlink fd: %q %v", body, err)
					return
				}
				var st vfs.Stat
				if err := wt.Lstat(dir+"/mounts", &st); err != nil {
					done <- err
					return
				}
				if _, err := wt.Open(dir+"/mountinfo", vfs.O_RDONLY, 0); err != nil {
					done <- err
					return
				}
				c.Exit()
				if err := wt.Lstat(dir+"/mounts", &st); err != vfs.ENOENT {
					done <- fmt.Errorf("after exit: %v", err)
					return
				}
				if err := wt.Unlink("/tmp/h/f" + pidStr(c)); err != nil {
					done <- err
					return
				}
				if _, err := wt.Readlink("/proc/self"); err != nil {
					done <- err
					return
				}
				wt.CloseOnExec()
				for _, fd := range wt.FDsOf(wt) {
					wt.Close(fd)
				}
			}
			done <- nil
		}()
	}
	rt := tk.Fork("reader")
	stop := make(chan struct{})
	go func() {
		defer rt.Exit()
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			runtime.Gosched() // wasm: let the forking tasks run
			fd, err := rt.Open("/proc", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			if err != nil {
				done <- err
				return
			}
			ents, err := rt.Getdents(fd, 1<<16)
			rt.Close(fd)
			if err != nil {
				done <- err
				return
			}
			for _, e := range ents {
				var st vfs.Stat
				if err := rt.Stat("/proc/"+e.Name+"/", &st); err != nil && err != vfs.ENOENT && err != vfs.ENOTDIR {
					done <- fmt.Errorf("stat /proc/%s: %v", e.Name, err)
					return
				}
			}
			if fd, err := rt.Open("/proc/sys/fs/dentry-state", vfs.O_RDONLY, 0); err == nil {
				rt.Close(fd)
			}
			v.ShrinkDcache(rt, 8)
		}
	}()
	for w := 0; w < workers; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Error(err)
	}
	must(t, tk.Rmdir("/tmp/h"))
}
