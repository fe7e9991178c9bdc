package lock_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

var (
	trMutex = lock.NewClass("trace_mutex", lock.KindMutex)
	trSpin  = lock.NewClass("trace_spin", lock.KindSpin)
	trRW    = lock.NewClass("trace_rwsem", lock.KindRWSem)
	trSeq   = lock.NewClass("trace_seq", lock.KindSeqLock)
)

func readEvents(l *trace.Listener) []trace.Event {
	var out []trace.Event
	buf := make([]trace.Event, 64)
	for {
		n := l.Read(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

// line renders a lock event as "task kind class/sub mode".
func line(e trace.Event) string {
	s := e.Kind.String() + " " + e.Class
	if e.Sub != 0 {
		s += "/" + string(rune('0'+e.Sub))
	}
	return s + " " + e.LockMode.String()
}

func TestLockEvents(t *testing.T) {
	for _, validate := range []bool{false, true} {
		var v *lock.Validator
		if validate {
			v = lock.NewValidator()
		}
		bus := trace.NewBus()
		o := lock.NewOwner("task 7 (t)", v)
		o.SetTrace(bus, 7)
		var m lock.Mutex
		m.Init(trMutex, 0)
		var s lock.SpinLock
		s.Init(trSpin, 0)
		var rw lock.RWSem
		rw.Init(trRW, 0)
		rw.SetObject(lock.ObjInode, 42)
		var sq lock.SeqLock
		sq.Init(trSeq)

		cases := []struct {
			name string
			run  func()
			want []string
		}{
			{"mutex", func() { m.Lock(o); m.Unlock(o) }, []string{
				"lock.request trace_mutex exclusive", "lock.acquire trace_mutex exclusive", "lock.release trace_mutex exclusive"}},
			{"nested spin", func() { s.LockNested(o, 2); s.Unlock(o) }, []string{
				"lock.request trace_spin/2 exclusive", "lock.acquire trace_spin/2 exclusive", "lock.release trace_spin exclusive"}},
			{"trylock", func() {
				if s.TryLock(o) {
					s.Unlock(o)
				}
			}, []string{"lock.acquire trace_spin exclusive", "lock.release trace_spin exclusive"}},
			{"rwsem read", func() { rw.RLock(o); rw.RUnlock(o) }, []string{
				"lock.request trace_rwsem shared", "lock.acquire trace_rwsem shared", "lock.release trace_rwsem shared"}},
			{"rwsem downgrade", func() { rw.Lock(o); rw.Downgrade(o); rw.RUnlock(o) }, []string{
				"lock.request trace_rwsem exclusive", "lock.acquire trace_rwsem exclusive",
				"lock.release trace_rwsem exclusive", "lock.acquire trace_rwsem shared", "lock.release trace_rwsem shared"}},
			{"seqlock", func() { sq.WriteLock(o); sq.WriteUnlock(o) }, []string{
				"lock.request trace_seq exclusive", "lock.acquire trace_seq exclusive", "lock.release trace_seq exclusive"}},
		}
		// Nobody listening: nothing is emitted.
		for _, c := range cases {
			c.run()
		}
		if bus.Seq() != 0 {
			t.Fatalf("validate=%v: %d events with nobody listening", validate, bus.Seq())
		}
		l := bus.Subscribe(256)
		o.SetTracing(true) // as the VFS does when the bus turns active
		for _, c := range cases {
			c.run()
			var got []string
			for _, e := range readEvents(l) {
				// Acquisitions carry their site; releases none (they match
				// their acquisition by the lock).
				siteOK := strings.HasPrefix(e.Site, "vfs/lock/trace_test.go:")
				if e.Kind == trace.LockRelease {
					siteOK = e.Site == ""
				}
				if e.Task != 7 || e.Lock == 0 || !siteOK {
					t.Errorf("validate=%v %s: event %s task %d lock %#x site %q", validate, c.name, e.Kind, e.Task, e.Lock, e.Site)
				}
				got = append(got, line(e))
				wantInode := uint64(0) // only the rwsem was given an object
				if strings.HasPrefix(c.name, "rwsem") {
					wantInode = 42
				}
				if e.Inode != wantInode || e.Dentry != 0 {
					t.Errorf("%s: %s names inode %d dentry %d, want inode %d", c.name, e.Kind, e.Inode, e.Dentry, wantInode)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("validate=%v %s:\n\t%s\nwant\n\t%s", validate, c.name, strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		}
		l.Close()
		if v != nil && len(v.Reports()) != 0 {
			t.Errorf("validator reports: %v", v.Reports())
		}
	}
}

// TestLockContendEvent: a task that finds a mutex taken reports the
// contention, and acquires only after the holder's release.
func TestLockContendEvent(t *testing.T) {
	bus := trace.NewBus()
	l := bus.Subscribe(256)
	o1, o2 := lock.NewOwner("a", nil), lock.NewOwner("b", nil)
	o1.SetTrace(bus, 1)
	o2.SetTrace(bus, 2)
	var m lock.Mutex
	m.Init(trMutex, 0)
	m.Lock(o1)
	done := make(chan struct{})
	go func() {
		m.Lock(o2)
		m.Unlock(o2)
		close(done)
	}()
	for bus.Seq() < 4 { // o1's request and acquire, o2's request and contend
		time.Sleep(time.Millisecond)
	}
	m.Unlock(o1)
	<-done
	var got []string
	for _, e := range readEvents(l) {
		got = append(got, string(rune('0'+e.Task))+" "+e.Kind.String())
	}
	want := "1 lock.request,1 lock.acquire,2 lock.request,2 lock.contend,1 lock.release,2 lock.acquire,2 lock.release"
	if strings.Join(got, ",") != want {
		t.Errorf("events %s\nwant   %s", strings.Join(got, ","), want)
	}
}

// TestSetTracing: an owner given a bus reports its locks only while it
// has been told somebody listens, whatever the bus's state.
func TestSetTracing(t *testing.T) {
	bus := trace.NewBus()
	o := lock.NewOwner("task 1 (t)", nil)
	o.SetTrace(bus, 1)
	var m lock.Mutex
	m.Init(trMutex, 0)
	l := bus.Subscribe(64)
	defer l.Close()
	lockUnlock := func() int {
		m.Lock(o)
		m.Unlock(o)
		return len(readEvents(l))
	}
	if n := lockUnlock(); n != 0 {
		t.Errorf("not told of the listener: %d events, want 0", n)
	}
	o.SetTracing(true)
	if n := lockUnlock(); n != 3 {
		t.Errorf("told: %d events, want request, acquire and release", n)
	}
	o.SetTracing(false)
	if n := lockUnlock(); n != 0 {
		t.Errorf("told nobody listens: %d events, want 0", n)
	}
	// An owner given an active bus reports from the start.
	o2 := lock.NewOwner("task 2 (t)", nil)
	o2.SetTrace(bus, 2)
	m.Lock(o2)
	m.Unlock(o2)
	if n := len(readEvents(l)); n != 3 {
		t.Errorf("SetTrace on an active bus: %d events, want 3", n)
	}
}
