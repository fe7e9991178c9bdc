package lock_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

var (
	procClassM  = lock.NewClass("proc_m", lock.KindMutex)
	procClassRW = lock.NewClass("proc_rw", lock.KindRWSem)
	procClassS  = lock.NewClass("proc_s", lock.KindSpin)
	procClassT  = lock.NewClass("proc_t", lock.KindMutex)
)

func TestProcSnapshot(t *testing.T) {
	v := lock.NewValidator()
	o := lock.NewOwner("task 1 (test)", v)
	var m, tm lock.Mutex
	var rw1, rw2 lock.RWSem
	var s lock.SpinLock
	m.Init(procClassM, 0)
	tm.Init(procClassT, 0)
	rw1.Init(procClassRW, 0)
	rw2.Init(procClassRW, 1)
	s.Init(procClassS, 0)

	// m -> rw/0 (read) -> rw/1 (write) -> s: a chain four deep.
	m.Lock(o)
	rw1.RLock(o)
	rw2.Lock(o)
	s.Lock(o)
	s.Unlock(o)
	rw2.Unlock(o)
	rw1.RUnlock(o)
	// A trylock under m marks its mode and adds no dependency.
	if !tm.TryLock(o) {
		t.Fatal("trylock failed")
	}
	tm.Unlock(o)
	m.Unlock(o)

	snap := v.ProcSnapshot()
	k := func(c *lock.Class, sub uint8) lock.ClassKey { return lock.ClassKey{Class: c, Subclass: sub} }
	want := []struct {
		key        lock.ClassKey
		fd, bd     int
		excl, shrd bool
		after      []lock.ClassKey
	}{
		{k(procClassM, 0), 4, 1, true, false, []lock.ClassKey{k(procClassRW, 0), k(procClassRW, 1), k(procClassS, 0)}},
		{k(procClassRW, 0), 3, 2, false, true, []lock.ClassKey{k(procClassRW, 1), k(procClassS, 0)}},
		{k(procClassRW, 1), 2, 3, true, false, []lock.ClassKey{k(procClassS, 0)}},
		{k(procClassS, 0), 1, 4, true, false, nil},
		{k(procClassT, 0), 1, 1, true, false, nil},
	}
	if len(snap.Classes) != len(want) {
		t.Fatalf("%d classes, want %d: %+v", len(snap.Classes), len(want), snap.Classes)
	}
	for i, w := range want {
		c := snap.Classes[i]
		if c.Key != w.key || c.ForwardDeps != w.fd || c.BackwardDeps != w.bd || c.UsedExclusive != w.excl || c.UsedShared != w.shrd {
			t.Errorf("class %d: %v FD %d BD %d excl %v shared %v, want %v FD %d BD %d excl %v shared %v",
				i, c.Key, c.ForwardDeps, c.BackwardDeps, c.UsedExclusive, c.UsedShared, w.key, w.fd, w.bd, w.excl, w.shrd)
		}
		if len(c.After) != len(w.after) {
			t.Errorf("%v: after %v, want %v", c.Key, c.After, w.after)
			continue
		}
		for j := range w.after {
			if c.After[j] != w.after[j] {
				t.Errorf("%v: after %v, want %v (in the order first seen)", c.Key, c.After, w.after)
			}
		}
	}
	st := v.Stats()
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"classes", snap.Stats.Classes, st.Classes},
		{"classes listed", snap.Stats.Classes, 5},
		{"direct", snap.Stats.Direct, st.Edges},
		{"direct count", snap.Stats.Direct, 6},
		{"indirect", snap.Stats.Indirect, 4 + 3 + 2 + 1 + 1},
		{"max depth", snap.Stats.MaxDepth, 4},
		{"acquisitions", snap.Stats.Acquisitions, st.Acquisitions},
		{"reports", snap.Stats.Reports, 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	// Every search so far started at a key with no dependency: nothing
	// was queued. Adding t -> m searches from m, which queues its three
	// dependencies at once.
	if snap.Stats.MaxBFSQueue != 0 {
		t.Errorf("max bfs queue %d before any search queued a key", snap.Stats.MaxBFSQueue)
	}
	tm.Lock(o)
	m.Lock(o)
	m.Unlock(o)
	tm.Unlock(o)
	snap = v.ProcSnapshot()
	if snap.Stats.MaxBFSQueue != 3 {
		t.Errorf("max bfs queue %d, want 3", snap.Stats.MaxBFSQueue)
	}
	if c := snap.Classes[4]; c.Key != k(procClassT, 0) || c.ForwardDeps != 5 || snap.Classes[0].BackwardDeps != 2 {
		t.Errorf("after t -> m: %v FD %d, m BD %d", c.Key, c.ForwardDeps, snap.Classes[0].BackwardDeps)
	}
}
