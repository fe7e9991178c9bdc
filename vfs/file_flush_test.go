package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFlushOnEveryClose: ->flush is called for each descriptor closed,
// whatever closes it: close(2), dup2(2) and dup3(2) over an open
// descriptor, a task's exit and execve's close-on-exec (fs/file.c
// do_dup2, close_files and do_close_on_exec all call filp_close, whose
// filp_flush calls f_op->flush before locks_remove_posix). An O_PATH
// descriptor has no file operations, so no ->flush.
func TestFlushOnEveryClose(t *testing.T) {
	tests := []struct {
		name string
		// run closes descriptors of /dev/flusher (opened by open).
		run  func(e *vfstest.Env, tk *vfs.Task, open func(flags int) int)
		want int
	}{
		{"close", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			e.Must(tk.Close(open(vfs.O_RDWR)))
		}, 1},
		{"dup2 over an open descriptor", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			a, b := open(vfs.O_RDWR), open(vfs.O_RDWR)
			_, err := tk.Dup2(a, b)
			e.Must(err)
		}, 1},
		{"dup3 over an open descriptor", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			a, b := open(vfs.O_RDWR), open(vfs.O_RDWR)
			_, err := tk.Dup3(a, b, vfs.O_CLOEXEC)
			e.Must(err)
		}, 1},
		{"dup2 over an empty slot", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			_, err := tk.Dup2(open(vfs.O_RDWR), 100)
			e.Must(err)
		}, 0},
		{"dup2 onto itself", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			a := open(vfs.O_RDWR)
			_, err := tk.Dup2(a, a)
			e.Must(err)
		}, 0},
		{"exit with two descriptors", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			open(vfs.O_RDWR)
			open(vfs.O_RDONLY)
			tk.Fork("child").Exit()
		}, 2},
		{"close-on-exec", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			open(vfs.O_RDWR | vfs.O_CLOEXEC)
			open(vfs.O_RDWR)
			tk.CloseOnExec()
		}, 1},
		{"close of an O_PATH descriptor", func(e *vfstest.Env, tk *vfs.Task, open func(int) int) {
			e.Must(tk.Close(open(vfs.O_PATH)))
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			flushes := 0
			fops := &vfs.FileOperations{
				Flush: func(t *vfs.Task, f *vfs.File) error { flushes++; return nil },
			}
			e.Must(e.V.RegisterChrdev("flusher", 241, 0, fops))
			e.Must(tk.Mknod("/dev/flusher", vfs.S_IFCHR|0o666, vfs.MkDev(241, 0)))
			open := func(flags int) int {
				fd, err := tk.Open("/dev/flusher", flags, 0)
				e.Must(err)
				return fd
			}
			tc.run(e, tk, open)
			if flushes != tc.want {
				t.Errorf("->flush called %d times, want %d", flushes, tc.want)
			}
		})
	}
}
