package vfs_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TestDDeleteWindow: d_delete (fs/dcache.c) tests "count == 1" under
// d_lock and then unbinds the inode; in Linux the count shares a word
// with d_lock (lib/lockref.c) and lockref_get_not_dead's lock-free
// cmpxchg only succeeds while d_lock is free, so a lock-free walk that
// found the dentry cannot take a reference between the test and the
// unbinding: it waits for d_lock and then fails its d_seq check
// (try_to_unlazy), or it took its reference before the test and
// d_delete only unhashes. Each row legitimizes a walk's find of /d/f at
// one point of an unlink and checks that the walk never keeps a dentry
// without an inode.
func TestDDeleteWindow(t *testing.T) {
	for _, tc := range []struct {
		name string
		// inWindow: legitimize inside d_delete's window; else before
		// the unlink.
		inWindow     bool
		wantValid    bool // the walk may keep the dentry
		wantNegative bool // the dentry after the unlink
	}{
		{"legitimize inside d_delete", true, false, true},
		{"legitimize before unlink", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, tk := bareVFS(t)
			rulesMust(t, "mkdir", tk.Mkdir("/d", 0o755))
			fd, err := tk.Open("/d/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			rulesMust(t, "create", err)
			rulesMust(t, "close", tk.Close(fd))
			d, err := vfs.WalkForTest(tk, "/d/f", 0, false)
			rulesMust(t, "walk", err)
			seq := vfs.SeqForTest(d) // the walk found d
			r := tk.Fork("walker")
			type result struct{ got, valid bool }
			done := make(chan result, 1)
			legitimize := func() {
				got, valid := vfs.LegitimizeForTest(r, d, seq)
				done <- result{got, valid}
			}
			windows := 0
			if tc.inWindow {
				vfs.SetDDeleteWindowForTest(func(x *vfs.Dentry) {
					if x != d {
						return
					}
					windows++
					go legitimize()
					// Let the walker run inside the window: it
					// answers at once unless it waits for d_lock.
					for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end) && len(done) == 0; {
						runtime.Gosched()
					}
				})
				defer vfs.SetDDeleteWindowForTest(nil)
			} else {
				legitimize()
			}
			rulesMust(t, "unlink", tk.Unlink("/d/f"))
			res := <-done
			if tc.inWindow && windows != 1 {
				t.Fatalf("d_delete's window ran %d times, want 1", windows)
			}
			neg := d.Negative()
			if res.got {
				vfs.Dput(r, d)
			}
			if res.got && res.valid && neg {
				t.Fatalf("the walk kept a dentry that turned negative (count %d)", d.Count())
			}
			if res.got && res.valid != tc.wantValid {
				t.Errorf("walk valid = %v, want %v", res.valid, tc.wantValid)
			}
			if neg != tc.wantNegative {
				t.Errorf("negative after unlink = %v, want %v", neg, tc.wantNegative)
			}
			var st vfs.Stat
			rulesWant(t, "stat after unlink", tk.Stat("/d/f", &st), vfs.ENOENT)
		})
	}
}

// TestDDeleteVsLockFreeWalk is TestDDeleteWindow's race run free, under
// -race: an unlinker (create, close, unlink in a loop) against a reader
// doing the row's call, which sees the file or ENOENT, never a dentry
// without an inode (before lockref's rule held here, Faccessat crashed
// on a nil inode).
func TestDDeleteVsLockFreeWalk(t *testing.T) {
	dur := 500 * time.Millisecond
	if testing.Short() || runtime.GOARCH == "wasm" {
		// One goroutine runs at a time there: no interleaving inside
		// the window to find.
		dur = 50 * time.Millisecond
	}
	for _, tc := range []struct {
		name string
		read func(tk *vfs.Task, path string) error
	}{
		{"access R_OK", func(tk *vfs.Task, path string) error { return tk.Access(path, vfs.R_OK) }},
		{"stat", func(tk *vfs.Task, path string) error {
			var st vfs.Stat
			if err := tk.Stat(path, &st); err != nil {
				return err
			}
			if !vfs.IsReg(st.Mode) {
				return fmt.Errorf("stat found mode %o", st.Mode)
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, tk := bareVFS(t)
			rulesMust(t, "mkdir", tk.Mkdir("/d", 0o755))
			const path = "/d/f"
			var stop atomic.Bool
			var wg sync.WaitGroup
			var mu sync.Mutex
			var bad []string
			report := func(s string) {
				mu.Lock()
				if len(bad) < 5 {
					bad = append(bad, s)
				}
				mu.Unlock()
				stop.Store(true)
			}
			for i := 0; i < 1; i++ {
				r := tk.Fork("reader")
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() {
						if p := recover(); p != nil {
							report(fmt.Sprintf("%s panicked: %v", tc.name, p))
						}
					}()
					for !stop.Load() {
						if err := tc.read(r, path); err != nil && err != vfs.ENOENT {
							report(fmt.Sprintf("%s %s: %v", tc.name, path, err))
						}
						if runtime.GOARCH == "wasm" {
							runtime.Gosched()
						}
					}
				}()
			}
			cycles := 0
			for deadline := time.Now().Add(dur); time.Now().Before(deadline) && !stop.Load(); cycles++ {
				fd, err := tk.Open(path, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				rulesMust(t, "create", err)
				rulesMust(t, "close", tk.Close(fd))
				rulesMust(t, "unlink", tk.Unlink(path))
				if runtime.GOARCH == "wasm" {
					runtime.Gosched()
				}
			}
			stop.Store(true)
			wg.Wait()
			for _, s := range bad {
				t.Error(s)
			}
			t.Logf("%d create/unlink cycles", cycles)
		})
	}
}
