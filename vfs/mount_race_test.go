package vfs_test

import (
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestMountDetachRaces: binds of a mount and lazy umounts of it race.
// Whether a bind's source is still attached is decided under
// namespace_sem, and two umounts of one mount detach it once: one of
// them fails with EINVAL, and no reference is dropped twice (the last
// umount of the bind's own mounts finds them idle).
func TestMountDetachRaces(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	e.Must(r.Mkdir("/a", 0o755))
	e.Must(r.Mkdir("/b", 0o755))
	for i := 0; i < 200; i++ {
		e.Must(r.Mount("none", "/a", "tmpfs", 0, ""))
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for k, fn := range []func(tk *Task) error{
			func(tk *Task) error { return tk.Mount("/a", "/b", "", MS_BIND|MS_REC, "") },
			func(tk *Task) error { return tk.Umount2("/a", MNT_DETACH) },
			func(tk *Task) error { return tk.Umount2("/a", MNT_DETACH) },
		} {
			tk := r.Fork("racer")
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer tk.Exit()
				errs[k] = fn(tk)
			}()
		}
		wg.Wait()
		// The two umounts: either both found a mount on /a (the
		// tmpfs, then the directory itself is no mount root: EINVAL)
		// or one of them raced the other.
		if errs[1] != nil && errs[2] != nil {
			t.Fatalf("round %d: both umounts failed: %v, %v", i, errs[1], errs[2])
		}
		if errs[0] == nil {
			e.Must(r.Umount2("/b", 0))
		}
		for r.Umount2("/a", 0) == nil {
		}
	}
}
