package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// TestFileMemoryReuse: a task keeps the memory of a description whose
// last reference is gone for its next open, and only then: a
// description still held by another descriptor or by a mapping is never
// handed out again, and a reused one starts from zero (no flag, offset
// or private data of the old one survives).
func TestFileMemoryReuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		// hold takes a second reference on fd's description and
		// returns the function that drops it (nil: none).
		hold   func(t *testing.T, tk *vfs.Task, fd int) func()
		reused bool
	}{
		{"closed", nil, true},
		{"dup held", func(t *testing.T, tk *vfs.Task, fd int) func() {
			nfd, err := tk.Dup(fd)
			if err != nil {
				t.Fatal(err)
			}
			return func() { tk.Close(nfd) }
		}, false},
		{"mapped", func(t *testing.T, tk *vfs.Task, fd int) func() {
			m, err := tk.Mmap(fd, 0, vfs.PAGE_SIZE, vfs.PROT_READ, vfs.MAP_SHARED)
			if err != nil {
				t.Fatal(err)
			}
			return func() { tk.Munmap(m) }
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := vfs.New(vfs.Options{Lockdep: true})
			tk := v.NewTask("reuse", vfs.RootCred)
			if err := tmpfs.Register(tk, v); err != nil {
				t.Fatal(err)
			}
			if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/a", vfs.O_CREAT|vfs.O_RDWR|vfs.O_APPEND, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tk.Write(fd, make([]byte, 100)); err != nil {
				t.Fatal(err)
			}
			old := vfs.FdFile(tk, fd)
			var release func()
			if tc.hold != nil {
				release = tc.hold(t, tk, fd)
			}
			if err := tk.Close(fd); err != nil {
				t.Fatal(err)
			}
			fd2, err := tk.Open("/b", vfs.O_CREAT|vfs.O_RDONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f := vfs.FdFile(tk, fd2)
			if got := f == old; got != tc.reused {
				t.Fatalf("the new description reuses the old one's memory: %v, want %v", got, tc.reused)
			}
			if f.Flags()&vfs.O_APPEND != 0 || f.Mode()&vfs.FMODE_WRITE != 0 || f.Private != nil || f.Path().Dentry.Name() != "b" {
				t.Fatalf("the new description carries the old one's state: flags %#x mode %#x", f.Flags(), f.Mode())
			}
			if pos, err := tk.Seek(fd2, 0, vfs.SEEK_CUR); err != nil || pos != 0 {
				t.Fatalf("offset %d, %v, want 0", pos, err)
			}
			if release != nil {
				// The held description still works as itself.
				if old.Path().Dentry.Name() != "a" || old.Flags()&vfs.O_APPEND == 0 {
					t.Fatal("a held description was changed by a later open")
				}
				release()
			}
			tk.Close(fd2)
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
