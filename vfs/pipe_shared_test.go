package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFifoSharedNoPosLock: read(2) and write(2) take f_pos_lock only for
// files with FMODE_ATOMIC_POS (file_needs_f_pos_lock: regular files and
// directories; stream_open clears it), so a reader asleep in a FIFO
// does not hold it. A FIFO opened O_RDWR and shared across fork is read
// in one task while the other writes: the write completes and wakes the
// reader, as on Linux.
func TestFifoSharedNoPosLock(t *testing.T) {
	tests := []struct {
		name string
		// open returns the descriptor the child reads and the one the
		// parent writes (the same description for the FIFO).
		open func(e *vt.Env) (rfd, wfd int)
	}{
		{"fifo O_RDWR", func(e *vt.Env) (int, int) {
			e.Must(e.Root.Mknod("/p", vfs.S_IFIFO|0o666, 0))
			fd, err := e.Root.Open("/p", vfs.O_RDWR, 0)
			e.Must(err)
			return fd, fd
		}},
		{"fifo O_RDWR, written through a dup", func(e *vt.Env) (int, int) {
			e.Must(e.Root.Mknod("/p", vfs.S_IFIFO|0o666, 0))
			fd, err := e.Root.Open("/p", vfs.O_RDWR, 0)
			e.Must(err)
			dup, err := e.Root.Dup(fd)
			e.Must(err)
			return fd, dup
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vt.New(t)
			rfd, wfd := tc.open(e)
			child := e.Root.Fork("reader")
			defer child.Exit()
			read := make(chan pipeResult, 1)
			go func() {
				b := make([]byte, 16)
				n, err := child.Read(rfd, b)
				read <- pipeResult{n: n, data: string(b[:max(n, 0)]), err: err}
			}()
			vt.WaitFor(t, "the read to sleep", func() bool { return vfs.FdPipeSleepers(e.Root, rfd) == 1 })
			notDone(t, read, "the read")
			wrote := make(chan pipeResult, 1)
			go func() {
				n, err := e.Root.Write(wfd, []byte("hi"))
				wrote <- pipeResult{n: n, err: err}
			}()
			if r := waitRes(t, wrote); r.String() != "2" {
				t.Errorf("write: %v, want 2", r)
			}
			if r := waitRes(t, read); r.String() != `2 "hi"` {
				t.Errorf("read: %v, want 2 \"hi\"", r)
			}
		})
	}
}

// TestFifoWriteFrozen: file_start_write takes freeze protection only
// for a regular file, so a write to a FIFO on a frozen filesystem
// neither waits for the thaw nor holds a freeze back, while a write to
// a regular file there waits until the thaw.
func TestFifoWriteFrozen(t *testing.T) {
	tests := []struct {
		name      string
		mknod     func(e *vt.Env)
		path      string
		waitsThaw bool
	}{
		{"fifo", func(e *vt.Env) { e.Must(e.Root.Mknod("/e/p", vfs.S_IFIFO|0o666, 0)) }, "/e/p", false},
		{"regular file", func(e *vt.Env) { e.WriteFile("/e/f", "", 0o644) }, "/e/f", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/e", 0o755))
			probefsOn("/e", 0)(e)
			tc.mknod(e)
			fd, err := e.Root.Open(tc.path, vfs.O_RDWR, 0)
			e.Must(err)
			e.Must(e.Root.Freeze("/e"))
			writer := e.Root.Fork("writer")
			defer writer.Exit()
			wrote := make(chan pipeResult, 1)
			go func() {
				n, err := writer.Write(fd, []byte("hi"))
				wrote <- pipeResult{n: n, err: err}
			}()
			if tc.waitsThaw {
				time.Sleep(50 * time.Millisecond)
				notDone(t, wrote, "the write on a frozen filesystem")
			} else if r := waitRes(t, wrote); r.String() != "2" {
				t.Errorf("write while frozen: %v, want 2", r)
			}
			e.Must(e.Root.Thaw("/e"))
			if tc.waitsThaw {
				if r := waitRes(t, wrote); r.String() != "2" {
					t.Errorf("write after the thaw: %v, want 2", r)
				}
			}
			e.Must(e.Root.Close(fd))
		})
	}
}

// TestFifoTimesFrozenReadOnly: pipe_write updates a FIFO's times only
// under sb_start_write_trylock, and file_update_time skips a mount that
// refuses writers, so a write to a FIFO on a frozen filesystem or a
// read-only mount succeeds and leaves mtime and ctime alone (the host
// gives the same on a read-only bind remount of a tmpfs; tmpfs cannot
// be frozen, so the frozen case is probefs only).
func TestFifoTimesFrozenReadOnly(t *testing.T) {
	tests := []struct {
		name    string
		set     func(e *vt.Env)
		unset   func(e *vt.Env)
		changes bool
	}{
		{"writable", func(e *vt.Env) {}, func(e *vt.Env) {}, true},
		{"frozen", func(e *vt.Env) { e.Must(e.Root.Freeze("/e")) }, func(e *vt.Env) { e.Must(e.Root.Thaw("/e")) }, false},
		{"read-only bind remount", func(e *vt.Env) {
			e.Must(e.Root.Mount("", "/e", "", vfs.MS_REMOUNT|vfs.MS_BIND|vfs.MS_RDONLY, ""))
		}, func(e *vt.Env) {}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/e", 0o755))
			probefsOn("/e", 0)(e)
			e.Must(e.Root.Mknod("/e/p", vfs.S_IFIFO|0o666, 0))
			fd, err := e.Root.Open("/e/p", vfs.O_RDWR, 0)
			e.Must(err)
			tc.set(e)
			var a, b vfs.Stat
			e.Must(e.Root.Fstat(fd, &a))
			time.Sleep(20 * time.Millisecond)
			if n, err := e.Root.Write(fd, []byte("hi")); n != 2 || err != nil {
				t.Errorf("write: %d %v, want 2", n, err)
			}
			e.Must(e.Root.Fstat(fd, &b))
			if got := a.Mtime != b.Mtime || a.Ctime != b.Ctime; got != tc.changes {
				t.Errorf("mtime %d -> %d, ctime %d -> %d: changed %v, want %v", a.Mtime, b.Mtime, a.Ctime, b.Ctime, got, tc.changes)
			}
			tc.unset(e)
			e.Must(e.Root.Close(fd))
		})
	}
}
