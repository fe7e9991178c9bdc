package vfs_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestSnapshotRacesMount: Snapshot while another task mounts and unmounts
// a filesystem. Snapshot walks every superblock's dentry tree from its
// root; a superblock being mounted has its root written by fill_super,
// one being unmounted has it cleared by generic_shutdown_super. Linux's
// iterate_supers (fs/super.c) takes s_umount shared and skips a
// superblock without SB_BORN or s_root; without that the race detector
// saw Snapshot's read of the root race with those writes.
func TestSnapshotRacesMount(t *testing.T) {
	cycles := 300
	if testing.Short() || runtime.GOARCH == "wasm" {
		cycles = 50
	}
	cases := []struct {
		name   string
		umount int
	}{
		{"umount", 0},
		{"umount -l", MNT_DETACH},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/mnt", 0o755))
			m := e.Root.Fork("mounter")
			defer m.Exit()
			var stop atomic.Bool
			var wg sync.WaitGroup
			errs := make(chan error, 1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer stop.Store(true)
				for i := 0; i < cycles; i++ {
					if err := m.Mount("tmpfs", "/mnt", "tmpfs", 0, ""); err != nil {
						errs <- err
						return
					}
					m.Mkdir("/mnt/x", 0o755)
					if err := m.Umount2("/mnt", c.umount); err != nil {
						errs <- err
						return
					}
					runtime.Gosched()
				}
			}()
			n := 0
			for !stop.Load() {
				s := e.V.Snapshot()
				if len(s.Dentries) == 0 {
					t.Fatal("a snapshot with no dentries")
				}
				n++
				runtime.Gosched()
			}
			wg.Wait()
			select {
			case err := <-errs:
				t.Fatalf("mount cycle: %v", err)
			default:
			}
			if n == 0 {
				t.Fatal("no snapshot ran")
			}
		})
	}
}
