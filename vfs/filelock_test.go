package vfs_test

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// lockLayout returns the locks on path's inode as "CLASS TYPE start-end"
// (end "EOF"), sorted, applied locks only.
func lockLayout(t testing.TB, tk *vfs.Task, path string) string {
	t.Helper()
	var st vfs.Stat
	if err := tk.Stat(path, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	var out []string
	for _, l := range tk.ProcLocks() {
		if l.Level != 0 || l.Ino != st.Ino {
			continue
		}
		end := "EOF"
		if l.End != vfs.OFFSET_MAX {
			end = fmt.Sprint(l.End)
		}
		out = append(out, fmt.Sprintf("%s %s %d-%s", l.Class, typeName(l.Type), l.Start, end))
	}
	sort.Slice(out, func(i, j int) bool {
		return layoutKey(out[i]) < layoutKey(out[j])
	})
	return strings.Join(out, ", ")
}

// layoutKey sorts by class, then start numerically.
func layoutKey(s string) string {
	f := strings.Fields(s)
	r := strings.SplitN(f[2], "-", 2)
	var n int64
	fmt.Sscan(r[0], &n)
	return fmt.Sprintf("%s %020d %s", f[0], n, s)
}

func typeName(t int16) string {
	switch t {
	case vfs.F_RDLCK:
		return "READ"
	case vfs.F_WRLCK:
		return "WRITE"
	}
	return "UNLCK"
}

func flErr(err error) string {
	if err == nil {
		return "ok"
	}
	return vfs.ErrnoOf(err).Name()
}

// TestFlock: flock(2) on one file through three descriptions: d0, d1
// (separate opens) and d2 (a dup of d0, the same description).
func TestFlock(t *testing.T) {
	type step struct {
		fd   int // index into the descriptors: 0, 1, 2 (dup of 0), 3 (O_PATH)
		how  int
		want vfs.Errno
		// layout after the step
		layout string
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"shared by two", []step{
			{0, vfs.LOCK_SH, 0, "FLOCK READ 0-EOF"},
			{1, vfs.LOCK_SH | vfs.LOCK_NB, 0, "FLOCK READ 0-EOF, FLOCK READ 0-EOF"},
			{1, vfs.LOCK_EX | vfs.LOCK_NB, vfs.EAGAIN, "FLOCK READ 0-EOF"}, // the failed upgrade lost d1's lock
			{0, vfs.LOCK_EX | vfs.LOCK_NB, 0, "FLOCK WRITE 0-EOF"},
		}},
		{"exclusive excludes", []step{
			{0, vfs.LOCK_EX, 0, "FLOCK WRITE 0-EOF"},
			{1, vfs.LOCK_SH | vfs.LOCK_NB, vfs.EAGAIN, "FLOCK WRITE 0-EOF"},
			{2, vfs.LOCK_EX | vfs.LOCK_NB, 0, "FLOCK WRITE 0-EOF"}, // dup: same description, same lock
			{2, vfs.LOCK_SH, 0, "FLOCK READ 0-EOF"},                // downgrade through the dup
			{1, vfs.LOCK_SH | vfs.LOCK_NB, 0, "FLOCK READ 0-EOF, FLOCK READ 0-EOF"},
			{2, vfs.LOCK_UN, 0, "FLOCK READ 0-EOF"},
			{0, vfs.LOCK_UN, 0, "FLOCK READ 0-EOF"}, // unlock without a lock: fine
			{1, vfs.LOCK_UN, 0, ""},
		}},
		{"bad operations", []step{
			{0, 0, vfs.EINVAL, ""},
			{0, vfs.LOCK_SH | vfs.LOCK_EX, vfs.EINVAL, ""},
			{0, vfs.LOCK_NB, vfs.EINVAL, ""},
			{0, vfs.LOCK_MAND | vfs.LOCK_SH, 0, ""}, // ignored, as Linux
			{3, vfs.LOCK_SH, vfs.EBADF, ""},
			{3, 0, vfs.EINVAL, ""}, // EINVAL is checked before the descriptor
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "data", 0o644)
			var fds [4]int
			var err error
			fds[0], err = tk.Open("/f", vfs.O_RDWR, 0)
			e.Must(err)
			fds[1], err = tk.Open("/f", vfs.O_RDONLY, 0)
			e.Must(err)
			fds[2], err = tk.Dup(fds[0])
			e.Must(err)
			fds[3], err = tk.Open("/f", vfs.O_PATH, 0)
			e.Must(err)
			for i, s := range c.steps {
				err := tk.Flock(fds[s.fd], s.how)
				if vfs.ErrnoOf(err) != s.want {
					t.Fatalf("step %d: flock(d%d, %#x) = %s, want %s", i, s.fd, s.how, flErr(err), s.want.Name())
				}
				if got := lockLayout(t, tk, "/f"); got != s.layout {
					t.Fatalf("step %d: locks %q, want %q", i, got, s.layout)
				}
			}
			if err := tk.Flock(99, vfs.LOCK_SH); err != vfs.EBADF {
				t.Errorf("flock(99): %v, want EBADF", err)
			}
		})
	}
}

// TestFlockReleasedOnLastClose: the lock belongs to the description; it
// survives the close of one of its descriptors (and of a forked copy)
// and goes with the last one.
func TestFlockReleasedOnLastClose(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "", 0o644)
	fd, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.Flock(fd, vfs.LOCK_EX))
	dup, err := tk.Dup(fd)
	e.Must(err)
	child := tk.Fork("child")
	e.Must(tk.Close(fd))
	if got := lockLayout(t, tk, "/f"); got != "FLOCK WRITE 0-EOF" {
		t.Fatalf("after closing one descriptor: %q", got)
	}
	e.Must(tk.Close(dup))
	if got := lockLayout(t, tk, "/f"); got != "FLOCK WRITE 0-EOF" {
		t.Fatalf("the child still holds the description: %q", got)
	}
	other, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	if err := tk.Flock(other, vfs.LOCK_SH|vfs.LOCK_NB); err != vfs.EAGAIN {
		t.Fatalf("flock while held: %v", err)
	}
	child.Exit()
	if got := lockLayout(t, tk, "/f"); got != "" {
		t.Fatalf("after the last close: %q", got)
	}
	e.Must(tk.Flock(other, vfs.LOCK_SH|vfs.LOCK_NB))
	e.Must(tk.Close(other))
}

// TestFlockWaits: a blocking flock sleeps until the holder unlocks.
func TestFlockWaits(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "", 0o644)
	fd, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.Flock(fd, vfs.LOCK_EX))
	b := tk.Fork("b")
	defer b.Exit()
	fdb, err := b.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	done := make(chan error, 1)
	go func() { done <- b.Flock(fdb, vfs.LOCK_EX) }()
	waitBlocked(t, tk, 1)
	select {
	case err := <-done:
		t.Fatalf("flock returned %v while the lock was held", err)
	default:
	}
	e.Must(tk.Flock(fd, vfs.LOCK_UN))
	if err := <-done; err != nil {
		t.Fatalf("flock after unlock: %v", err)
	}
	if got := lockLayout(t, tk, "/f"); got != "FLOCK WRITE 0-EOF" {
		t.Fatalf("locks %q", got)
	}
}

// waitBlocked waits until n requests are blocked (as /proc/locks shows
// them), yielding so that wasm's single thread runs the waiter.
func waitBlocked(t testing.TB, tk *vfs.Task, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := 0
		for _, l := range tk.ProcLocks() {
			if l.Level > 0 {
				got++
			}
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d blocked requests, want %d: %+v", got, n, tk.ProcLocks())
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// setlk is one fcntl lock step.
type setlk struct {
	cmd         int
	typ         int16
	whence      int16
	start, len_ int64
}

func (s setlk) flock() *vfs.Flock {
	return &vfs.Flock{Type: s.typ, Whence: s.whence, Start: s.start, Len: s.len_}
}

// TestPosixMergeSplit: one owner's locks are merged and split exactly as
// posix_lock_inode does (the same sequences run on the host kernel in
// TestFileLockOracleLinux).
func TestPosixMergeSplit(t *testing.T) {
	W, R, U := int16(vfs.F_WRLCK), int16(vfs.F_RDLCK), int16(vfs.F_UNLCK)
	S := vfs.F_SETLK
	cases := []struct {
		name  string
		steps []setlk
		want  string
	}{
		{"one", []setlk{{S, W, 0, 10, 10}}, "POSIX WRITE 10-19"},
		{"to EOF", []setlk{{S, R, 0, 5, 0}}, "POSIX READ 5-EOF"},
		{"negative length", []setlk{{S, W, 0, 10, -4}}, "POSIX WRITE 6-9"},
		{"merge overlapping", []setlk{{S, W, 0, 0, 10}, {S, W, 0, 5, 10}}, "POSIX WRITE 0-14"},
		{"merge adjacent", []setlk{{S, W, 0, 0, 10}, {S, W, 0, 10, 10}}, "POSIX WRITE 0-19"},
		{"merge bridging three", []setlk{{S, R, 0, 0, 5}, {S, R, 0, 10, 5}, {S, R, 0, 20, 5}, {S, R, 0, 3, 20}}, "POSIX READ 0-24"},
		{"no merge with a gap", []setlk{{S, W, 0, 0, 10}, {S, W, 0, 11, 10}}, "POSIX WRITE 0-9, POSIX WRITE 11-20"},
		{"no merge across types", []setlk{{S, W, 0, 0, 10}, {S, R, 0, 10, 10}}, "POSIX WRITE 0-9, POSIX READ 10-19"},
		{"split by another type", []setlk{{S, R, 0, 0, 100}, {S, W, 0, 40, 20}}, "POSIX READ 0-39, POSIX WRITE 40-59, POSIX READ 60-99"},
		{"split by unlock", []setlk{{S, W, 0, 0, 0}, {S, U, 0, 10, 10}}, "POSIX WRITE 0-9, POSIX WRITE 20-EOF"},
		{"trim left", []setlk{{S, W, 0, 0, 20}, {S, U, 0, 0, 5}}, "POSIX WRITE 5-19"},
		{"trim right", []setlk{{S, W, 0, 0, 20}, {S, U, 0, 15, 0}}, "POSIX WRITE 0-14"},
		{"replace whole", []setlk{{S, R, 0, 10, 10}, {S, W, 0, 5, 20}}, "POSIX WRITE 5-24"},
		{"replace several", []setlk{{S, R, 0, 0, 5}, {S, W, 0, 10, 5}, {S, R, 0, 20, 5}, {S, W, 0, 0, 30}}, "POSIX WRITE 0-29"},
		{"unlock all", []setlk{{S, R, 0, 0, 5}, {S, W, 0, 10, 5}, {S, U, 0, 0, 0}}, ""},
		{"unlock nothing", []setlk{{S, U, 0, 0, 10}}, ""},
		{"type change in place", []setlk{{S, W, 0, 0, 10}, {S, R, 0, 0, 10}}, "POSIX READ 0-9"},
		{"upgrade middle of merged", []setlk{{S, R, 0, 0, 10}, {S, R, 0, 10, 10}, {S, W, 0, 5, 10}}, "POSIX READ 0-4, POSIX WRITE 5-14, POSIX READ 15-19"},
		{"same type inside", []setlk{{S, W, 0, 0, 100}, {S, W, 0, 10, 10}}, "POSIX WRITE 0-99"},
		{"SEEK_END", []setlk{{S, W, 2, -2, 2}}, "POSIX WRITE 8-9"},
		{"SEEK_CUR", []setlk{{S, W, 1, 3, 1}}, "POSIX WRITE 7-7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "0123456789", 0o644)
			fd, err := tk.Open("/f", vfs.O_RDWR, 0)
			e.Must(err)
			_, err = tk.Seek(fd, 4, vfs.SEEK_SET)
			e.Must(err)
			for i, s := range c.steps {
				if err := tk.FcntlLock(fd, s.cmd, s.flock()); err != nil {
					t.Fatalf("step %d %+v: %v", i, s, err)
				}
			}
			if got := lockLayout(t, tk, "/f"); got != c.want {
				t.Fatalf("locks %q, want %q", got, c.want)
			}
		})
	}
}

// TestPosixGetlkAndConflicts: F_GETLK reports the first conflicting lock
// of another owner, F_SETLK fails with EAGAIN, an owner never conflicts
// with itself.
func TestPosixGetlkAndConflicts(t *testing.T) {
	e := vfstest.New(t)
	a := e.Root
	e.WriteFile("/f", "", 0o644)
	fa, err := a.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	b := a.Fork("b")
	defer b.Exit()
	fb, err := b.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 10, Len: 10}))
	e.Must(a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Start: 30, Len: 0}))
	cases := []struct {
		who  *vfs.Task
		fd   int
		q    vfs.Flock
		want vfs.Flock
	}{
		{b, fb, vfs.Flock{Type: vfs.F_RDLCK, Start: 0, Len: 10}, vfs.Flock{Type: vfs.F_UNLCK, Start: 0, Len: 10}},
		{b, fb, vfs.Flock{Type: vfs.F_RDLCK, Start: 0, Len: 11}, vfs.Flock{Type: vfs.F_WRLCK, Start: 10, Len: 10, PID: a.PID()}},
		{b, fb, vfs.Flock{Type: vfs.F_RDLCK, Start: 20, Len: 100}, vfs.Flock{Type: vfs.F_UNLCK, Start: 20, Len: 100}},
		{b, fb, vfs.Flock{Type: vfs.F_WRLCK, Start: 20, Len: 100}, vfs.Flock{Type: vfs.F_RDLCK, Start: 30, Len: 0, PID: a.PID()}},
		{b, fb, vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 0}, vfs.Flock{Type: vfs.F_WRLCK, Start: 10, Len: 10, PID: a.PID()}},
		{a, fa, vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 0}, vfs.Flock{Type: vfs.F_UNLCK, Start: 0, Len: 0}},
	}
	for i, c := range cases {
		q := c.q
		e.Must(c.who.FcntlLock(c.fd, vfs.F_GETLK, &q))
		if q != c.want {
			t.Errorf("case %d: F_GETLK %+v gave %+v, want %+v", i, c.q, q, c.want)
		}
	}
	if err := b.FcntlLock(fb, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Start: 15, Len: 1}); err != vfs.EAGAIN {
		t.Errorf("conflicting F_SETLK: %v, want EAGAIN", err)
	}
	e.Must(b.FcntlLock(fb, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Start: 35, Len: 1}))
	if err := a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 30, Len: 0}); err != vfs.EAGAIN {
		t.Errorf("upgrade over another's read lock: %v, want EAGAIN", err)
	}
}

// TestFcntlLockErrors: the argument checks, in Linux's order.
func TestFcntlLockErrors(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "0123456789", 0o644)
	rd, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	wr, err := tk.Open("/f", vfs.O_WRONLY, 0)
	e.Must(err)
	path, err := tk.Open("/f", vfs.O_PATH, 0)
	e.Must(err)
	const max = int64(1<<63 - 1)
	cases := []struct {
		fd   int
		cmd  int
		l    vfs.Flock
		want vfs.Errno
	}{
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_WRLCK}, vfs.EBADF},
		{wr, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK}, vfs.EBADF},
		{wr, vfs.F_SETLK, vfs.Flock{Type: vfs.F_UNLCK}, 0},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK}, 0},
		{path, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK}, vfs.EBADF},
		{99, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK}, vfs.EBADF},
		{rd, vfs.F_SETLK, vfs.Flock{Type: 7}, vfs.EINVAL},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Whence: 3}, vfs.EINVAL},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Start: -1}, vfs.EINVAL},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Start: 5, Len: -6}, vfs.EINVAL},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Start: 5, Len: -5}, 0},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Whence: vfs.SEEK_END, Start: max}, vfs.EOVERFLOW},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Start: max, Len: 2}, vfs.EOVERFLOW},
		{rd, vfs.F_SETLK, vfs.Flock{Type: vfs.F_RDLCK, Start: max, Len: 1}, 0},
		{rd, vfs.F_GETLK, vfs.Flock{Type: vfs.F_UNLCK}, vfs.EINVAL},
		{rd, vfs.F_OFD_SETLK, vfs.Flock{Type: vfs.F_RDLCK, PID: 1}, vfs.EINVAL},
		{rd, vfs.F_OFD_SETLKW, vfs.Flock{Type: vfs.F_RDLCK, PID: 1}, vfs.EINVAL},
		{rd, vfs.F_OFD_GETLK, vfs.Flock{Type: vfs.F_RDLCK, PID: 1}, vfs.EINVAL},
		{rd, vfs.F_OFD_GETLK, vfs.Flock{Type: vfs.F_UNLCK}, 0},
		{rd, 12345, vfs.Flock{Type: vfs.F_RDLCK}, vfs.EINVAL},
	}
	for i, c := range cases {
		l := c.l
		if err := tk.FcntlLock(c.fd, c.cmd, &l); vfs.ErrnoOf(err) != c.want {
			t.Errorf("case %d: fcntl(%d, %d, %+v) = %s, want %s", i, c.fd, c.cmd, c.l, flErr(err), c.want.Name())
		}
	}
}

// TestPosixReleasedOnAnyClose: closing any descriptor of the file drops
// all of the task's POSIX locks on it, but not its OFD locks, nor other
// tasks' locks; a fork does not inherit them.
func TestPosixReleasedOnAnyClose(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "", 0o644)
	e.WriteFile("/g", "", 0o644)
	fd, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	other, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	g, err := tk.Open("/g", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 5}))
	e.Must(tk.FcntlLock(fd, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 10, Len: 5}))
	e.Must(tk.FcntlLock(g, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK}))
	child := tk.Fork("child")
	defer child.Exit()
	cfd, err := child.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(child.FcntlLock(cfd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 20, Len: 5}))
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK WRITE 10-14, POSIX WRITE 0-4, POSIX WRITE 20-24" {
		t.Fatalf("before close: %q", got)
	}
	e.Must(tk.Close(other))
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK WRITE 10-14, POSIX WRITE 20-24" {
		t.Fatalf("after closing another descriptor: %q", got)
	}
	if got := lockLayout(t, tk, "/g"); got != "POSIX WRITE 0-EOF" {
		t.Fatalf("a lock on another file went: %q", got)
	}
	e.Must(tk.Close(fd)) // the description's last descriptor in tk; the child's copy holds it
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK WRITE 10-14, POSIX WRITE 20-24" {
		t.Fatalf("OFD lock must stay while the child holds the description: %q", got)
	}
	// dup2 over a descriptor of the file is a close too.
	e.Must(child.FcntlLock(cfd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 30, Len: 1}))
	x, err := child.Open("/g", vfs.O_RDONLY, 0)
	e.Must(err)
	_, err = child.Dup2(x, cfd)
	e.Must(err)
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK WRITE 10-14" {
		t.Fatalf("after dup2 over the child's descriptor: %q", got)
	}
}

// TestPosixSetlkwWakeup: F_SETLKW sleeps behind a conflicting lock and is
// woken, with the lock, when the range is unlocked; a waiter for a range
// that is only partly freed keeps waiting.
func TestPosixSetlkwWakeup(t *testing.T) {
	e := vfstest.New(t)
	a := e.Root
	e.WriteFile("/f", "", 0o644)
	fa, err := a.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 100}))
	b := a.Fork("b")
	defer b.Exit()
	fb, err := b.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	done := make(chan error, 1)
	go func() {
		done <- b.FcntlLock(fb, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK, Start: 40, Len: 20})
	}()
	waitBlocked(t, a, 1)
	// Unlocking 0-49 splits a's lock; b still conflicts with 50-99.
	e.Must(a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK, Start: 0, Len: 50}))
	waitBlocked(t, a, 1)
	select {
	case err := <-done:
		t.Fatalf("F_SETLKW returned %v while 50-59 was still locked", err)
	default:
	}
	e.Must(a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
	if err := <-done; err != nil {
		t.Fatalf("F_SETLKW: %v", err)
	}
	if got := lockLayout(t, a, "/f"); got != "POSIX WRITE 40-59" {
		t.Fatalf("locks %q", got)
	}
}

// TestPosixDeadlock: a waits for b's lock; b's request for a's lock would
// close the cycle and fails with EDEADLK; a third task c waiting behind
// a makes a longer chain, detected too. OFD requests are never checked.
func TestPosixDeadlock(t *testing.T) {
	e := vfstest.New(t)
	a := e.Root
	e.WriteFile("/f", "", 0o644)
	e.WriteFile("/g", "", 0o644)
	b := a.Fork("b")
	defer b.Exit()
	c := a.Fork("c")
	defer c.Exit()
	open := func(tk *vfs.Task, p string) int {
		fd, err := tk.Open(p, vfs.O_RDWR, 0)
		e.Must(err)
		return fd
	}
	af, bf, bg, cg, cf := open(a, "/f"), open(b, "/f"), open(b, "/g"), open(c, "/g"), open(c, "/f")
	e.Must(a.FcntlLock(af, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10}))
	e.Must(b.FcntlLock(bf, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 10, Len: 10}))
	e.Must(c.FcntlLock(cg, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK}))
	// a waits for b's bytes 10-19.
	aDone := make(chan error, 1)
	go func() { aDone <- a.FcntlLock(af, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK, Start: 15, Len: 1}) }()
	waitBlocked(t, c, 1)
	// b waits for c (on /g).
	bDone := make(chan error, 1)
	go func() { bDone <- b.FcntlLock(bg, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK}) }()
	waitBlocked(t, c, 2)
	// c asking for a's bytes: c -> a -> b -> c.
	if err := c.FcntlLock(cf, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 1}); err != vfs.EDEADLK {
		t.Fatalf("c's F_SETLKW: %v, want EDEADLK", err)
	}
	// Without waiting there is no deadlock to report.
	if err := c.FcntlLock(cf, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 1}); err != vfs.EAGAIN {
		t.Fatalf("c's F_SETLK: %v, want EAGAIN", err)
	}
	// c gives up /g: b gets it and stops waiting; b then drops its lock
	// on /f and a gets its byte.
	e.Must(c.FcntlLock(cg, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
	if err := <-bDone; err != nil {
		t.Fatalf("b: %v", err)
	}
	e.Must(b.FcntlLock(bf, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
	if err := <-aDone; err != nil {
		t.Fatalf("a: %v", err)
	}
	if got := lockLayout(t, a, "/f"); got != "POSIX WRITE 0-9, POSIX WRITE 15-15" {
		t.Fatalf("locks %q", got)
	}
}

// TestPosixDeadlockTwoTasks: the plain AB-BA case.
func TestPosixDeadlockTwoTasks(t *testing.T) {
	e := vfstest.New(t)
	a := e.Root
	e.WriteFile("/f", "", 0o644)
	b := a.Fork("b")
	defer b.Exit()
	fa, err := a.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	fb, err := b.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(a.FcntlLock(fa, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 1}))
	e.Must(b.FcntlLock(fb, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 1, Len: 1}))
	done := make(chan error, 1)
	go func() { done <- a.FcntlLock(fa, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK, Start: 1, Len: 1}) }()
	waitBlocked(t, b, 1)
	if err := b.FcntlLock(fb, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 1}); err != vfs.EDEADLK {
		t.Fatalf("b: %v, want EDEADLK", err)
	}
	// The same cycle through OFD locks is not detected: b's OFD request
	// would simply wait. Check with F_OFD_SETLK (no wait) that it
	// conflicts, then release.
	if err := b.FcntlLock(fb, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 1}); err != vfs.EAGAIN {
		t.Fatalf("b OFD: %v, want EAGAIN", err)
	}
	e.Must(b.Close(fb))
	if err := <-done; err != nil {
		t.Fatalf("a: %v", err)
	}
}

// TestOFDLocks: OFD locks belong to the description: two descriptions
// of one task conflict, a dup shares, closing another descriptor of the
// file keeps them, the last close of the description drops them; they
// conflict with POSIX locks; F_GETLK reports pid -1 for them.
func TestOFDLocks(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "", 0o644)
	d1, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	d2, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.FcntlLock(d1, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10}))
	if err := tk.FcntlLock(d2, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Start: 5, Len: 1}); err != vfs.EAGAIN {
		t.Fatalf("second description of one task: %v, want EAGAIN", err)
	}
	// A POSIX lock of the same task conflicts with the OFD lock.
	if err := tk.FcntlLock(d2, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Start: 5, Len: 1}); err != vfs.EAGAIN {
		t.Fatalf("POSIX vs OFD: %v, want EAGAIN", err)
	}
	q := vfs.Flock{Type: vfs.F_RDLCK, Start: 0, Len: 1}
	e.Must(tk.FcntlLock(d2, vfs.F_OFD_GETLK, &q))
	if want := (vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10, PID: -1}); q != want {
		t.Fatalf("F_OFD_GETLK %+v, want %+v", q, want)
	}
	q = vfs.Flock{Type: vfs.F_RDLCK, Start: 0, Len: 1}
	e.Must(tk.FcntlLock(d2, vfs.F_GETLK, &q))
	if q.PID != -1 || q.Type != vfs.F_WRLCK {
		t.Fatalf("F_GETLK of an OFD lock: %+v", q)
	}
	// The owner's own view: F_OFD_GETLK with F_UNLCK finds its lock.
	q = vfs.Flock{Type: vfs.F_UNLCK, Start: 3, Len: 1}
	e.Must(tk.FcntlLock(d1, vfs.F_OFD_GETLK, &q))
	if q.Type != vfs.F_WRLCK || q.Start != 0 || q.Len != 10 {
		t.Fatalf("F_OFD_GETLK F_UNLCK on own lock: %+v", q)
	}
	dup, err := tk.Dup(d1)
	e.Must(err)
	e.Must(tk.FcntlLock(dup, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 10, Len: 10}))
	e.Must(tk.Close(d2))
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK WRITE 0-19" {
		t.Fatalf("after closing another description: %q", got)
	}
	e.Must(tk.Close(d1))
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK WRITE 0-19" {
		t.Fatalf("the dup still holds the description: %q", got)
	}
	e.Must(tk.Close(dup))
	if got := lockLayout(t, tk, "/f"); got != "" {
		t.Fatalf("after the last close: %q", got)
	}
}

// TestOFDSetlkwWakeup: F_OFD_SETLKW between two descriptions of one task.
func TestOFDSetlkwWakeup(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "", 0o644)
	d1, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	d2, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.FcntlLock(d1, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_WRLCK}))
	w := tk.Fork("waiter") // shares the descriptions
	defer w.Exit()
	done := make(chan error, 1)
	go func() { done <- w.FcntlLock(d2, vfs.F_OFD_SETLKW, &vfs.Flock{Type: vfs.F_RDLCK}) }()
	waitBlocked(t, tk, 1)
	e.Must(tk.FcntlLock(d1, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := lockLayout(t, tk, "/f"); got != "OFDLCK READ 0-EOF" {
		t.Fatalf("locks %q", got)
	}
}

// TestLeases: who may take which lease, and the conflicts with opens.
func TestLeases(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "x", 0o644)
	e.Must(tk.Mkdir("/dir", 0o755))
	u := e.As(1000, 1000) // forked before any open: it shares no description
	rd, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	if got, err := tk.Fcntl(rd, vfs.F_GETLEASE, 0); err != nil || got != vfs.F_UNLCK {
		t.Fatalf("F_GETLEASE without a lease: %d, %v", got, err)
	}
	if _, err := tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_UNLCK); err != vfs.EAGAIN {
		t.Fatalf("F_UNLCK without a lease: %v, want EAGAIN", err)
	}
	if _, err := tk.Fcntl(rd, vfs.F_SETLEASE, 9); err != vfs.EINVAL {
		t.Fatalf("bad type: %v", err)
	}
	// A write lease needs the file open by no other description.
	rd2, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	if _, err := tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_WRLCK); err != vfs.EAGAIN {
		t.Fatalf("write lease with another open: %v, want EAGAIN", err)
	}
	e.Must(tk.Close(rd2))
	_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_WRLCK)
	e.Must(err)
	if got, _ := tk.Fcntl(rd, vfs.F_GETLEASE, 0); got != vfs.F_WRLCK {
		t.Fatalf("F_GETLEASE: %d, want F_WRLCK", got)
	}
	_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_RDLCK) // downgrade
	e.Must(err)
	// A read lease needs the file open for writing by no one.
	wr, err := tk.Open("/f", vfs.O_WRONLY|vfs.O_NONBLOCK, 0)
	if err != vfs.EAGAIN {
		t.Fatalf("open for writing over a read lease with O_NONBLOCK: %v, want EWOULDBLOCK", err)
	}
	if got, _ := tk.Fcntl(rd, vfs.F_GETLEASE, 0); got != vfs.F_UNLCK {
		t.Fatalf("F_GETLEASE while breaking: %d, want F_UNLCK (the target)", got)
	}
	_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_UNLCK)
	e.Must(err)
	wr, err = tk.Open("/f", vfs.O_WRONLY, 0)
	e.Must(err)
	if _, err := tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_RDLCK); err != vfs.EAGAIN {
		t.Fatalf("read lease while open for writing: %v, want EAGAIN", err)
	}
	e.Must(tk.Close(wr))
	// Not the owner: EACCES; not a regular file: EINVAL.
	urd, err := u.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	if _, err := u.Fcntl(urd, vfs.F_SETLEASE, vfs.F_RDLCK); err != vfs.EACCES {
		t.Fatalf("lease by a non-owner: %v, want EACCES", err)
	}
	e.Must(u.Close(urd))
	dfd, err := tk.Open("/dir", vfs.O_RDONLY, 0)
	e.Must(err)
	if _, err := tk.Fcntl(dfd, vfs.F_SETLEASE, vfs.F_RDLCK); err != vfs.EINVAL {
		t.Fatalf("lease on a directory: %v, want EINVAL", err)
	}
	// Two read leases share; the last close drops a lease.
	_, err = tk.Fcntl(rd, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)
	rd3, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	_, err = tk.Fcntl(rd3, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)
	if got := lockLayout(t, tk, "/f"); got != "LEASE READ 0-EOF, LEASE READ 0-EOF" {
		t.Fatalf("locks %q", got)
	}
	e.Must(tk.Close(rd3))
	e.Must(tk.Close(rd))
	if got := lockLayout(t, tk, "/f"); got != "" {
		t.Fatalf("after close: %q", got)
	}
}

// TestLeaseBreak: an open for writing breaks a read lease; the opener
// waits until the holder releases it, or until lease_break_time passes;
// a read open breaks a write lease to read (downgrade); truncate breaks
// too.
func TestLeaseBreak(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "x", 0o644)
	e.V.SetLeaseBreakTime(time.Hour)
	b := tk.Fork("opener") // before any open: it shares no description
	defer b.Exit()
	holder, err := tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)

	// 1. The holder releases: the opener proceeds.
	done := make(chan error, 1)
	go func() {
		fd, err := b.Open("/f", vfs.O_WRONLY, 0)
		if err == nil {
			err = b.Close(fd)
		}
		done <- err
	}()
	waitLeaseTarget(t, tk, holder, vfs.F_UNLCK)
	waitBlocked(t, tk, 1)
	if got := procLocksText(tk); !strings.Contains(got, "LEASE  BREAKING  UNLCK") || !strings.Contains(got, "-> LEASE  BREAKER   WRITE") {
		t.Fatalf("/proc/locks while breaking:\n%s", got)
	}
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_UNLCK)
	e.Must(err)
	if err := <-done; err != nil {
		t.Fatalf("open after release: %v", err)
	}

	// 2. The holder does nothing: the lease is broken after the break
	// time.
	e.V.SetLeaseBreakTime(50 * time.Millisecond)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)
	start := time.Now()
	fd, err := b.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("the opener waited only %v", d)
	}
	if got, _ := tk.Fcntl(holder, vfs.F_GETLEASE, 0); got != vfs.F_UNLCK {
		t.Fatalf("lease after the break time: %d", got)
	}
	e.Must(b.Close(fd))

	// 3. A write lease and a reader: downgraded to a read lease after
	// the break time; the reader then opens.
	e.Must(tk.Close(holder))
	holder, err = tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_WRLCK)
	e.Must(err)
	fd, err = b.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	if got, _ := tk.Fcntl(holder, vfs.F_GETLEASE, 0); got != vfs.F_RDLCK {
		t.Fatalf("write lease after a reader's break: %d, want F_RDLCK", got)
	}
	e.Must(b.Close(fd))
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_UNLCK)
	e.Must(err)
	e.Must(tk.Close(holder))

	// 4. truncate(2) breaks a read lease as an open for writing does.
	e.V.SetLeaseBreakTime(time.Hour)
	holder, err = tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)
	go func() { done <- b.Truncate("/f", 0) }()
	waitLeaseTarget(t, tk, holder, vfs.F_UNLCK)
	e.Must(tk.Close(holder)) // the last close removes the lease
	if err := <-done; err != nil {
		t.Fatalf("truncate: %v", err)
	}

	// 5. lease_break_time 0: never broken by force; the opener waits
	// (polling each jiffy) until the holder releases.
	e.V.SetLeaseBreakTime(0)
	holder, err = tk.Open("/f", vfs.O_RDONLY, 0)
	e.Must(err)
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_RDLCK)
	e.Must(err)
	go func() {
		fd, err := b.Open("/f", vfs.O_WRONLY, 0)
		if err == nil {
			err = b.Close(fd)
		}
		done <- err
	}()
	waitLeaseTarget(t, tk, holder, vfs.F_UNLCK)
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the opener went on (%v) with the lease held and no break time", err)
	default:
	}
	if got, _ := tk.Fcntl(holder, vfs.F_GETLEASE, 0); got != vfs.F_UNLCK {
		t.Fatalf("lease after 50ms with no break time: %d, want still breaking (F_UNLCK target)", got)
	}
	_, err = tk.Fcntl(holder, vfs.F_SETLEASE, vfs.F_UNLCK)
	e.Must(err)
	if err := <-done; err != nil {
		t.Fatalf("open after release: %v", err)
	}
	e.Must(tk.Close(holder))
}

func waitLeaseTarget(t *testing.T, tk *vfs.Task, fd, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := tk.Fcntl(fd, vfs.F_GETLEASE, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("F_GETLEASE %d, want %d", got, want)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func procLocksText(tk *vfs.Task) string {
	fd, err := tk.Open("/proc/locks", vfs.O_RDONLY, 0)
	if err != nil {
		return "open /proc/locks: " + err.Error()
	}
	defer tk.Close(fd)
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := tk.Read(fd, buf)
		b.Write(buf[:n])
		if n == 0 || err != nil {
			break
		}
	}
	return b.String()
}

// TestProcLocks: /proc/locks in Linux's format, newest first, waiters
// under their blocker.
func TestProcLocks(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	e.WriteFile("/f", "", 0o644)
	e.WriteFile("/g", "", 0o644)
	var sf, sg vfs.Stat
	e.Must(tk.Stat("/f", &sf))
	e.Must(tk.Stat("/g", &sg))
	dev := fmt.Sprintf("%02x:%02x", vfs.Major(sf.Dev), vfs.Minor(sf.Dev))
	f1, err := tk.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	g1, err := tk.Open("/g", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.FcntlLock(f1, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 100}))
	e.Must(tk.Flock(g1, vfs.LOCK_SH))
	e.Must(tk.FcntlLock(g1, vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Start: 5, Len: 0}))
	b := tk.Fork("b")
	defer b.Exit()
	fb, err := b.Open("/f", vfs.O_RDWR, 0)
	e.Must(err)
	done := make(chan error, 1)
	go func() { done <- b.FcntlLock(fb, vfs.F_SETLKW, &vfs.Flock{Type: vfs.F_RDLCK, Start: 50, Len: 1}) }()
	waitBlocked(t, tk, 1)
	want := fmt.Sprintf(`1: OFDLCK ADVISORY  READ -1 %[1]s:%[3]d 5 EOF
2: FLOCK  ADVISORY  READ %[4]d %[1]s:%[3]d 0 EOF
3: POSIX  ADVISORY  WRITE %[4]d %[1]s:%[2]d 0 99
3: -> POSIX  ADVISORY  READ %[5]d %[1]s:%[2]d 50 50
`, dev, sf.Ino, sg.Ino, tk.PID(), b.PID())
	if got := procLocksText(tk); got != want {
		t.Fatalf("/proc/locks:\n%s\nwant:\n%s", got, want)
	}
	e.Must(tk.Close(f1))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestDriverLockMethods: a file whose operations have ->lock and ->flock
// gets the fcntl and flock requests there, with the generic code
// available to them (PosixLockFile, LocksLockFileWait), as a filesystem
// that keeps its own locks would; the close path sends its unlocks
// there too.
func TestDriverLockMethods(t *testing.T) {
	e := vfstest.New(t)
	tk := e.Root
	var calls []string
	fops := &vfs.FileOperations{
		Lock: func(t *vfs.Task, f *vfs.File, cmd int, fl *vfs.FileLock) error {
			calls = append(calls, fmt.Sprintf("lock %d %s %d-%d", cmd, typeName(fl.Type), fl.Start, fl.End))
			if cmd == vfs.F_GETLK {
				t.PosixTestLock(f, fl)
				return nil
			}
			if fl.Start >= 1000 {
				return vfs.ENOLCK // this driver refuses far ranges
			}
			return t.PosixLockFile(f, fl, nil)
		},
		Flock: func(t *vfs.Task, f *vfs.File, cmd int, fl *vfs.FileLock) error {
			calls = append(calls, fmt.Sprintf("flock %d %s", cmd, typeName(fl.Type)))
			return t.LocksLockFileWait(f, fl)
		},
	}
	e.Must(e.V.RegisterChrdev("locker", 240, 0, fops))
	e.Must(tk.Mknod("/dev/locker", vfs.S_IFCHR|0o666, vfs.MkDev(240, 0)))
	fd, err := tk.Open("/dev/locker", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10}))
	if err := tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 1000, Len: 1}); err != vfs.ENOLCK {
		t.Errorf("refused range: %v", err)
	}
	q := vfs.Flock{Type: vfs.F_RDLCK}
	e.Must(tk.FcntlLock(fd, vfs.F_GETLK, &q))
	e.Must(tk.Flock(fd, vfs.LOCK_SH|vfs.LOCK_NB))
	if got := lockLayout(t, tk, "/dev/locker"); got != "FLOCK READ 0-EOF, POSIX WRITE 0-9" {
		t.Errorf("locks %q", got)
	}
	e.Must(tk.Close(fd))
	if got := lockLayout(t, tk, "/dev/locker"); got != "" {
		t.Errorf("after close: %q", got)
	}
	want := []string{
		"lock 6 WRITE 0-9",
		"lock 6 WRITE 1000-1000",
		"lock 5 READ 0-9223372036854775807",
		"flock 6 READ",
		"lock 6 UNLCK 0-9223372036854775807", // filp_flush: the task's POSIX locks
		// __fput: no OFD unlock, the POSIX list being empty now
		// (locks_remove_posix looks first); then the flock lock.
		"flock 7 UNLCK",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
}
