package lock

import (
	"strings"
	"sync"

	"github.com/vfscope/vfscope/vfs/trace"
)

// Owner is the held-lock stack of one task (Linux's current). Every lock
// operation names the Owner doing it, so holders are tracked explicitly and
// never by goroutine identity.
//
// One goroutine drives one Owner at a time (it may hand it to another
// goroutine with the usual happens-before). An Owner is not safe for
// concurrent use, except Name, Validator, Held and Holds/HoldsClass, which
// other goroutines may call for snapshots and watchdog dumps.
//
// An Owner must not be nil when passed to a lock operation.
type Owner struct {
	name string
	id   uint64 // what locks record as their holder (holder.go). Immutable.
	// word is a lock word (word.go) locked by this owner: its id and
	// the locked bit. Immutable.
	word uint64
	v    *Validator // nil: validation off. Immutable.
	seq  uint64     // registration order in v. Immutable.
	tr   *trace.Bus // nil: tracing off. Set once by SetTrace.
	pid  int32      // the task id lock events carry. Set once by SetTrace.
	// slow is v != nil || (tr != nil && somebody listens on tr): the one
	// branch each lock operation pays, sending it to the validating and
	// tracing path. Read and written only by the goroutine driving o
	// (SetTrace, SetTracing), so that the branch stays a plain load.
	slow bool

	// mu protects held, atomic, noBlock and waiting. The driving goroutine
	// is their only writer and takes mu to write; it reads them without mu.
	// Other goroutines read them under mu. Lock order: Validator.ownersMu,
	// then Owner.mu; never Validator.graphMu while holding Owner.mu.
	mu      sync.Mutex
	held    []Held   // held locks, outermost first
	atomic  int      // how many held locks put the owner in atomic context
	noBlock []string // reasons of the open BeginNoBlock sections, outermost first
	waiting *Held    // the lock being waited for in a blocking acquisition, or nil
}

// NewOwner creates the held-lock stack of one task. v nil means validation
// off: the locks still record their holder, nothing else is tracked. The
// name appears in reports, e.g. "task 3 (sh)". An owner created with a
// validator is registered in it until Validator.Forget.
func NewOwner(name string, v *Validator) *Owner {
	o := &Owner{name: name, v: v, slow: v != nil}
	registerID(o)
	if v != nil {
		v.register(o)
	}
	return o
}

// Name returns the name given to NewOwner.
func (o *Owner) Name() string { return o.name }

// String returns the name.
func (o *Owner) String() string { return o.name }

// Validator returns the owner's validator, nil when validation is off.
func (o *Owner) Validator() *Validator { return o.v }

// Held returns a copy of the held-lock stack, outermost first; empty when
// validation is off. Safe to call from any goroutine.
func (o *Owner) Held() []Held {
	if o.v == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Held(nil), o.held...)
}

// Holds returns the mode in which o holds the lock instance l (Unheld if it
// does not, and always Unheld when validation is off). Safe to call from any
// goroutine.
func (o *Owner) Holds(l Lock) Mode {
	if o.v == nil {
		return Unheld
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.held) - 1; i >= 0; i-- {
		if o.held[i].Lock == l {
			return o.held[i].Mode
		}
	}
	return Unheld
}

// HoldsClass reports whether o holds any lock of class c (any subclass).
// Always false when validation is off. Safe to call from any goroutine.
func (o *Owner) HoldsClass(c *Class) bool {
	if o.v == nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.held {
		if o.held[i].Class == c {
			return true
		}
	}
	return false
}

// InAtomic reports whether o must not sleep: it holds a spinlock (or a
// SeqLock's writer side) or is inside BeginNoBlock. Always false when
// validation is off.
func (o *Owner) InAtomic() bool {
	if o.v == nil {
		return false
	}
	return o.atomic > 0 || len(o.noBlock) > 0
}

// BeginNoBlock enters a section that must not sleep, e.g. a filesystem
// method that Documentation/filesystems/locking.rst marks "may block: no".
// Sections nest; each needs its EndNoBlock. No-op when validation is off.
func (o *Owner) BeginNoBlock(why string) {
	if o.v == nil {
		return
	}
	o.mu.Lock()
	o.noBlock = append(o.noBlock, why)
	o.mu.Unlock()
}

// EndNoBlock leaves the innermost BeginNoBlock section.
func (o *Owner) EndNoBlock() {
	if o.v == nil {
		return
	}
	o.mu.Lock()
	if n := len(o.noBlock); n > 0 {
		o.noBlock = o.noBlock[:n-1]
	}
	o.mu.Unlock()
}

// MightSleep marks a point that may sleep (Linux's might_sleep). If o is in
// atomic context it reports SleepInAtomic ("BUG: sleeping function called
// from invalid context"), naming what. No-op when validation is off.
func (o *Owner) MightSleep(what string) {
	if o.v == nil {
		return
	}
	if o.InAtomic() {
		o.v.sleepInAtomic(o, what, callerSite())
	}
}

// AssertNoneHeld checks that o holds no locks and is in no BeginNoBlock
// section, as on return to user space. Otherwise it reports HeldOnReturn
// naming where and the held locks. As Linux's lockdep_sys_exit it only
// reports: the locks stay on the stack (they are still locked, and their
// later unlock must balance), but they are marked reported, so that one
// bug gives one report: they are not reported again on a later return,
// and a reported spinlock no longer makes o atomic. The open no-block
// sections are closed. No-op when validation is off.
func (o *Owner) AssertNoneHeld(where string) {
	if o.v == nil {
		return
	}
	if !o.unreported() && len(o.noBlock) == 0 {
		return
	}
	o.v.heldOnReturn(o, where)
	o.markReported()
}

// AssertNoneHeldAtExit checks that o, a task that is exiting, holds no
// locks (Linux do_exit's debug_check_no_locks_held) and is in no
// BeginNoBlock section (do_exit's "exited with preempt_count"). Otherwise
// it reports HeldAtExit ("still has locks held!") with the held locks,
// even those an earlier HeldOnReturn reported, and the open sections,
// which it closes. Call it before Validator.Forget. No-op when validation
// is off.
func (o *Owner) AssertNoneHeldAtExit() {
	if o.v == nil || len(o.held) == 0 && len(o.noBlock) == 0 {
		return
	}
	o.v.heldAtExit(o)
	o.markReported()
}

// unreported reports whether a held lock has not been reported yet. Owner
// goroutine only.
func (o *Owner) unreported() bool {
	for i := range o.held {
		if !o.held[i].reported {
			return true
		}
	}
	return false
}

// markReported marks every held lock reported, drops the atomic context
// the reported spinlocks gave and closes the no-block sections.
func (o *Owner) markReported() {
	o.mu.Lock()
	for i := range o.held {
		h := &o.held[i]
		if !h.reported && h.Lock.Kind().atomic() {
			o.atomic--
		}
		h.reported = true
	}
	o.noBlock = o.noBlock[:0]
	o.mu.Unlock()
}

// push records an acquired lock and clears the waiting mark.
func (o *Owner) push(h Held) {
	o.mu.Lock()
	o.held = append(o.held, h)
	if h.Lock.Kind().atomic() {
		o.atomic++
	}
	o.waiting = nil
	o.mu.Unlock()
}

// setWaiting records the lock o is about to block on (for DumpHeld).
func (o *Owner) setWaiting(h *Held) {
	o.mu.Lock()
	o.waiting = h
	o.mu.Unlock()
}

// find returns the index of l in o's stack, innermost first, or -1. Owner
// goroutine only.
func (o *Owner) find(l Lock) int {
	for i := len(o.held) - 1; i >= 0; i-- {
		if o.held[i].Lock == l {
			return i
		}
	}
	return -1
}

// remove drops entry i of the stack (not necessarily the top).
func (o *Owner) remove(i int) {
	o.mu.Lock()
	if o.held[i].Lock.Kind().atomic() && !o.held[i].reported {
		o.atomic--
	}
	copy(o.held[i:], o.held[i+1:])
	o.held[len(o.held)-1] = Held{}
	o.held = o.held[:len(o.held)-1]
	o.mu.Unlock()
}

// setMode changes the mode of entry i (Downgrade).
func (o *Owner) setMode(i int, m Mode) {
	o.mu.Lock()
	o.held[i].Mode = m
	o.mu.Unlock()
}

// Held is one entry of an Owner's held-lock stack.
type Held struct {
	Class    *Class
	Subclass uint8
	Mode     Mode
	Lock     Lock
	Site     string // file:line of the acquirer, the first caller outside package lock
	Try      bool   // acquired by a trylock (or adopted): it added no dependencies

	readExcl bool // SeqLock taken by ReadLockExcl (released by ReadUnlockExcl)
	// reported: a HeldOnReturn or HeldAtExit report named this entry;
	// it no longer counts in Owner.atomic and is not reported again.
	reported bool
}

// Key returns the (class, subclass) of the entry.
func (h Held) Key() ClassKey { return ClassKey{h.Class, h.Subclass} }

// seqHeld returns, for a SeqLock held for write (WriteLock), the entry of
// its seqcount, which write_seqlock holds besides the writers' spinlock
// (a separate lockdep map in Linux): locks taken inside the write
// section depend on both. ok is false for any other entry, including a
// read_seqlock_excl, which takes only the spinlock.
func (h *Held) seqHeld() (s Held, ok bool) {
	if h.Class == nil || h.Class.seq == nil || h.readExcl {
		return Held{}, false
	}
	return Held{Class: h.Class.seq, Mode: h.Mode, Lock: h.Lock, Site: h.Site}, true
}

// String formats the entry like lockdep:
// "&inode->i_rwsem/1 (exclusive) at vfs/namei.go:123".
func (h Held) String() string {
	var b strings.Builder
	b.WriteString(h.Key().String())
	b.WriteString(" (")
	b.WriteString(h.Mode.String())
	if h.Try {
		b.WriteString(", try")
	}
	b.WriteString(")")
	if h.Site != "" {
		b.WriteString(" at ")
		b.WriteString(h.Site)
	}
	return b.String()
}
