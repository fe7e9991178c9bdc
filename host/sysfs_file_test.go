package host

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// readdirAll reads a directory to its end, checking that every entry
// has an inode number (wazero's requireIno), and sorts it by name.
func readdirAll(t *testing.T, f experimentalsys.File) []experimentalsys.Dirent {
	t.Helper()
	d, errno := f.Readdir(-1)
	requireErrno(t, 0, errno, "Readdir(-1)")
	for _, e := range d {
		if e.Ino == 0 {
			t.Errorf("%s: ino 0", e.Name)
		}
	}
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
	return d
}

// requireDirents compares names and types, sorted, ignoring inodes.
func requireDirents(t *testing.T, want, got []experimentalsys.Dirent) {
	t.Helper()
	sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
	str := func(ds []experimentalsys.Dirent) string {
		s := ""
		for _, d := range ds {
			s += fmt.Sprintf("%s:%v ", d.Name, d.Type)
		}
		return s
	}
	if str(want) != str(got) {
		t.Errorf("dirents\n got %s\nwant %s", str(got), str(want))
	}
}

func TestFileAppend(t *testing.T) {
	_, task, s := newFixtureFS(t)
	writeFile(t, task, "/srv/log", "a", 0o644)
	f := open(t, s, "log", experimentalsys.O_WRONLY|experimentalsys.O_APPEND, 0)
	if !f.IsAppend() {
		t.Error("IsAppend false after O_APPEND")
	}
	f.Write([]byte("b"))
	// pwrite with O_APPEND appends anyway, as on Linux.
	f.Pwrite([]byte("c"), 0)
	if got := readFile(t, task, "/srv/log"); got != "abc" {
		t.Errorf("content %q", got)
	}
	requireErrno(t, 0, f.SetAppend(false), "SetAppend(false)")
	if f.IsAppend() {
		t.Error("IsAppend true after SetAppend(false)")
	}
	f.Seek(0, io.SeekStart)
	f.Write([]byte("X"))
	if got := readFile(t, task, "/srv/log"); got != "Xbc" {
		t.Errorf("content %q", got)
	}
	requireErrno(t, 0, f.SetAppend(true), "SetAppend(true)")
	f.Seek(0, io.SeekStart)
	f.Write([]byte("d"))
	if got := readFile(t, task, "/srv/log"); got != "Xbcd" {
		t.Errorf("content %q", got)
	}
	// The flag is the description's: F_GETFL sees it.
	assertFlag(t, task, f.(*File), vfs.O_APPEND, true)
}

// assertFlag checks a status flag of the description behind f, as the
// SysFS's own task sees it.
func assertFlag(t *testing.T, task *vfs.Task, f *File, bit int, want bool) {
	t.Helper()
	tk, errno := f.lock()
	if errno != 0 {
		t.Fatalf("lock: %v", errno)
	}
	fl, err := tk.Fcntl(f.fd, vfs.F_GETFL, 0)
	f.unlock(tk)
	must(t, err)
	if (fl&bit != 0) != want {
		t.Errorf("F_GETFL %#o: bit %#o set = %v, want %v", fl, bit, fl&bit != 0, want)
	}
}

func TestFileNonblockAndPoll(t *testing.T) {
	_, task, s := newFixtureFS(t)
	f := open(t, s, "animals.txt", experimentalsys.O_RDONLY|experimentalsys.O_NONBLOCK, 0).(*File)
	if !f.IsNonblock() {
		t.Error("IsNonblock false after O_NONBLOCK")
	}
	assertFlag(t, task, f, vfs.O_NONBLOCK, true)
	requireErrno(t, 0, f.SetNonblock(false), "SetNonblock(false)")
	if f.IsNonblock() {
		t.Error("IsNonblock true after SetNonblock(false)")
	}
	assertFlag(t, task, f, vfs.O_NONBLOCK, false)
	requireErrno(t, 0, f.SetNonblock(true), "SetNonblock(true)")
	assertFlag(t, task, f, vfs.O_NONBLOCK, true)

	for _, c := range []struct {
		flag  Pflag
		ready bool
		errno experimentalsys.Errno
	}{
		{POLLIN, true, 0},
		{POLLOUT, true, 0},
		{POLLIN | POLLOUT, true, 0},
		{0, false, 0},
		{1 << 5, false, experimentalsys.ENOTSUP},
	} {
		ready, errno := f.Poll(c.flag, -1)
		if ready != c.ready || errno != c.errno {
			t.Errorf("Poll(%b) = %v, %v; want %v, %v", c.flag, ready, errno, c.ready, c.errno)
		}
	}
	f.Close()
	_, errno := f.Poll(POLLIN, 0)
	requireErrno(t, experimentalsys.EBADF, errno, "Poll after Close")
	requireErrno(t, experimentalsys.EBADF, f.SetNonblock(true), "SetNonblock after Close")
}

// TestFileClosed: every method of a closed file is EBADF, Close is 0.
func TestFileClosed(t *testing.T) {
	_, _, s := newFixtureFS(t)
	for _, path := range []string{"animals.txt", "dir"} {
		f, errno := s.OpenFile(path, experimentalsys.O_RDONLY, 0)
		requireErrno(t, 0, errno, "open")
		requireErrno(t, 0, f.Close(), "Close")
		requireErrno(t, 0, f.Close(), "second Close")
		calls := map[string]experimentalsys.Errno{}
		_, calls["Dev"] = f.Dev()
		_, calls["Ino"] = f.Ino()
		_, calls["IsDir"] = f.IsDir()
		calls["SetAppend"] = f.SetAppend(true)
		_, calls["Stat"] = f.Stat()
		_, calls["Read"] = f.Read(make([]byte, 1))
		_, calls["Pread"] = f.Pread(make([]byte, 1), 0)
		_, calls["Seek"] = f.Seek(0, io.SeekStart)
		_, calls["Readdir"] = f.Readdir(-1)
		_, calls["Write"] = f.Write([]byte{1})
		_, calls["Pwrite"] = f.Pwrite([]byte{1}, 0)
		calls["Truncate"] = f.Truncate(0)
		calls["Sync"] = f.Sync()
		calls["Datasync"] = f.Datasync()
		calls["Utimens"] = f.Utimens(1, 1)
		for m, errno := range calls {
			requireErrno(t, experimentalsys.EBADF, errno, path+" "+m)
		}
	}
}

// TestFileOnDirectory: data operations on a directory give what wazero's
// sys.File documents.
func TestFileOnDirectory(t *testing.T) {
	_, _, s := newFixtureFS(t)
	f := open(t, s, "dir", experimentalsys.O_RDONLY, 0)
	isDir, errno := f.IsDir()
	if !isDir || errno != 0 {
		t.Errorf("IsDir = %v, %v", isDir, errno)
	}
	_, errno = f.Read(make([]byte, 1))
	requireErrno(t, experimentalsys.EISDIR, errno, "Read")
	_, errno = f.Pread(make([]byte, 1), 0)
	requireErrno(t, experimentalsys.EISDIR, errno, "Pread")
	_, errno = f.Write([]byte{1})
	requireErrno(t, experimentalsys.EBADF, errno, "Write")
	_, errno = f.Pwrite([]byte{1}, 0)
	requireErrno(t, experimentalsys.EISDIR, errno, "Pwrite")
	requireErrno(t, experimentalsys.EISDIR, f.Truncate(0), "Truncate")
	requireErrno(t, 0, f.Sync(), "Sync")
	requireErrno(t, 0, f.Datasync(), "Datasync")

	file := open(t, s, "animals.txt", experimentalsys.O_RDONLY, 0)
	_, errno = file.Readdir(-1)
	requireErrno(t, experimentalsys.EBADF, errno, "Readdir on a file")
	isDir, errno = file.IsDir()
	if isDir || errno != 0 {
		t.Errorf("IsDir = %v, %v", isDir, errno)
	}
}

func TestFileReadWriteSeek(t *testing.T) {
	_, task, s := newFixtureFS(t)
	f := open(t, s, "rw", experimentalsys.O_RDWR|experimentalsys.O_CREAT, 0o644)
	for _, step := range []struct {
		name string
		run  func() (int64, experimentalsys.Errno)
		want int64
		err  experimentalsys.Errno
	}{
		{"write", func() (int64, experimentalsys.Errno) { n, e := f.Write([]byte("hello world")); return int64(n), e }, 11, 0},
		{"seek cur", func() (int64, experimentalsys.Errno) { return f.Seek(0, io.SeekCurrent) }, 11, 0},
		{"seek end -5", func() (int64, experimentalsys.Errno) { return f.Seek(-5, io.SeekEnd) }, 6, 0},
		{"read 5", func() (int64, experimentalsys.Errno) {
			b := make([]byte, 10)
			n, e := f.Read(b)
			if string(b[:n]) != "world" {
				t.Errorf("read %q", b[:n])
			}
			return int64(n), e
		}, 5, 0},
		{"read at EOF", func() (int64, experimentalsys.Errno) { n, e := f.Read(make([]byte, 4)); return int64(n), e }, 0, 0},
		{"pwrite past end leaves a hole", func() (int64, experimentalsys.Errno) { n, e := f.Pwrite([]byte("!"), 20); return int64(n), e }, 1, 0},
		{"position unchanged by pwrite", func() (int64, experimentalsys.Errno) { return f.Seek(0, io.SeekCurrent) }, 11, 0},
		{"pread negative", func() (int64, experimentalsys.Errno) { n, e := f.Pread(make([]byte, 1), -1); return int64(n), e }, 0, experimentalsys.EINVAL},
		{"pwrite negative", func() (int64, experimentalsys.Errno) { n, e := f.Pwrite([]byte{1}, -1); return int64(n), e }, 0, experimentalsys.EINVAL},
		{"seek negative", func() (int64, experimentalsys.Errno) { return f.Seek(-1, io.SeekStart) }, 0, experimentalsys.EINVAL},
		{"seek bad whence", func() (int64, experimentalsys.Errno) { return f.Seek(0, 9) }, 0, experimentalsys.EINVAL},
		{"seek data past end (ENXIO)", func() (int64, experimentalsys.Errno) { return f.Seek(100, vfs.SEEK_DATA) }, 0, experimentalsys.EIO},
		{"truncate negative", func() (int64, experimentalsys.Errno) { return 0, f.Truncate(-1) }, 0, experimentalsys.EINVAL},
		{"truncate", func() (int64, experimentalsys.Errno) { return 0, f.Truncate(5) }, 0, 0},
		{"size", func() (int64, experimentalsys.Errno) { st, e := f.Stat(); return st.Size, e }, 5, 0},
		{"sync", func() (int64, experimentalsys.Errno) { return 0, f.Sync() }, 0, 0},
		{"datasync", func() (int64, experimentalsys.Errno) { return 0, f.Datasync() }, 0, 0},
		{"utimens", func() (int64, experimentalsys.Errno) { return 0, f.Utimens(experimentalsys.UTIME_OMIT, 42e9) }, 0, 0},
		{"mtime", func() (int64, experimentalsys.Errno) { st, e := f.Stat(); return st.Mtim, e }, 42e9, 0},
	} {
		got, errno := step.run()
		if got != step.want || errno != step.err {
			t.Errorf("%s: %d, %v; want %d, %v", step.name, got, errno, step.want, step.err)
		}
	}
	if got := readFile(t, task, "/srv/rw"); got != "hello" {
		t.Errorf("content %q", got)
	}
	ro := open(t, s, "rw", experimentalsys.O_RDONLY, 0)
	requireErrno(t, experimentalsys.EINVAL, ro.Truncate(1), "Truncate of a read-only description")
}

func TestFileStatCached(t *testing.T) {
	_, task, s := newFixtureFS(t)
	f := open(t, s, "animals.txt", experimentalsys.O_RDONLY, 0)
	var want vfs.Stat
	must(t, task.Stat("/srv/animals.txt", &want))
	dev, errno := f.Dev()
	requireErrno(t, 0, errno, "Dev")
	ino, errno := f.Ino()
	requireErrno(t, 0, errno, "Ino")
	if dev != want.Dev || ino != want.Ino || ino == 0 {
		t.Errorf("Dev, Ino = %d, %d; want %d, %d", dev, ino, want.Dev, want.Ino)
	}
	st, errno := f.Stat()
	requireErrno(t, 0, errno, "Stat")
	if st.Ino != want.Ino || st.Dev != want.Dev || st.Nlink != 1 || st.Size != 30 || st.Mode != 0o644 ||
		st.Atim != want.Atime || st.Mtim != want.Mtime || st.Ctim != want.Ctime {
		t.Errorf("Stat = %+v, VFS says %+v", st, want)
	}
	// Still the same inode after the name goes away.
	must(t, task.Unlink("/srv/animals.txt"))
	st, errno = f.Stat()
	requireErrno(t, 0, errno, "Stat of an unlinked file")
	if st.Nlink != 0 || st.Ino != want.Ino {
		t.Errorf("after unlink: %+v", st)
	}
}

// TestFileReaddirStable: positions are the filesystem's d_off, so a
// listing continued after entries came and went neither repeats nor
// skips the entries that stayed, and a cookie from Seek(0, SeekCurrent)
// resumes where it was taken.
func TestFileReaddirStable(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mkdir("/srv/big", 0o755))
	const n = 600 // more than one getdents64 buffer
	for i := 0; i < n; i++ {
		writeFile(t, task, fmt.Sprintf("/srv/big/f%03d", i), "", 0o644)
	}
	f := open(t, s, "big", experimentalsys.O_RDONLY, 0)
	seen := map[string]int{}
	first, errno := f.Readdir(100)
	requireErrno(t, 0, errno, "Readdir(100)")
	if len(first) != 100 {
		t.Fatalf("Readdir(100) gave %d", len(first))
	}
	for _, d := range first {
		seen[d.Name]++
	}
	cookie, errno := f.Seek(0, io.SeekCurrent)
	requireErrno(t, 0, errno, "tell")
	if cookie == 0 {
		t.Error("cookie 0 after 100 entries")
	}

	// Churn: remove half of the entries not yet read and some read
	// ones, add new ones.
	removed := map[string]bool{}
	for i := 0; i < n; i += 2 {
		name := fmt.Sprintf("f%03d", i)
		if seen[name] == 0 {
			removed[name] = true
		}
		must(t, task.Unlink("/srv/big/"+name))
	}
	for i := 0; i < 50; i++ {
		writeFile(t, task, fmt.Sprintf("/srv/big/new%02d", i), "", 0o644)
	}
	rest, errno := f.Readdir(-1)
	requireErrno(t, 0, errno, "Readdir(-1)")
	for _, d := range rest {
		seen[d.Name]++
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("f%03d", i)
		switch {
		case seen[name] > 1:
			t.Errorf("%s listed %d times", name, seen[name])
		case seen[name] == 0 && !removed[name]:
			t.Errorf("%s, never removed, was skipped", name)
		}
	}
	for name, c := range seen {
		if c > 1 {
			t.Errorf("%s listed %d times", name, c)
		}
	}

	// The cookie resumes after the 100th entry as the directory is now.
	requireErrno(t, 0, func() experimentalsys.Errno { _, e := f.Seek(cookie, io.SeekStart); return e }(), "seek cookie")
	again, errno := f.Readdir(-1)
	requireErrno(t, 0, errno, "Readdir after cookie")
	for _, d := range again {
		for _, p := range first {
			if p.Name == d.Name {
				t.Errorf("%s came back after its cookie", d.Name)
			}
		}
	}
	// Rewind sees the directory as it is.
	f.Seek(0, io.SeekStart)
	all := readdirAll(t, f)
	if want := n/2 + 50; len(all) != want {
		t.Errorf("after rewind %d entries, want %d", len(all), want)
	}
}

func TestFileReaddirTypesAndRemoved(t *testing.T) {
	_, task, s := newFixtureFS(t)
	must(t, task.Mknod("/srv/emptydir/fifo", vfs.S_IFIFO|0o644, 0))
	must(t, task.Mknod("/srv/emptydir/sock", vfs.S_IFSOCK|0o644, 0))
	must(t, task.Symlink("x", "/srv/emptydir/lnk"))
	must(t, task.Mkdir("/srv/emptydir/d", 0o755))
	writeFile(t, task, "/srv/emptydir/r", "", 0o644)
	f := open(t, s, "emptydir", experimentalsys.O_RDONLY, 0)
	requireDirents(t, []experimentalsys.Dirent{
		{Name: "d", Type: fs.ModeDir},
		{Name: "fifo", Type: fs.ModeNamedPipe},
		{Name: "lnk", Type: fs.ModeSymlink},
		{Name: "r", Type: 0},
		{Name: "sock", Type: fs.ModeSocket},
	}, readdirAll(t, f))
	st, errno := s.Lstat("emptydir/fifo")
	requireErrno(t, 0, errno, "Lstat fifo")
	if st.Mode != fs.ModeNamedPipe|0o644 {
		t.Errorf("fifo mode %v", st.Mode)
	}

	g := open(t, s, "dir/a-", experimentalsys.O_RDONLY, 0)
	must(t, task.Rmdir("/srv/dir/a-"))
	_, errno = g.Readdir(-1)
	requireErrno(t, experimentalsys.ENOENT, errno, "Readdir of a removed directory")
}

func TestModeConversions(t *testing.T) {
	for _, c := range []struct {
		linux uint32
		mode  fs.FileMode
	}{
		{vfs.S_IFREG | 0o644, 0o644},
		{vfs.S_IFDIR | 0o755, fs.ModeDir | 0o755},
		{vfs.S_IFLNK | 0o777, fs.ModeSymlink | 0o777},
		{vfs.S_IFIFO | 0o600, fs.ModeNamedPipe | 0o600},
		{vfs.S_IFSOCK | 0o600, fs.ModeSocket | 0o600},
		{vfs.S_IFCHR | 0o620, fs.ModeDevice | fs.ModeCharDevice | 0o620},
		{vfs.S_IFBLK | 0o660, fs.ModeDevice | 0o660},
		{vfs.S_IFREG | vfs.S_ISUID | vfs.S_ISGID | 0o755, fs.ModeSetuid | fs.ModeSetgid | 0o755},
		{vfs.S_IFDIR | vfs.S_ISVTX | 0o1777&0o777, fs.ModeDir | fs.ModeSticky | 0o777},
		{0o644, fs.ModeIrregular | 0o644},
	} {
		if got := toFileMode(c.linux); got != c.mode {
			t.Errorf("toFileMode(%o) = %v, want %v", c.linux, got, c.mode)
		}
		if got := fromFileMode(c.mode); got != c.linux&0o7777 {
			t.Errorf("fromFileMode(%v) = %o, want %o", c.mode, got, c.linux&0o7777)
		}
	}
	for dt, want := range map[uint8]fs.FileMode{
		vfs.DT_UNKNOWN: fs.ModeIrregular, vfs.DT_REG: 0, vfs.DT_DIR: fs.ModeDir, vfs.DT_LNK: fs.ModeSymlink,
		vfs.DT_FIFO: fs.ModeNamedPipe, vfs.DT_SOCK: fs.ModeSocket, vfs.DT_CHR: fs.ModeDevice | fs.ModeCharDevice,
		vfs.DT_BLK: fs.ModeDevice,
	} {
		if got := dtFileType(dt); got != want {
			t.Errorf("dtFileType(%d) = %v, want %v", dt, got, want)
		}
	}
	for _, c := range []struct {
		ns   int64
		want vfs.Timespec
	}{
		{0, vfs.Timespec{}},
		{1_500_000_000, vfs.Timespec{Sec: 1, Nsec: 500_000_000}},
		{-1, vfs.Timespec{Sec: -1, Nsec: 999_999_999}},
		{experimentalsys.UTIME_OMIT, vfs.Timespec{Nsec: vfs.UTIME_OMIT}},
	} {
		if got := toTimespec(c.ns); got != c.want {
			t.Errorf("toTimespec(%d) = %+v, want %+v", c.ns, got, c.want)
		}
	}
	for _, c := range []struct {
		w experimentalsys.Oflag
		l int
	}{
		{experimentalsys.O_RDONLY, vfs.O_RDONLY},
		{experimentalsys.O_WRONLY | experimentalsys.O_CREAT | experimentalsys.O_TRUNC, vfs.O_WRONLY | vfs.O_CREAT | vfs.O_TRUNC},
		{experimentalsys.O_RDWR | experimentalsys.O_APPEND | experimentalsys.O_EXCL, vfs.O_RDWR | vfs.O_APPEND | vfs.O_EXCL},
		{experimentalsys.O_DIRECTORY | experimentalsys.O_NOFOLLOW | experimentalsys.O_NONBLOCK, vfs.O_DIRECTORY | vfs.O_NOFOLLOW | vfs.O_NONBLOCK},
		{experimentalsys.O_DSYNC | experimentalsys.O_RSYNC, vfs.O_DSYNC | vfs.O_SYNC},
		{experimentalsys.O_SYNC, vfs.O_SYNC},
		{experimentalsys.O_RDWR | experimentalsys.O_WRONLY, vfs.O_ACCMODE},
		{experimentalsys.Oflag(1 << 30), vfs.O_RDONLY},
	} {
		if got := toLinuxFlags(c.w); got != c.l {
			t.Errorf("toLinuxFlags(%#x) = %#o, want %#o", c.w, got, c.l)
		}
	}
}

// TestSysFSConcurrent: modules sharing one SysFS call it from their own
// goroutines; each call runs on a task of the SysFS's pool (run with
// -race).
func TestSysFSConcurrent(t *testing.T) {
	_, task, s := newFixtureFS(t)
	const workers, rounds = 4, 50
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			errs <- func() error {
				dir := fmt.Sprintf("w%d", w)
				if e := s.Mkdir(dir, 0o755); e != 0 {
					return e
				}
				for i := 0; i < rounds; i++ {
					name := fmt.Sprintf("%s/f%d", dir, i)
					f, e := s.OpenFile(name, experimentalsys.O_RDWR|experimentalsys.O_CREAT|experimentalsys.O_EXCL, 0o644)
					if e != 0 {
						return e
					}
					if _, e := f.Write([]byte(name)); e != 0 {
						return e
					}
					buf := make([]byte, len(name))
					if n, e := f.Pread(buf, 0); e != 0 || string(buf[:n]) != name {
						return fmt.Errorf("pread %q, %v", buf[:n], e)
					}
					if e := f.Close(); e != 0 {
						return e
					}
					if i%2 == 0 {
						if e := s.Rename(name, name+".old"); e != 0 {
							return e
						}
					}
				}
				d, e := s.OpenFile(dir, experimentalsys.O_RDONLY, 0)
				if e != 0 {
					return e
				}
				defer d.Close()
				ents, e := d.Readdir(-1)
				if e != 0 || len(ents) != rounds {
					return fmt.Errorf("%s: %d entries, %v", dir, len(ents), e)
				}
				return nil
			}()
		}(w)
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	var st vfs.Stat
	must(t, task.Stat("/srv/w3/f1", &st))
	if st.Size != int64(len("w3/f1")) {
		t.Errorf("size %d", st.Size)
	}
}

// BenchmarkSysFSTree is the guest workload at the sys.FS level
// (create 1,000 files, stat each, read each, delete them), on SysFS and
// on wazero's DirFS over the host's tmpfs (/dev/shm), in the same run.
func BenchmarkSysFSTree(b *testing.B) {
	run := func(b *testing.B, s experimentalsys.FS) {
		data := []byte("0123456789abcdef")
		buf := make([]byte, 64)
		for i := 0; i < b.N; i++ {
			if e := s.Mkdir("t", 0o755); e != 0 {
				b.Fatal(e)
			}
			for j := 0; j < 1000; j++ {
				f, e := s.OpenFile(fmt.Sprintf("t/f%d", j), experimentalsys.O_WRONLY|experimentalsys.O_CREAT|experimentalsys.O_TRUNC, 0o644)
				if e != 0 {
					b.Fatal(e)
				}
				f.Write(data)
				f.Close()
			}
			for j := 0; j < 1000; j++ {
				if _, e := s.Stat(fmt.Sprintf("t/f%d", j)); e != 0 {
					b.Fatal(e)
				}
			}
			for j := 0; j < 1000; j++ {
				f, e := s.OpenFile(fmt.Sprintf("t/f%d", j), experimentalsys.O_RDONLY, 0)
				if e != 0 {
					b.Fatal(e)
				}
				f.Read(buf)
				f.Close()
			}
			for j := 0; j < 1000; j++ {
				if e := s.Unlink(fmt.Sprintf("t/f%d", j)); e != 0 {
					b.Fatal(e)
				}
			}
			if e := s.Rmdir("t"); e != 0 {
				b.Fatal(e)
			}
		}
	}
	b.Run("vfscope-SysFS", func(b *testing.B) {
		_, task, err := boot.New(vfs.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s := NewSysFS(task, "/tmp")
		defer s.Close()
		run(b, s)
	})
	b.Run("wazero-DirFS-host-tmpfs", func(b *testing.B) {
		dir, err := os.MkdirTemp("/dev/shm", "sysfs-bench")
		if err != nil {
			b.Skipf("no host tmpfs at /dev/shm: %v", err)
		}
		defer os.RemoveAll(dir)
		run(b, sysfs.DirFS(dir))
	})
}
