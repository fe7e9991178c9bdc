package lock_test

import (
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// next returns the site ("vfs/lock/validator_test.go:N") of the line after
// the call, where the test puts the lock operation it wants to find.
func next() string {
	_, file, line, _ := runtime.Caller(1)
	return "vfs/lock/" + path.Base(file) + ":" + fmt.Sprint(line+1)
}

func mutexes(n int, prefix string) []*lock.Mutex {
	ms := make([]*lock.Mutex, n)
	for i := range ms {
		ms[i] = new(lock.Mutex)
		ms[i].Init(lock.NewClass(fmt.Sprintf("%s%c", prefix, 'A'+i), lock.KindMutex), 0)
	}
	return ms
}

func onlyReport(t *testing.T, v *lock.Validator, kind lock.ReportKind) lock.Report {
	t.Helper()
	rs := v.Reports()
	if len(rs) != 1 {
		t.Fatalf("got %d reports, want 1 %v:\n%v", len(rs), kind, rs)
	}
	if rs[0].Kind != kind {
		t.Fatalf("report kind %v, want %v:\n%s", rs[0].Kind, kind, rs[0])
	}
	return rs[0]
}

func mustContain(t *testing.T, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q:\n%s", s, text)
		}
	}
}

func TestABBA(t *testing.T) {
	v := lock.NewValidator()
	var hooked []lock.Report
	v.OnReport(func(r lock.Report) { hooked = append(hooked, r) })
	ms := mutexes(2, "abba_")
	a, b := ms[0], ms[1]
	t1, t2 := lock.NewOwner("task 1", v), lock.NewOwner("task 2", v)

	sA1 := next()
	a.Lock(t1)
	sB1 := next()
	b.Lock(t1)
	b.Unlock(t1)
	a.Unlock(t1)

	sB2 := next()
	b.Lock(t2)
	sA2 := next()
	a.Lock(t2)
	a.Unlock(t2)
	b.Unlock(t2)

	r := onlyReport(t, v, lock.CircularDependency)
	if r.Owner != "task 2" || len(hooked) != 1 || hooked[0].Text != r.Text {
		t.Fatalf("owner %q, hooked %d", r.Owner, len(hooked))
	}
	mustContain(t, r.Text,
		"WARNING: possible circular locking dependency detected",
		"task 2 is trying to acquire lock:\n  abba_A (exclusive) at "+sA2,
		"but task already holds lock:\n  abba_B (exclusive) at "+sB2,
		"the existing dependency chain (in reverse order) is:",
		"-> #1 (abba_B):\n       taken by task 1 at "+sB1+"\n       while holding abba_A taken at "+sA1,
		"-> #0 (abba_A):\n       being taken by task 2 at "+sA2,
		"lock(abba_B);", "*** DEADLOCK ***",
		"1 lock held by task 2:",
	)
	t.Log(r.Text)

	// The same inversion again, by either task: still one report.
	b.Lock(t1)
	a.Lock(t1)
	a.Unlock(t1)
	b.Unlock(t1)
	onlyReport(t, v, lock.CircularDependency)
}

func TestThreeLockCycle(t *testing.T) {
	v := lock.NewValidator()
	ms := mutexes(3, "cyc3_")
	a, b, c := ms[0], ms[1], ms[2]
	t1, t2, t3 := lock.NewOwner("task 1", v), lock.NewOwner("task 2", v), lock.NewOwner("task 3", v)
	pair := func(o *lock.Owner, x, y *lock.Mutex) {
		x.Lock(o)
		y.Lock(o)
		y.Unlock(o)
		x.Unlock(o)
	}
	pair(t1, a, b)
	pair(t2, b, c)
	if len(v.Reports()) != 0 {
		t.Fatal("report before the cycle closes")
	}
	pair(t3, c, a)
	r := onlyReport(t, v, lock.CircularDependency)
	mustContain(t, r.Text, "task 3 is trying to acquire lock:\n  cyc3_A",
		"but task already holds lock:\n  cyc3_C",
		"-> #2 (cyc3_C):\n       taken by task 2", "while holding cyc3_B",
		"-> #1 (cyc3_B):\n       taken by task 1", "while holding cyc3_A",
		"-> #0 (cyc3_A):\n       being taken by task 3",
		"Chain exists of:\n   cyc3_A --> cyc3_B --> cyc3_C",
		"vfs/lock/validator_test.go:")
	pair(t1, c, a)
	pair(t2, b, a) // a different cycle: A->B->A
	rs := v.Reports()
	if len(rs) != 2 || rs[1].Kind != lock.CircularDependency {
		t.Fatalf("want a second report for the cycle A<->B, got %v", rs)
	}
}

func TestConcurrentInversionOneReport(t *testing.T) {
	v := lock.NewValidator()
	ms := mutexes(2, "conc_")
	var serial sync.Mutex // keeps the real locks from deadlocking
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := lock.NewOwner(fmt.Sprintf("task %d", g), v)
			x, y := ms[0], ms[1]
			if g%2 == 1 {
				x, y = y, x
			}
			for i := 0; i < 50; i++ {
				serial.Lock()
				x.Lock(o)
				y.Lock(o)
				y.Unlock(o)
				x.Unlock(o)
				serial.Unlock()
			}
			o.AssertNoneHeld("exit")
		}()
	}
	wg.Wait()
	onlyReport(t, v, lock.CircularDependency)
}

func TestNoFalsePositives(t *testing.T) {
	t.Run("consistent order", func(t *testing.T) {
		v := lock.NewValidator()
		ms := mutexes(4, "ord_")
		var sp lock.SpinLock
		sp.Init(lock.NewClass("ord_spin", lock.KindSpin), 0)
		var rw lock.RWSem
		rw.Init(lock.NewClass("ord_rw", lock.KindRWSem), 0)
		var wg sync.WaitGroup
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := lock.NewOwner(fmt.Sprint("task ", g), v)
				for i := 0; i < 200; i++ {
					if i%2 == 0 {
						rw.RLock(o)
					} else {
						rw.Lock(o)
					}
					// any ordered subset of the mutexes
					var taken []*lock.Mutex
					for j, m := range ms {
						if (i+g)>>j&1 == 1 {
							m.Lock(o)
							taken = append(taken, m)
						}
					}
					sp.Lock(o)
					sp.Unlock(o)
					// release out of order
					for j := range taken {
						taken[j].Unlock(o)
					}
					if i%2 == 0 {
						rw.RUnlock(o)
					} else {
						rw.Unlock(o)
					}
					o.AssertNoneHeld("syscall exit")
				}
			}()
		}
		wg.Wait()
		if rs := v.Reports(); len(rs) != 0 {
			t.Fatalf("false positives: %v", rs)
		}
		s := v.Stats()
		if s.Edges == 0 || s.Acquisitions == 0 || s.Classes != 6 || s.Owners != 16 {
			t.Fatalf("stats %+v", s)
		}
		t.Logf("stats %+v", s)
	})
	t.Run("nested subclasses", func(t *testing.T) {
		v := lock.NewValidator()
		cls := lock.NewClass("&inode->i_rwsem_nest", lock.KindRWSem)
		var x, y lock.RWSem
		x.Init(cls, 0)
		y.Init(cls, 0)
		t1, t2 := lock.NewOwner("task 1", v), lock.NewOwner("task 2", v)
		// lock_rename style: parent first as subclass 0, then the other as 1,
		// whichever instance plays which role.
		x.LockNested(t1, 0)
		y.LockNested(t1, 1)
		y.Unlock(t1)
		x.Unlock(t1)
		y.LockNested(t2, 0)
		x.RLockNested(t2, 1)
		x.RUnlock(t2)
		y.Unlock(t2)
		if rs := v.Reports(); len(rs) != 0 {
			t.Fatalf("false positives: %v", rs)
		}
		deps := v.Dependencies()
		if len(deps) != 1 || deps[0].From.String() != "&inode->i_rwsem_nest" || deps[0].To.String() != "&inode->i_rwsem_nest/1" {
			t.Fatalf("dependencies %v", deps)
		}
	})
	t.Run("trylock in reverse order", func(t *testing.T) {
		v := lock.NewValidator()
		ms := mutexes(2, "try_")
		a, b := ms[0], ms[1]
		t1, t2 := lock.NewOwner("task 1", v), lock.NewOwner("task 2", v)
		a.Lock(t1)
		b.Lock(t1)
		b.Unlock(t1)
		a.Unlock(t1)
		b.Lock(t2)
		if !a.TryLock(t2) {
			t.Fatal("TryLock failed")
		}
		a.Unlock(t2)
		b.Unlock(t2)
		if rs := v.Reports(); len(rs) != 0 {
			t.Fatalf("false positives: %v", rs)
		}
	})
}

func TestRecursiveLocking(t *testing.T) {
	v := lock.NewValidator()
	cls := lock.NewClass("&dentry->d_lock_rec", lock.KindSpin)
	var x, y lock.SpinLock
	x.Init(cls, 0)
	y.Init(cls, 0)
	o := lock.NewOwner("task 1", v)
	x.Lock(o)
	site := next()
	y.Lock(o)
	r := onlyReport(t, v, lock.RecursiveLocking)
	mustContain(t, r.Text, "WARNING: possible recursive locking detected",
		"task 1 is trying to acquire lock:\n  &dentry->d_lock_rec (exclusive) at "+site,
		"missing lock nesting notation")
	y.Unlock(o)
	x.Unlock(o)

	// The same instance, tried: the trylock fails, and a failed
	// trylock is not reported (TestTryLockNotRecursive).
	x.Lock(o)
	if x.TryLock(o) {
		t.Fatal("TryLock of a held lock succeeded")
	}
	if rs := v.Reports(); len(rs) != 1 {
		t.Fatalf("reports %v", rs)
	}
	x.Unlock(o)
	if len(o.Held()) != 0 {
		t.Fatal("held after unlocks")
	}
}

func TestBadUnlock(t *testing.T) {
	v := lock.NewValidator()
	var m lock.Mutex
	m.Init(lock.NewClass("bad_m", lock.KindMutex), 0)
	var rw lock.RWSem
	rw.Init(lock.NewClass("bad_rw", lock.KindRWSem), 0)
	o, other := lock.NewOwner("task 1", v), lock.NewOwner("task 2", v)

	site := next()
	m.Unlock(o) // never locked: reported, not a crash
	r := onlyReport(t, v, lock.BadUnlock)
	mustContain(t, r.Text, "WARNING: bad unlock balance detected!", "task 1 is trying to release lock (bad_m) exclusive at:\n  "+site,
		"but there are no more locks to release!")

	m.Lock(other)
	m.Unlock(o) // held by someone else: reported, the lock stays held
	if m.Holder() != other || len(v.Reports()) != 2 {
		t.Fatal("unlock by a non-holder was performed")
	}
	m.Unlock(other)

	rw.Lock(o)
	rw.RUnlock(o) // held for write
	if rs := v.Reports(); len(rs) != 3 || rs[2].Kind != lock.BadUnlock || !strings.Contains(rs[2].Text, "held exclusive") {
		t.Fatalf("reports %v", rs)
	}
	if o.Holds(&rw) != lock.Exclusive {
		t.Fatal("write hold lost")
	}
	rw.Unlock(o)
	rw.Downgrade(o) // not held
	if len(v.Reports()) != 4 {
		t.Fatal("downgrade of an unheld rwsem not reported")
	}
	if !rw.TryLock(o) {
		t.Fatal("rwsem state damaged")
	}
	rw.Unlock(o)
}

func TestSleepInAtomic(t *testing.T) {
	v := lock.NewValidator()
	var sp lock.SpinLock
	sp.Init(lock.NewClass("&inode->i_lock_sia", lock.KindSpin), 0)
	var m lock.Mutex
	m.Init(lock.NewClass("sia_mutex", lock.KindMutex), 0)
	var sl lock.SeqLock
	sl.Init(lock.NewClass("sia_seqlock", lock.KindSeqLock))
	o := lock.NewOwner("task 1", v)

	o.MightSleep("nothing held")
	if o.InAtomic() || len(v.Reports()) != 0 {
		t.Fatal("atomic with nothing held")
	}

	sp.Lock(o)
	if !o.InAtomic() {
		t.Fatal("not atomic under a spinlock")
	}
	site := next()
	m.Lock(o)
	r := onlyReport(t, v, lock.SleepInAtomic)
	mustContain(t, r.Text, "BUG: sleeping function called from invalid context at "+site,
		"acquiring sia_mutex", "atomic because holding spinlock &inode->i_lock_sia")
	m.Unlock(o)
	sp.Unlock(o)
	if o.InAtomic() {
		t.Fatal("atomic after unlock")
	}

	o.BeginNoBlock("->d_revalidate in RCU walk")
	o.MightSleep("kmalloc(GFP_KERNEL)")
	o.EndNoBlock()
	rs := v.Reports()
	if len(rs) != 2 || rs[1].Kind != lock.SleepInAtomic {
		t.Fatalf("reports %v", rs)
	}
	mustContain(t, rs[1].Text, "kmalloc(GFP_KERNEL)", "->d_revalidate in RCU walk")

	sl.WriteLock(o)
	o.MightSleep("under rename_lock")
	sl.WriteUnlock(o)
	if len(v.Reports()) != 3 {
		t.Fatal("sleeping under a seqlock write not reported")
	}
	if !m.TryLock(o) { // trylock never sleeps
		t.Fatal("TryLock")
	}
	m.Unlock(o)
	if len(v.Reports()) != 3 {
		t.Fatalf("reports %v", v.Reports())
	}
}

func TestHeldOnReturn(t *testing.T) {
	v := lock.NewValidator()
	var m lock.Mutex
	m.Init(lock.NewClass("&file->f_pos_lock_hor", lock.KindMutex), 0)
	o := lock.NewOwner("task 7 (cat)", v)
	site := next()
	m.Lock(o)
	if o.Holds(&m) != lock.Exclusive || !o.HoldsClass(m.Class()) {
		t.Fatal("Holds")
	}
	dump := v.DumpHeld()
	mustContain(t, dump, "1 lock held by task 7 (cat):", "&file->f_pos_lock_hor (exclusive) at "+site)
	o.AssertNoneHeld("read(2)")
	r := onlyReport(t, v, lock.HeldOnReturn)
	mustContain(t, r.Text, "WARNING: lock held when returning to user space!", "task 7 (cat)", "read(2)",
		"&file->f_pos_lock_hor (exclusive) at "+site)
	if len(o.Held()) != 1 {
		t.Fatalf("held after the report: %v, want the lock still held", o.Held())
	}
	o.AssertNoneHeld("read(2)")
	if len(v.Reports()) != 1 {
		t.Fatal("one bug, two reports")
	}
	m.Unlock(o)
	if len(v.Reports()) != 1 || m.Holder() != nil {
		t.Fatalf("unlock after the report: reports %v, holder %v", v.Reports(), m.Holder())
	}
	v.Forget(o)
	if len(v.Owners()) != 0 {
		t.Fatal("Forget")
	}
}

func TestIntrospection(t *testing.T) {
	v := lock.NewValidator()
	ms := mutexes(3, "intro_")
	o := lock.NewOwner("task 1", v)
	ms[0].Lock(o)
	ms[1].Lock(o)
	ms[2].Lock(o)
	held := o.Held()
	if len(held) != 3 || held[0].Lock != ms[0] || held[2].Class != ms[2].Class() {
		t.Fatalf("Held %v", held)
	}
	ms[1].Unlock(o) // out of order
	ms[2].Unlock(o)
	ms[0].Unlock(o)
	cs := v.Classes()
	if len(cs) != 3 || cs[0].Key.Class != ms[0].Class() || cs[0].ForwardDeps != 2 || cs[2].BackwardDeps != 2 || cs[1].Acquisitions != 1 {
		t.Fatalf("Classes %+v", cs)
	}
	if d := v.Dependencies(); len(d) != 3 {
		t.Fatalf("Dependencies %v", d)
	}
	if s := (lock.ClassKey{Class: ms[0].Class(), Subclass: 2}).String(); s != "intro_A/2" {
		t.Fatal(s)
	}
	h := lock.Held{Class: ms[0].Class(), Subclass: 1, Mode: lock.Exclusive, Site: "vfs/namei.go:123"}
	if h.String() != "intro_A/1 (exclusive) at vfs/namei.go:123" {
		t.Fatal(h.String())
	}
	if lock.KindRWSem.String() != "rwsem" || lock.Shared.String() != "shared" {
		t.Fatal("String")
	}
}

func TestContention(t *testing.T) {
	v := lock.NewValidator()
	ms := mutexes(1, "cont_")
	a, b := lock.NewOwner("a", v), lock.NewOwner("b", v)
	ms[0].Lock(a)
	done := make(chan struct{})
	go func() { ms[0].Lock(b); ms[0].Unlock(b); close(done) }()
	for !strings.Contains(v.DumpHeld(), "blocked acquiring: cont_A") {
		runtime.Gosched()
	}
	ms[0].Unlock(a)
	<-done
	if s := v.Stats(); s.Contentions != 1 {
		t.Fatalf("Contentions %d", s.Contentions)
	}
}
