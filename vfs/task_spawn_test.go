package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestSpawnStartsClean: a spawned task has its parent's working
// directory, umask, credentials and limits, but no descriptors and no
// mappings, and making it changes nothing of the parent's: a write error
// pending on the parent's description is still reported by the parent's
// close (a child's exit or close of what it inherited never consumes
// the parent's f_wb_err on Linux: fs/file.c, errseq in lib/errseq.c),
// and the pages of a deleted file mapped by the parent go with the
// parent's munmap (nothing else maps them: mm/mmap.c).
func TestSpawnStartsClean(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(p *vfs.Task) *vfs.Task
		want error // the parent's close after the child exits
	}{
		{"spawn", func(p *vfs.Task) *vfs.Task { return p.Spawn("child") }, vfs.EIO},
		// What Spawn replaces: a fork whose child closes what it
		// inherited has the child's close told of the error (vfscope's
		// close reports write errors, RATIONALE.md), and not the parent.
		{"fork, close each", func(p *vfs.Task) *vfs.Task {
			c := p.Fork("child")
			for _, fd := range c.FDs() {
				c.Close(fd)
			}
			for _, m := range c.Mappings() {
				c.Munmap(m)
			}
			return c
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			p := init.Fork("parent")
			if err := p.Mkdir("/tmp/d", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := p.Chdir("/tmp/d"); err != nil {
				t.Fatal(err)
			}
			p.Umask(0o027)
			if err := p.Setrlimit(vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 100, Max: 200}); err != nil {
				t.Fatal(err)
			}
			fd, err := p.Open("f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Ftruncate(fd, 1<<16); err != nil {
				t.Fatal(err)
			}
			m, err := p.Mmap(fd, 0, 1<<16, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			if err != nil {
				t.Fatal(err)
			}
			bf, err := p.OpenFile(vfs.AT_FDCWD, "f", vfs.O_RDONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			vfs.MappingSetError(bf.Inode().Mapping(), vfs.EIO)

			c := tc.make(p)
			if fds := c.FDs(); len(fds) != 0 {
				t.Errorf("child descriptors %v, want none", fds)
			}
			if ms := c.Mappings(); len(ms) != 0 {
				t.Errorf("child has %d mappings, want none", len(ms))
			}
			if cwd, err := c.Getcwd(); err != nil || cwd != "/tmp/d" {
				t.Errorf("child cwd %q, %v", cwd, err)
			}
			if old := c.Umask(0); old != 0o027 {
				t.Errorf("child umask %o, want 027", old)
			}
			if lim, _ := c.Getrlimit(vfs.RLIMIT_NOFILE); lim != (vfs.Rlimit{Cur: 100, Max: 200}) {
				t.Errorf("child limit %+v", lim)
			}
			c.Exit()
			if err := p.Munmap(m); err != nil {
				t.Fatal(err)
			}
			if err := p.Close(fd); err != tc.want {
				t.Errorf("parent's close: %v, want %v", err, tc.want)
			}
		})
	}
}
