package vfs_test

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestForkSpawnListedWhole: a task made by Fork or Spawn is listed (and
// its /proc/<pid> readable) only once it has its parent's umask, root,
// working directory and, for Fork, descriptors, as copy_process attaches
// the pid only after copy_fs and copy_files. Another task reads the
// status and cwd of every listed task while the parent forks and exits
// children: each child must show the parent's umask (never NewTask's
// 022) and cwd (never the namespace root). Run under -race: the umask
// was written after listing, racing StatusOf's read.
func TestForkSpawnListedWhole(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("one thread with no preemption: the reader's loop would never let the forks run")
	}
	for _, tc := range []struct {
		name string
		make func(p *vfs.Task) *vfs.Task
	}{
		{"fork", func(p *vfs.Task) *vfs.Task { return p.Fork("child") }},
		{"spawn", func(p *vfs.Task) *vfs.Task { return p.Spawn("child") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			parent := init.Fork("parent")
			if err := parent.Mkdir("/tmp/d", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := parent.Chdir("/tmp/d"); err != nil {
				t.Fatal(err)
			}
			parent.Umask(0o027)
			cwd := parent.Cwd()
			reader := init.Fork("reader")
			skip := map[int32]bool{init.PID(): true, parent.PID(): true, reader.PID(): true}
			var stop atomic.Bool
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range 2000 {
					tc.make(parent).Exit()
				}
				stop.Store(true)
			}()
			for !stop.Load() {
				for _, c := range v.Tasks() {
					if skip[c.PID()] {
						continue
					}
					if u := reader.StatusOf(c).Umask; u != 0o027 {
						t.Fatalf("child %d: umask %#o, want 027", c.PID(), u)
					}
					if r, d, ok := reader.FSPaths(c); ok {
						same := d.Dentry == cwd.Dentry
						r.Put(reader)
						d.Put(reader)
						if !same {
							t.Fatalf("child %d: cwd is not the parent's", c.PID())
						}
					}
				}
			}
			<-done
			reader.Exit()
		})
	}
}
