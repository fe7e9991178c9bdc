package vfs_test

import (
	"errors"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// cloneEnv is a tmpfs root with a task, checked by the lock validator.
func cloneEnv(t *testing.T) *vfs.Task {
	t.Helper()
	v := vfs.New(vfs.Options{Lockdep: true})
	t.Cleanup(v.Shutdown)
	tk := v.NewTask("main", vfs.RootCred)
	if err := tmpfs.Register(tk, v); err != nil {
		t.Fatal(err)
	}
	if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if vs := v.LockingViolations(); len(vs) != 0 {
			t.Errorf("lock violations: %v", vs)
		}
	})
	return tk
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestCloneFilesSharesTheTable: what one task does to the shared table
// the other sees, each row from either side; a Fork of either copies
// the table instead.
func TestCloneFilesSharesTheTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		// act runs on one task and check on the other, with the
		// descriptor act returns.
		act   func(t *testing.T, tk *vfs.Task) int
		check func(t *testing.T, tk *vfs.Task, fd int)
	}{
		{"open is seen", func(t *testing.T, tk *vfs.Task) int {
			fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			mustOK(t, err)
			return fd
		}, func(t *testing.T, tk *vfs.Task, fd int) {
			if n, err := tk.Write(fd, []byte("abc")); n != 3 || err != nil {
				t.Errorf("write: %d, %v", n, err)
			}
		}},
		{"close is seen", func(t *testing.T, tk *vfs.Task) int {
			fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			mustOK(t, err)
			mustOK(t, tk.Close(fd))
			return fd
		}, func(t *testing.T, tk *vfs.Task, fd int) {
			var st vfs.Stat
			if err := tk.Fstat(fd, &st); !errors.Is(err, vfs.EBADF) {
				t.Errorf("fstat of a descriptor the other closed: %v, want EBADF", err)
			}
		}},
		{"dup2 and close-on-exec are seen", func(t *testing.T, tk *vfs.Task) int {
			fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			mustOK(t, err)
			nfd, err := tk.Dup3(fd, 40, vfs.O_CLOEXEC)
			mustOK(t, err)
			return nfd
		}, func(t *testing.T, tk *vfs.Task, fd int) {
			if got, err := tk.Fcntl(fd, vfs.F_GETFD, 0); got != vfs.FD_CLOEXEC || err != nil {
				t.Errorf("F_GETFD: %d, %v; want FD_CLOEXEC", got, err)
			}
		}},
		{"the file position is one", func(t *testing.T, tk *vfs.Task) int {
			fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT|vfs.O_TRUNC, 0o644)
			mustOK(t, err)
			_, err = tk.Write(fd, []byte("12345"))
			mustOK(t, err)
			return fd
		}, func(t *testing.T, tk *vfs.Task, fd int) {
			if pos, err := tk.Seek(fd, 0, vfs.SEEK_CUR); pos != 5 || err != nil {
				t.Errorf("lseek: %d, %v; want 5", pos, err)
			}
		}},
	} {
		for _, dir := range []string{"parent acts", "clone acts"} {
			t.Run(tc.name+"/"+dir, func(t *testing.T) {
				tk := cloneEnv(t)
				c := tk.CloneFiles("clone")
				a, b := tk, c
				if dir == "clone acts" {
					a, b = c, tk
				}
				fd := tc.act(t, a)
				tc.check(t, b, fd)
				// A fork has its own copy: its close is not the table's.
				if f := b.Fork("fork"); f != nil {
					f.Close(fd)
					f.Exit()
				}
				tc.check(t, b, fd)
				c.Exit()
				tk.Exit()
			})
		}
	}
}

// TestCloneFilesExit: the table's descriptors stay open until the last
// task sharing it exits; a reader of the FIFO sees end of file only then.
func TestCloneFilesExit(t *testing.T) {
	for _, first := range []string{"parent", "clone"} {
		t.Run(first+" exits first", func(t *testing.T) {
			tk := cloneEnv(t)
			mustOK(t, tk.Mknod("/fifo", vfs.S_IFIFO|0o644, 0))
			reader := tk.Spawn("reader")
			defer reader.Exit()
			rfd, err := reader.Open("/fifo", vfs.O_RDONLY|vfs.O_NONBLOCK, 0)
			mustOK(t, err)
			wfd, err := tk.Open("/fifo", vfs.O_WRONLY, 0)
			mustOK(t, err)
			c := tk.CloneFiles("clone")
			a, b := tk, c
			if first == "clone" {
				a, b = c, tk
			}
			buf := make([]byte, 8)
			a.Exit()
			a.Exit() // a second Exit changes nothing: b still holds the table
			if _, err := b.Write(wfd, []byte("x")); err != nil {
				t.Fatalf("write after the other task exited: %v", err)
			}
			if n, err := reader.Read(rfd, buf); n != 1 || err != nil {
				t.Fatalf("read: %d, %v", n, err)
			}
			if _, err := reader.Read(rfd, buf); !errors.Is(err, vfs.EAGAIN) {
				t.Fatalf("read with the writer still open: %v, want EAGAIN", err)
			}
			b.Exit()
			if n, err := reader.Read(rfd, buf); n != 0 || err != nil {
				t.Fatalf("read after the last sharer exited: %d, %v; want end of file", n, err)
			}
		})
	}
}

// TestCloneFilesCloseDuringRead: a task's read asleep in a FIFO keeps
// the file it looked up when the other task closes that descriptor, as
// on Linux, where the close does not end the read: data written later
// still reaches it.
func TestCloneFilesCloseDuringRead(t *testing.T) {
	tk := cloneEnv(t)
	mustOK(t, tk.Mknod("/fifo", vfs.S_IFIFO|0o644, 0))
	rfd, err := tk.Open("/fifo", vfs.O_RDONLY|vfs.O_NONBLOCK, 0)
	mustOK(t, err)
	wfd, err := tk.Open("/fifo", vfs.O_WRONLY, 0)
	mustOK(t, err)
	_, err = tk.Fcntl(rfd, vfs.F_SETFL, 0) // blocking reads from here on
	mustOK(t, err)
	c := tk.CloneFiles("reader")
	type res struct {
		s   string
		err error
	}
	got := make(chan res, 1)
	go func() {
		buf := make([]byte, 8)
		n, err := c.Read(rfd, buf)
		got <- res{string(buf[:n]), err}
	}()
	for vfs.FdPipeSleepers(tk, wfd) == 0 {
		time.Sleep(time.Millisecond)
	}
	mustOK(t, tk.Close(rfd))
	if n, err := tk.Write(wfd, []byte("hi")); n != 2 || err != nil {
		t.Fatalf("write with the sleeping reader's file closed by descriptor: %d, %v", n, err)
	}
	if r := <-got; r.s != "hi" || r.err != nil {
		t.Errorf("read: %q, %v; want \"hi\"", r.s, r.err)
	}
	c.Exit()
	// The read's reference is gone with the read: the last reader has
	// closed the FIFO, and a write fails as on a widowed pipe.
	if _, err := tk.Write(wfd, []byte("x")); !errors.Is(err, vfs.EPIPE) {
		t.Errorf("write with no reader left: %v, want EPIPE", err)
	}
	tk.Exit()
}

// TestCloneFilesDup2Busy: dup2 onto the descriptor another task's open
// has reserved while it waits (a FIFO's open for a writer) is EBUSY, as
// Linux's do_dup2; once the open is done, the descriptor is that open's.
func TestCloneFilesDup2Busy(t *testing.T) {
	tk := cloneEnv(t)
	mustOK(t, tk.Mknod("/fifo", vfs.S_IFIFO|0o644, 0))
	fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustOK(t, err)
	c := tk.CloneFiles("opener")
	opened := make(chan int, 1)
	go func() {
		rfd, err := c.Open("/fifo", vfs.O_RDONLY, 0)
		if err != nil {
			rfd = -1
		}
		opened <- rfd
	}()
	next := fd + 1 // the lowest free descriptor, the open's
	for !vfs.FDReserved(tk, next) {
		time.Sleep(time.Millisecond)
	}
	if _, err := tk.Dup2(fd, next); !errors.Is(err, vfs.EBUSY) {
		t.Fatalf("dup2 onto a reserved descriptor: %v, want EBUSY", err)
	}
	if err := tk.Close(next); !errors.Is(err, vfs.EBADF) {
		t.Fatalf("close of a reserved descriptor: %v, want EBADF", err)
	}
	w, err := tk.Open("/fifo", vfs.O_WRONLY, 0)
	mustOK(t, err)
	if rfd := <-opened; rfd != next {
		t.Fatalf("the waiting open got %d, want %d", rfd, next)
	}
	var st vfs.Stat
	mustOK(t, tk.Fstat(next, &st))
	if st.Mode&vfs.S_IFMT != vfs.S_IFIFO {
		t.Errorf("descriptor %d is %#o, want the FIFO", next, st.Mode)
	}
	if _, err := tk.Dup2(fd, next); err != nil {
		t.Errorf("dup2 onto the installed descriptor: %v", err)
	}
	mustOK(t, tk.Close(w))
	c.Exit()
	tk.Exit()
}

// TestCloneFilesPosixLocks: POSIX locks belong to the descriptor table,
// so the two tasks are one owner: either's F_GETLK sees no conflict with
// the other's lock, a forked task (another table) does, and a close by
// either drops it.
func TestCloneFilesPosixLocks(t *testing.T) {
	tk := cloneEnv(t)
	fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustOK(t, err)
	c := tk.CloneFiles("locker")
	mustOK(t, c.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Len: 10}))
	getlk := func(tk *vfs.Task, fd int) int16 {
		t.Helper()
		l := vfs.Flock{Type: vfs.F_WRLCK, Len: 10}
		mustOK(t, tk.FcntlLock(fd, vfs.F_GETLK, &l))
		return l.Type
	}
	if typ := getlk(tk, fd); typ != vfs.F_UNLCK {
		t.Errorf("F_GETLK by the task sharing the table: type %d, want F_UNLCK", typ)
	}
	other := tk.Fork("other")
	defer other.Exit()
	if typ := getlk(other, fd); typ != vfs.F_WRLCK {
		t.Errorf("F_GETLK by a forked task: type %d, want F_WRLCK", typ)
	}
	dup, err := tk.Dup(fd)
	mustOK(t, err)
	mustOK(t, tk.Close(dup)) // any close of the file by the owner
	if typ := getlk(other, fd); typ != vfs.F_UNLCK {
		t.Errorf("F_GETLK after the owner closed a descriptor: type %d, want F_UNLCK", typ)
	}
	c.Exit()
	tk.Exit()
}

// TestCloneFilesScopedWalk: walks from a descriptor of a shared table,
// scoped (RESOLVE_IN_ROOT, whose root the walk holds) or not, give the
// unshared table's answers and leave the directory's references as they
// were.
func TestCloneFilesScopedWalk(t *testing.T) {
	for _, resolve := range []uint64{0, vfs.RESOLVE_IN_ROOT, vfs.RESOLVE_BENEATH} {
		tk := cloneEnv(t)
		mustOK(t, tk.Mkdir("/d", 0o755))
		mustOK(t, tk.Mkdir("/d/e", 0o755))
		mustOK(t, tk.Symlink("/e", "/d/abs"))
		dfd, err := tk.Open("/d", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		mustOK(t, err)
		c := tk.CloneFiles("walker")
		mustOK(t, c.SetResolve(resolve))
		before := dirCount(t, tk, "/d")
		for _, tc := range []struct {
			path string
			want error
		}{
			{"e", nil},
			{"e/..", nil},
			{"..", map[uint64]error{0: nil, vfs.RESOLVE_IN_ROOT: nil, vfs.RESOLVE_BENEATH: vfs.EXDEV}[resolve]},
			{"abs", map[uint64]error{0: vfs.ENOENT, vfs.RESOLVE_IN_ROOT: nil, vfs.RESOLVE_BENEATH: vfs.EXDEV}[resolve]},
			{"nothing", vfs.ENOENT},
		} {
			var st vfs.Stat
			err := c.Fstatat(dfd, tc.path, &st, 0)
			if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Errorf("resolve %#x: fstatat(%q): %v, want %v", resolve, tc.path, err, tc.want)
			}
			if fd, err := c.Openat(dfd, tc.path, vfs.O_RDONLY, 0); err == nil {
				mustOK(t, c.Close(fd))
			} else if !errors.Is(err, tc.want) {
				t.Errorf("resolve %#x: openat(%q): %v, want %v", resolve, tc.path, err, tc.want)
			}
		}
		if after := dirCount(t, tk, "/d"); after != before {
			t.Errorf("resolve %#x: /d's dentry count %d after the walks, %d before", resolve, after, before)
		}
		c.Exit()
		tk.Exit()
	}
}

// dirCount is the reference count of the dentry at path.
func dirCount(t *testing.T, tk *vfs.Task, path string) int64 {
	t.Helper()
	p, err := tk.LookupDentryForTest(path)
	mustOK(t, err)
	n := p.Dentry.Count()
	p.Put(tk)
	return n - 1 // the lookup's own
}

// TestCloneFilesExitDuringLookup: a lookup that finds the table shared
// and then, on its slow path, alone (the other sharer exited between)
// still finds an open descriptor.
func TestCloneFilesExitDuringLookup(t *testing.T) {
	tk := cloneEnv(t)
	fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustOK(t, err)
	for round := 0; round < 3000; round++ {
		c := tk.CloneFiles("short-lived")
		done := make(chan struct{})
		go func() {
			c.Exit()
			close(done)
		}()
		for i := 0; i < 20; i++ {
			var st vfs.Stat
			if err := tk.Fstat(fd, &st); err != nil {
				t.Fatalf("round %d: fstat of an open descriptor: %v", round, err)
			}
		}
		<-done
	}
	tk.Exit()
}

// TestCloneFilesCloseOnExec: an exec by one of two tasks sharing a table
// first gives it a copy of its own (unshare_files), so its close-on-exec
// descriptors close in the copy and the other task keeps them; after
// it, the two tables are separate.
func TestCloneFilesCloseOnExec(t *testing.T) {
	for _, otherExits := range []bool{false, true} {
		tk := cloneEnv(t)
		cfd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT|vfs.O_CLOEXEC, 0o644)
		mustOK(t, err)
		pfd, err := tk.Open("/f", vfs.O_RDWR, 0)
		mustOK(t, err)
		c := tk.CloneFiles("execs")
		if otherExits {
			tk.Exit()
		}
		c.CloseOnExec()
		var st vfs.Stat
		if err := c.Fstat(cfd, &st); !errors.Is(err, vfs.EBADF) {
			t.Errorf("other exits %v: the exec'd task's close-on-exec descriptor: %v, want EBADF", otherExits, err)
		}
		mustOK(t, c.Fstat(pfd, &st))
		if !otherExits {
			if got, err := tk.Fcntl(cfd, vfs.F_GETFD, 0); got != vfs.FD_CLOEXEC || err != nil {
				t.Errorf("the other task's close-on-exec descriptor: F_GETFD %d, %v; want open, FD_CLOEXEC", got, err)
			}
			mustOK(t, c.Close(pfd))
			if err := tk.Fstat(pfd, &st); err != nil {
				t.Errorf("a close by the exec'd task reached the other's table: %v", err)
			}
			tk.Exit()
		}
		c.Exit()
	}
}
