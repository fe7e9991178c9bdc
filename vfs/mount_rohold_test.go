package vfs_test

import (
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestMountBindRemountROFailsQuietly: a bind remount to read-only that
// fails with EBUSY (a file is open for writing) must not show the
// mount read-only to a writer meanwhile: mnt_make_readonly holds the
// writers (MNT_WRITE_HOLD) while it counts them and sets MNT_READONLY
// only when there are none.
func TestMountBindRemountROFailsQuietly(t *testing.T) {
	e := vt.New(t)
	e.Fixture()
	e.Must(e.Root.Mount("/d", "/e", "", MS_BIND, ""))
	fd, err := e.Root.Open("/e/f", O_WRONLY, 0)
	e.Must(err)
	defer e.Root.Close(fd)
	r := e.Root.Fork("remount")
	defer r.Exit()
	w := e.Root.Fork("writer")
	defer w.Exit()
	const n = 10000
	var wg sync.WaitGroup
	wg.Add(2)
	var rerr, werr error
	go func() {
		defer wg.Done()
		for i := 0; i < n && rerr == nil; i++ {
			if err := r.Mount("", "/e", "", MS_REMOUNT|MS_BIND|MS_RDONLY, ""); err != EBUSY {
				rerr = err
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n && werr == nil; i++ {
			werr = w.Chmod("/e/f", 0o644)
		}
	}()
	wg.Wait()
	if rerr != nil {
		t.Errorf("remount: %v, want EBUSY", rerr)
	}
	if werr != nil {
		t.Errorf("chmod during failing remounts: %v", werr)
	}
}
