package vfs_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestUmountBusyRacesWalk: a plain umount2 of a mount races a task's
// chdir into it. Whichever comes first, a task left standing in the
// mount means the umount failed with EBUSY: the oracle is do_umount,
// which checks the count (propagate_mount_busy) and detaches
// (umount_tree) in one lock_mount_hash() section, so that a lock-free
// walk that takes its count in between fails __legitimize_mnt's
// read_seqretry and walks again, finding the mount gone.
//
// The mounter mounts a tmpfs on /mnt/m, makes /mnt/m/sub, publishes the
// generation (odd: mounted), tries one Umount2(0) and publishes its
// result, then umounts until it succeeds (the walker leaves). The walker
// reads the generation, chdirs into /mnt/m/sub and reads it again: a
// chdir that succeeded with the generation unchanged landed in that
// generation's mount (after a successful umount nothing is there until
// the generation moves). It then stays until the first umount's result
// is out: success while it stood inside is the failure.
func TestUmountBusyRacesWalk(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		// One thread and no preemption: the mounter's loop would never
		// let the walker (or the timer) run, and the race needs both
		// running at once.
		t.Skip("needs tasks running in parallel")
	}
	d := 2 * time.Second
	if testing.Short() {
		d = 400 * time.Millisecond
	}
	e := vt.New(t)
	e.Must(e.Root.Mkdir("/mnt", 0o755))
	e.Must(e.Root.Mkdir("/mnt/m", 0o755))
	m := e.Root.Fork("mounter")
	w := e.Root.Fork("walker")
	var gen, done atomic.Int64
	var firstOK sync.Map // generation -> bool: the first Umount2 succeeded
	var stop atomic.Bool
	var cycles, inside, bad atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer m.Exit()
		for g := int64(1); !stop.Load(); g += 2 {
			if err := m.Mount("tmpfs", "/mnt/m", "tmpfs", 0, ""); err != nil {
				errs <- err
				return
			}
			if err := m.Mkdir("/mnt/m/sub", 0o755); err != nil {
				errs <- err
				return
			}
			gen.Store(g)
			err := m.Umount2("/mnt/m", 0)
			firstOK.Store(g, err == nil)
			done.Store(g)
			for err != nil {
				if ErrnoOf(err) != EBUSY {
					errs <- err
					return
				}
				runtime.Gosched()
				err = m.Umount2("/mnt/m", 0)
			}
			gen.Store(g + 1)
			cycles.Add(1)
		}
	}()
	go func() {
		defer wg.Done()
		defer w.Exit()
		for !stop.Load() {
			g := gen.Load()
			if g%2 == 0 || w.Chdir("/mnt/m/sub") != nil {
				runtime.Gosched()
				continue
			}
			if gen.Load() == g {
				inside.Add(1)
				for done.Load() < g && !stop.Load() {
					runtime.Gosched()
				}
				if ok, _ := firstOK.Load(g); ok == true {
					bad.Store(g)
				}
			}
			if err := w.Chdir("/"); err != nil {
				errs <- err
				return
			}
		}
	}()
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	if g := bad.Load(); g != 0 {
		t.Fatalf("generation %d: umount2(/mnt/m, 0) succeeded while a task that had chdired into the mount stood in it (%d cycles)", g, cycles.Load())
	}
	select {
	case err := <-errs:
		t.Fatalf("mount cycle: %v", err)
	default:
	}
	if cycles.Load() == 0 || inside.Load() == 0 {
		t.Fatalf("%d cycles, %d chdirs inside: the race did not run", cycles.Load(), inside.Load())
	}
	var st Stat
	if err := e.Root.Stat("/mnt/m/sub", &st); ErrnoOf(err) != ENOENT {
		t.Fatalf("stat /mnt/m/sub after the last umount: %v, want ENOENT", err)
	}
}
