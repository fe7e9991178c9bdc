package procfs_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// fileNr reads /proc/sys/fs/file-nr as tk and checks its layout,
// "%lu\t%lu\t%lu\n" with nr_free_files 0 and max_files file-max's: it
// returns nr_files, which counts the reader's own open of file-nr, as
// Linux's does.
func fileNr(t *testing.T, tk *vfs.Task) int64 {
	t.Helper()
	s := readSysctl(t, tk, "/proc/sys/fs/file-nr")
	var nr, free, maxFiles int64
	if n, err := fmt.Sscanf(s, "%d\t%d\t%d\n", &nr, &free, &maxFiles); n != 3 || err != nil ||
		s != fmt.Sprintf("%d\t0\t%d\n", nr, maxFiles) {
		t.Fatalf("file-nr %q", s)
	}
	if fm := readSysctl(t, tk, "/proc/sys/fs/file-max"); fm != strconv.FormatInt(maxFiles, 10)+"\n" {
		t.Fatalf("file-nr %q, file-max %q", s, fm)
	}
	return nr
}

// TestFileNrCounts: file-nr's first value counts open file descriptions,
// each once however many descriptors or tasks share it: an open adds
// one (O_PATH ones too) and its last close takes it away; dup, dup2,
// F_DUPFD and fork share the description and add nothing; a failed
// open leaves the count as it was, whether it failed before allocating
// the file or after (a fifo's ENXIO, O_DIRECT's EINVAL, a tmpfile's
// EOPNOTSUPP).
func TestFileNrCounts(t *testing.T) {
	cases := []struct {
		name  string
		user  bool // as uid 1000 instead of root
		op    func(tk *vfs.Task) error
		err   error
		delta int64 // open descriptions afterwards, against before
	}{
		{name: "open", op: func(tk *vfs.Task) error { _, err := tk.Open("/d/f", vfs.O_RDONLY, 0); return err }, delta: 1},
		{name: "open and close", op: func(tk *vfs.Task) error {
			fd, err := tk.Open("/d/f", vfs.O_RDWR, 0)
			if err != nil {
				return err
			}
			return tk.Close(fd)
		}},
		{name: "O_PATH", op: func(tk *vfs.Task) error { _, err := tk.Open("/d", vfs.O_PATH, 0); return err }, delta: 1},
		{name: "O_PATH of a symlink", op: func(tk *vfs.Task) error {
			_, err := tk.Open("/d/l", vfs.O_PATH|vfs.O_NOFOLLOW, 0)
			return err
		}, delta: 1},
		{name: "creat", op: func(tk *vfs.Task) error { _, err := tk.Creat("/d/new", 0o644); return err }, delta: 1},
		{name: "O_TMPFILE", op: func(tk *vfs.Task) error { _, err := tk.Open("/d", vfs.O_TMPFILE|vfs.O_RDWR, 0o600); return err }, delta: 1},
		{name: "O_TMPFILE closed", op: func(tk *vfs.Task) error {
			fd, err := tk.Open("/d", vfs.O_TMPFILE|vfs.O_RDWR, 0o600)
			if err != nil {
				return err
			}
			return tk.Close(fd)
		}},
		{name: "dup, dup2, F_DUPFD", op: func(tk *vfs.Task) error {
			fd, err := tk.Open("/d/f", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			if _, err := tk.Dup(fd); err != nil {
				return err
			}
			if _, err := tk.Dup2(fd, 40); err != nil {
				return err
			}
			_, err = tk.Fcntl(fd, vfs.F_DUPFD, 50)
			return err
		}, delta: 1},
		{name: "dup then close the original", op: func(tk *vfs.Task) error {
			fd, err := tk.Open("/d/f", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			if _, err := tk.Dup(fd); err != nil {
				return err
			}
			return tk.Close(fd)
		}, delta: 1},
		{name: "dup2 over an open descriptor", op: func(tk *vfs.Task) error {
			a, err := tk.Open("/d/f", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			b, err := tk.Open("/d/f", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			_, err = tk.Dup2(a, b)
			return err
		}, delta: 1},
		{name: "fork shares, exit of the child keeps the parent's", op: func(tk *vfs.Task) error {
			if _, err := tk.Open("/d/f", vfs.O_RDONLY, 0); err != nil {
				return err
			}
			tk.Fork("child").Exit()
			return nil
		}, delta: 1},
		{name: "ENOENT", op: func(tk *vfs.Task) error { _, err := tk.Open("/d/none", vfs.O_RDONLY, 0); return err }, err: vfs.ENOENT},
		{name: "EACCES", user: true, op: func(tk *vfs.Task) error { _, err := tk.Open("/d/secret", vfs.O_RDONLY, 0); return err }, err: vfs.EACCES},
		{name: "EISDIR", op: func(tk *vfs.Task) error { _, err := tk.Open("/d", vfs.O_WRONLY, 0); return err }, err: vfs.EISDIR},
		{name: "ENOTDIR", op: func(tk *vfs.Task) error { _, err := tk.Open("/d/f", vfs.O_DIRECTORY, 0); return err }, err: vfs.ENOTDIR},
		{name: "ELOOP", op: func(tk *vfs.Task) error { _, err := tk.Open("/d/l", vfs.O_NOFOLLOW, 0); return err }, err: vfs.ELOOP},
		{name: "EEXIST", op: func(tk *vfs.Task) error {
			_, err := tk.Open("/d/f", vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o644)
			return err
		}, err: vfs.EEXIST},
		{name: "fifo ENXIO", op: func(tk *vfs.Task) error {
			_, err := tk.Open("/d/fifo", vfs.O_WRONLY|vfs.O_NONBLOCK, 0) // no reader: fifo_open's ENXIO
			return err
		}, err: vfs.ENXIO},
		{name: "O_DIRECT on a directory", op: func(tk *vfs.Task) error {
			_, err := tk.Open("/d", vfs.O_RDONLY|vfs.O_DIRECT, 0)
			return err
		}, err: vfs.EINVAL},
		{name: "O_TMPFILE EACCES", user: true, op: func(tk *vfs.Task) error {
			_, err := tk.Open("/d/ro", vfs.O_TMPFILE|vfs.O_RDWR, 0o600)
			return err
		}, err: vfs.EACCES},
		{name: "O_TMPFILE EOPNOTSUPP", op: func(tk *vfs.Task) error {
			_, err := tk.Open("/proc", vfs.O_TMPFILE|vfs.O_RDWR, 0o600)
			return err
		}, err: vfs.EOPNOTSUPP},
		{name: "O_TMPFILE ENOSPC from ->tmpfile", op: func(tk *vfs.Task) error {
			must(t, tk.Mkdir("/d/small", 0o777))
			must(t, tk.Mount("tmpfs", "/d/small", "tmpfs", 0, "nr_inodes=1"))
			_, err := tk.Open("/d/small", vfs.O_TMPFILE|vfs.O_RDWR, 0o600)
			return err
		}, err: vfs.ENOSPC},
		{name: "sysctl open EACCES", op: func(tk *vfs.Task) error {
			_, err := tk.Open("/proc/sys/fs/file-nr", vfs.O_WRONLY, 0)
			return err
		}, err: vfs.EACCES},
		{name: "EMFILE", op: func(tk *vfs.Task) error {
			must(t, tk.Setrlimit(vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 3, Max: 3}))
			_, err := tk.Open("/d/f", vfs.O_RDONLY, 0)
			return err
		}, err: vfs.EMFILE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, root := setup(t)
			must(t, root.Mkdir("/d", 0o777))
			must(t, root.Mkdir("/d/ro", 0o555))
			fd, err := root.Creat("/d/f", 0o666)
			must(t, err)
			must(t, root.Close(fd))
			fd, err = root.Creat("/d/secret", 0o600)
			must(t, err)
			must(t, root.Close(fd))
			must(t, root.Symlink("f", "/d/l"))
			must(t, root.Mknod("/d/fifo", vfs.S_IFIFO|0o666, 0))
			for range 3 {
				_, err := root.Open("/", vfs.O_RDONLY, 0)
				must(t, err)
			}
			tk := root.Fork("task")
			if c.user {
				tk.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
			}
			before := fileNr(t, root)
			if err := c.op(tk); err != c.err {
				t.Fatalf("%v, want %v", err, c.err)
			}
			if got := fileNr(t, root); got != before+c.delta {
				t.Errorf("file-nr %d, was %d: want %+d", got, before, c.delta)
			}
			tk.Exit()
			if got := fileNr(t, root); got != before {
				t.Errorf("after the task's exit file-nr %d, was %d", got, before)
			}
		})
	}
}

// TestFileMaxDefault: files_maxfiles_init's default, a tenth of the
// memory in KiB (one file, with its dentry and inode, is about 1 KiB),
// never below NR_FILE.
func TestFileMaxDefault(t *testing.T) {
	for _, c := range []struct {
		budget int64
		want   string
	}{
		{0, "26214\n"},          // 256 MiB: 65536 pages * 4 / 10
		{1 << 30, "104857\n"},   // 1 GiB
		{80 << 20, "8192\n"},    // 20480 pages * 4 / 10 = 8192
		{64 << 20, "8192\n"},    // 6553 files: NR_FILE
		{128 << 10, "8192\n"},   // MinMemBudget
		{16 << 30, "1677721\n"}, // 16 GiB
	} {
		t.Run(strconv.FormatInt(c.budget, 10), func(t *testing.T) {
			_, tk, err := boot.New(vfs.Options{MemBudget: c.budget})
			must(t, err)
			if got := readSysctl(t, tk, "/proc/sys/fs/file-max"); got != c.want {
				t.Errorf("file-max %q, want %q", got, c.want)
			}
		})
	}
}

// TestFileMaxWrites: file-max is proc_doulongvec_minmax from 0 to
// LONG_MAX, written as the other sysctls are; a refused value is EINVAL
// and leaves it as it was. file-nr is 0444: no one opens it for
// writing, root included, and its mode does not change.
func TestFileMaxWrites(t *testing.T) {
	cases := []struct {
		data string
		err  error
		n    int
		want string // file-max afterwards
	}{
		{data: "100\n", n: 4, want: "100"},
		{data: "0", n: 1, want: "0"},
		{data: "0x10", n: 4, want: "16"},
		{data: "  9223372036854775807 \n", n: 23, want: "9223372036854775807"},
		{data: "9223372036854775808", err: vfs.EINVAL, want: "26214"},
		{data: "18446744073709551615", err: vfs.EINVAL, want: "26214"},
		{data: "18446744073709551616", err: vfs.EINVAL, want: "26214"},
		{data: "-1", err: vfs.EINVAL, want: "26214"},
		{data: "12abc", err: vfs.EINVAL, want: "26214"},
		{data: "\n", err: vfs.EINVAL, want: "26214"},
		{data: "", n: 0, want: "26214"},
	}
	for _, c := range cases {
		t.Run(strconv.Quote(c.data), func(t *testing.T) {
			_, tk := setup(t)
			n, err := writeFile(tk, "/proc/sys/fs/file-max", c.data)
			if err != c.err || err == nil && n != c.n {
				t.Errorf("write: %d, %v; want %d, %v", n, err, c.n, c.err)
			}
			if got := readSysctl(t, tk, "/proc/sys/fs/file-max"); got != c.want+"\n" {
				t.Errorf("file-max %q, want %q", got, c.want)
			}
			if got := readSysctl(t, tk, "/proc/sys/fs/file-nr"); !strings.HasSuffix(got, "\t0\t"+c.want+"\n") {
				t.Errorf("file-nr %q, want max %s", got, c.want)
			}
		})
	}
	t.Run("file-nr", func(t *testing.T) {
		_, tk := setup(t)
		for _, flags := range []int{vfs.O_WRONLY, vfs.O_RDWR, vfs.O_WRONLY | vfs.O_TRUNC} {
			if _, err := tk.Open("/proc/sys/fs/file-nr", flags, 0); err != vfs.EACCES {
				t.Errorf("open flags %#o: %v, want EACCES", flags, err)
			}
		}
		if err := tk.Chmod("/proc/sys/fs/file-nr", 0o644); err != vfs.EPERM {
			t.Errorf("chmod: %v, want EPERM", err)
		}
		var st vfs.Stat
		must(t, tk.Stat("/proc/sys/fs/file-nr", &st))
		must(t, tk.Stat("/proc/sys/fs/file-max", &st))
	})
}

// TestENFILE: with file-max files allocated, an unprivileged open fails
// with ENFILE before it walks (so ENFILE, not ENOENT, for a missing
// file, and no file made for O_CREAT), while root, which has
// CAP_SYS_ADMIN, opens past the limit; once a file is closed below the
// limit the unprivileged open works again.
func TestENFILE(t *testing.T) {
	_, root := setup(t)
	must(t, root.Mkdir("/d", 0o777))
	user := root.Fork("user")
	defer user.Exit()
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	nr := fileNr(t, root) - 1 // less the read of file-nr itself
	// At the limit: the open of file-max for the write is counted.
	if _, err := writeFile(root, "/proc/sys/fs/file-max", strconv.FormatInt(nr, 10)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		path  string
		flags int
	}{
		{"existing", "/d", vfs.O_RDONLY},
		{"missing", "/d/none", vfs.O_RDONLY},
		{"O_CREAT", "/d/new", vfs.O_CREAT | vfs.O_WRONLY},
		{"O_PATH", "/d", vfs.O_PATH},
		{"O_TMPFILE", "/d", vfs.O_TMPFILE | vfs.O_RDWR},
	} {
		if _, err := user.Open(c.path, c.flags, 0o644); err != vfs.ENFILE {
			t.Errorf("%s as uid 1000: %v, want ENFILE", c.name, err)
		}
	}
	var st vfs.Stat
	if err := root.Stat("/d/new", &st); err != vfs.ENOENT {
		t.Errorf("O_CREAT at the limit made the file: %v", err)
	}
	fd, err := root.Open("/d", vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("root at the limit: %v", err)
	}
	fd2, err := root.Open("/d", vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("root past the limit: %v", err)
	}
	if got := fileNr(t, root); got != nr+3 {
		t.Errorf("file-nr %d, want %d", got, nr+3)
	}
	if _, err := user.Open("/d", vfs.O_RDONLY, 0); err != vfs.ENFILE {
		t.Errorf("uid 1000 past the limit: %v, want ENFILE", err)
	}
	must(t, root.Close(fd))
	must(t, root.Close(fd2))
	// One below the limit: one more open is allowed.
	if _, err := writeFile(root, "/proc/sys/fs/file-max", strconv.FormatInt(nr+1, 10)); err != nil {
		t.Fatal(err)
	}
	ufd, err := user.Open("/d", vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("uid 1000 below the limit: %v", err)
	}
	if _, err := user.Open("/d", vfs.O_RDONLY, 0); err != vfs.ENFILE {
		t.Errorf("uid 1000 at the limit again: %v, want ENFILE", err)
	}
	must(t, user.Close(ufd))
}
