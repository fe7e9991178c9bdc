package vfs

import (
	"strings"
	"testing"
	"time"
)

// TestLockdepOffFolioFastPaths runs the inlined fast paths of
// FolioUnlock and FolioMarkUptodate, which a task takes only while it
// validates no locks and nobody listens to the trace: every other test
// run of make test has the validator on (VFSCOPE_LOCKDEP=1), so make
// test runs this one again with it unset. It checks what the fast paths
// must leave to the slow ones: a waiter to wake, an unlocked folio to
// report, and the events of a listener that joins.
func TestLockdepOffFolioFastPaths(t *testing.T) {
	if lockdepFromEnv {
		t.Skip("VFSCOPE_LOCKDEP forces lock validation on; make test runs this test again without it")
	}
	v, tk, sb := pcEnvWith(t, Options{})
	m := pcInode(tk, sb).Mapping()
	f, err := FilemapGrabFolio(tk, m, 5, FGP_CREAT|FGP_LOCK)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("unlock keeps the other flags", func(t *testing.T) {
		FolioMarkUptodate(f)
		FolioUnlock(tk, f)
		if got := f.Flags(); got&PG_locked != 0 || got&PG_uptodate == 0 {
			t.Fatalf("flags after unlock: %v", FolioFlagNames(got))
		}
		FolioMarkUptodate(f) // already uptodate: nothing changes
		if got := f.Flags(); got&PG_uptodate == 0 || got&PG_locked != 0 {
			t.Fatalf("flags after a second mark: %v", FolioFlagNames(got))
		}
	})

	t.Run("unlock wakes a waiter", func(t *testing.T) {
		other := tk.Fork("waiter")
		defer other.Exit()
		FolioLock(tk, f)
		got := make(chan struct{})
		go func() {
			FolioLock(other, f)
			close(got)
			FolioUnlock(other, f)
		}()
		deadline := time.Now().Add(20 * time.Second)
		for f.flags.Load()&PG_waiters == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the waiter never slept on the folio lock")
			}
			time.Sleep(time.Millisecond)
		}
		FolioUnlock(tk, f)
		select {
		case <-got:
		case <-time.After(20 * time.Second):
			t.Fatal("the waiter was not woken by the unlock")
		}
		FolioLock(tk, f) // the waiter has let go
		FolioUnlock(tk, f)
	})

	t.Run("unlock of an unlocked folio panics", func(t *testing.T) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "unlocked folio") {
				t.Fatalf("recovered %v, want the unlocked-folio panic", r)
			}
		}()
		FolioUnlock(tk, f)
	})

	t.Run("a listener gets the events", func(t *testing.T) {
		l := v.TraceBus().Subscribe(64)
		defer l.Close()
		g, err := FilemapGrabFolio(tk, m, 6, FGP_CREAT|FGP_LOCK)
		if err != nil {
			t.Fatal(err)
		}
		FolioMarkUptodate(g)
		FolioMarkUptodate(g) // no second event
		FolioUnlock(tk, g)
		FolioLock(tk, g)
		FolioUnlock(tk, g)
		checkPageEvents(t, l, 6, []string{"page.add 0", "page.flag_set uptodate", "page.flag_clear locked", "page.flag_set locked", "page.flag_clear locked"})
	})
}
