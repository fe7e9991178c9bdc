package lock

import (
	"sort"
	"strings"
	"sync"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// Validator is a lockdep-style lock validator shared by the owners created
// with it. It learns the order in which lock classes are taken, reports
// cycles in that order before they deadlock, and checks recursion, unlock
// balance, sleeping in atomic context and locks held on return to user
// space. All methods are safe for concurrent use.
type Validator struct {
	// graphMu protects the dependency graph: classes, fwd, edges and
	// cycles. Acquisitions that only meet known edges take it for read;
	// adding an edge takes it for write, so the cycle search and the
	// insertion are one atomic step even with many goroutines acquiring.
	graphMu sync.RWMutex
	classes map[ClassKey]*classInfo // every (class, subclass) seen
	fwd     map[ClassKey][]ClassKey // adjacency: key -> keys taken while holding it
	edges   map[edge]*edgeInfo      // every dependency, with its first sites
	cycles  map[string]struct{}     // canonical keys of cycles already reported
	// maxBFS is the longest queue a cycle search has held (lockdep's
	// max_bfs_queue_depth), for /proc/lockdep_stats.
	maxBFS int

	// ownersMu protects owners and ownerSeq. Lock order: ownersMu, then
	// Owner.mu.
	ownersMu sync.Mutex
	owners   map[*Owner]struct{}
	ownerSeq uint64

	// reportMu protects reports, seen, repeats and hooks. Hooks are
	// called after it is released. A leaf.
	reportMu sync.Mutex
	reports  []Report
	seen     map[string]int // each report's identity (report.go) -> its index in reports
	repeats  int            // the sum of the reports' Repeats
	hooks    []func(Report)

	// Counters, updated atomically without any lock.
	acquisitions atomic.Uint64
	contentions  atomic.Uint64
	lookups      atomic.Uint64
	searches     atomic.Uint64
	// maxDepth is the deepest held-lock stack seen (lockdep's
	// max_lockdep_depth), raised with a compare-and-swap.
	maxDepth atomic.Int64
}

// classInfo is the per-(class, subclass) state of the validator.
type classInfo struct {
	key ClassKey
	// acq and cont are updated atomically.
	acq, cont atomic.Uint64
	// usage has usedExclusive and usedShared: the modes the class was
	// ever acquired in (lockdep's usage_mask, for /proc/lockdep). Set
	// atomically, bits are never cleared.
	usage atomic.Uint32
	// fwdDeps and backDeps are protected by Validator.graphMu.
	fwdDeps, backDeps int
	// badSub is set (atomically) once an invalid subclass of this key
	// was reported, so that it is reported once.
	badSub atomic.Bool
}

// edge is a dependency: From was held when To was taken (and waited for).
type edge struct{ from, to ClassKey }

// edgeInfo remembers the first acquisition that created an edge.
type edgeInfo struct {
	owner    string // task that first took to while holding from
	fromSite string // where it had taken from
	toSite   string // where it took to
}

// NewValidator returns an empty validator.
func NewValidator() *Validator {
	return &Validator{
		classes: make(map[ClassKey]*classInfo),
		fwd:     make(map[ClassKey][]ClassKey),
		edges:   make(map[edge]*edgeInfo),
		cycles:  make(map[string]struct{}),
		owners:  make(map[*Owner]struct{}),
		seen:    make(map[string]int),
	}
}

func (v *Validator) register(o *Owner) {
	v.ownersMu.Lock()
	v.ownerSeq++
	o.seq = v.ownerSeq
	v.owners[o] = struct{}{}
	v.ownersMu.Unlock()
}

// Owners returns the owners created with this validator and not forgotten,
// in creation order.
func (v *Validator) Owners() []*Owner {
	v.ownersMu.Lock()
	out := make([]*Owner, 0, len(v.owners))
	for o := range v.owners {
		out = append(out, o)
	}
	v.ownersMu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// Forget unregisters an owner (task exit). Its held locks, if any, stop
// appearing in DumpHeld; call AssertNoneHeld first to report them.
func (v *Validator) Forget(o *Owner) {
	v.ownersMu.Lock()
	delete(v.owners, o)
	v.ownersMu.Unlock()
}

// classInfo returns the state of key, creating it on first use.
func (v *Validator) classInfo(key ClassKey) *classInfo {
	v.graphMu.RLock()
	ci := v.classes[key]
	v.graphMu.RUnlock()
	if ci != nil {
		return ci
	}
	v.graphMu.Lock()
	defer v.graphMu.Unlock()
	return v.classInfoLocked(key)
}

// classInfoLocked is classInfo with graphMu held for write.
func (v *Validator) classInfoLocked(key ClassKey) *classInfo {
	ci := v.classes[key]
	if ci == nil {
		ci = &classInfo{key: key}
		v.classes[key] = ci
	}
	return ci
}

// mustKey panics on a lock used before Init (only checked with validation
// on; without it the zero lock works as a plain lock).
func mustKey(l Lock, sub uint8) ClassKey {
	c := l.Class()
	if c == nil {
		panic("lock: " + l.Kind().String() + " used before Init")
	}
	return ClassKey{c, sub}
}

// before runs the checks of a blocking acquisition of l by o, before the
// real acquisition (so a deadlock is reported before it happens), marks o
// as waiting for it and returns the entry to push once acquired.
func (v *Validator) before(o *Owner, l Lock, sub uint8, mode Mode, site string) Held {
	key := mustKey(l, sub)
	h := Held{Class: key.Class, Subclass: sub, Mode: mode, Lock: l, Site: site}
	v.acquisitions.Add(1)
	ci := v.classInfo(key)
	ci.acq.Add(1)
	ci.markUsed(mode)
	if sub >= MaxSubclasses {
		v.checkSubclass(o, ci, site)
	}

	if l.Kind().sleeps() && o.InAtomic() {
		v.sleepInAtomic(o, "acquiring "+key.String(), site)
	}
	for i := range o.held {
		if p := &o.held[i]; p.Lock == l || p.Key() == key {
			v.recursive(o, h, *p)
			break
		}
	}
	v.depsTo(o, h)
	w := h
	o.setWaiting(&w)
	return h
}

// seqRead checks a SeqLock read section o begins on l: a read
// acquisition of l's seqcount, released at once, so it adds nothing to
// the held stack (Linux's seqcount_lockdep_reader_access, a recursive
// read acquire of the seqcount's lockdep map). A write side of l's class
// that o holds is reported as recursive locking (the reader would wait
// for o itself); o's own read_seqlock_excl is not, since it leaves the
// count even (Linux takes only the writers' spinlock there, not the
// seqcount's lockdep map). Otherwise the reader depends on every lock o
// holds: it waits for a writer while holding them, so a writer that
// takes one of them inside its write section deadlocks against it
// (held -> seqcount here, seqcount -> held there). It returns whether o
// holds l's write side itself, in which case the reader must not wait.
func (v *Validator) seqRead(o *Owner, l Lock, site string) bool {
	key := mustKey(l, 0)
	v.acquisitions.Add(1)
	ci := v.classInfo(key)
	ci.acq.Add(1)
	ci.markUsed(Shared)
	for i := range o.held {
		if p := &o.held[i]; p.Key() == key && !p.readExcl {
			v.recursive(o, Held{Class: key.Class, Mode: Shared, Lock: l, Site: site}, *p)
			return p.Lock == l
		}
	}
	v.seqAcquire(o, Held{Class: key.Class.seq, Mode: Shared, Lock: l, Site: site})
	return false
}

// seqWrite records o, which has just taken l's writers' spinlock for
// write_seqlock, acquiring l's seqcount, as do_write_seqcount_begin's
// seqcount_acquire does: the seqcount depends on the spinlock and on
// every lock o held before. The spinlock's held entry stands for the
// seqcount from now on (Held.seqHeld).
func (v *Validator) seqWrite(o *Owner, l Lock, site string) {
	v.seqAcquire(o, Held{Class: mustKey(l, 0).Class.seq, Mode: Exclusive, Lock: l, Site: site})
}

// seqAcquire counts an acquisition of the seqcount key of h and adds its
// dependencies on the locks o holds.
func (v *Validator) seqAcquire(o *Owner, h Held) {
	v.acquisitions.Add(1)
	ci := v.classInfo(h.Key())
	ci.acq.Add(1)
	ci.markUsed(h.Mode)
	v.depsTo(o, h)
}

// depsTo adds the dependencies of next on the keys o holds, each once:
// every entry's key and, for a SeqLock held for write, its seqcount's.
func (v *Validator) depsTo(o *Owner, next Held) {
	key := next.Key()
	for i := range o.held {
		p := o.held[i]
		if pk := p.Key(); pk != key && !seenKey(o.held[:i], pk) {
			v.addDep(o, p, next)
		}
		if s, ok := p.seqHeld(); ok && s.Key() != key && !seenKey(o.held[:i], s.Key()) {
			v.addDep(o, s, next)
		}
	}
}

// checkSubclass reports the invalid subclass of ci's key (MaxSubclasses
// or more), once per key, as Linux's look_up_lock_class does. The
// acquisition then proceeds under that key.
func (v *Validator) checkSubclass(o *Owner, ci *classInfo, site string) {
	if ci.badSub.CompareAndSwap(false, true) {
		v.invalidSubclass(o, ci.key, site)
	}
}

// seenKey reports whether a held entry of key, or a SeqLock held for
// write whose seqcount is key, is in hs.
func seenKey(hs []Held, key ClassKey) bool {
	for i := range hs {
		if hs[i].Key() == key {
			return true
		}
		if s, ok := hs[i].seqHeld(); ok && s.Key() == key {
			return true
		}
	}
	return false
}

// beforeTry runs the checks of a trylock that succeeded (tryAcquired
// then records it). A trylock cannot wait, so it adds no dependencies
// and is not checked for recursion, not even against the same instance:
// Linux's lockdep sees only successful trylocks (mutex_trylock and
// down_read_trylock call lock_acquire after taking the lock), and
// validate_chain skips check_deadlock for them. Only the subclass is
// checked, as look_up_lock_class does for every acquisition.
func (v *Validator) beforeTry(o *Owner, l Lock, sub uint8, mode Mode, site string) Held {
	key := mustKey(l, sub)
	h := Held{Class: key.Class, Subclass: sub, Mode: mode, Lock: l, Site: site, Try: true}
	if sub >= MaxSubclasses {
		v.checkSubclass(o, v.classInfo(key), site)
	}
	return h
}

// acquired pushes h once the real lock is taken.
func (v *Validator) acquired(o *Owner, h Held) {
	o.push(h)
	v.noteDepth(len(o.held))
}

// tryAcquired pushes h after a successful trylock.
func (v *Validator) tryAcquired(o *Owner, h Held) {
	v.acquisitions.Add(1)
	ci := v.classInfo(h.Key())
	ci.acq.Add(1)
	ci.markUsed(h.Mode)
	o.push(h)
	v.noteDepth(len(o.held))
}

// contended counts a blocking acquisition that found the lock taken.
func (v *Validator) contended(l Lock, sub uint8) {
	v.contentions.Add(1)
	v.classInfo(ClassKey{l.Class(), sub}).cont.Add(1)
}

// release checks and records o releasing l held in mode; readExcl tells a
// SeqLock's ReadUnlockExcl from its WriteUnlock. It returns false, after
// reporting BadUnlock, if o does not hold l that way: the caller must then
// not release the real lock.
func (v *Validator) release(o *Owner, l Lock, mode Mode, readExcl bool) bool {
	i := o.find(l)
	if i < 0 {
		v.badUnlock(o, l, mode, callerSite(), "but there are no more locks to release!")
		return false
	}
	h := o.held[i]
	if h.Mode != mode {
		v.badUnlock(o, l, mode, callerSite(), "but it is held "+h.Mode.String()+" at "+h.Site)
		return false
	}
	if h.readExcl != readExcl {
		how := "for write"
		if h.readExcl {
			how = "by read_seqlock_excl"
		}
		v.badUnlock(o, l, mode, callerSite(), "but it is held "+how+" at "+h.Site)
		return false
	}
	o.remove(i)
	return true
}

// downgrade records an exclusive hold of l turning shared; false (after a
// BadUnlock report) if o does not hold l exclusive.
func (v *Validator) downgrade(o *Owner, l Lock) bool {
	i := o.find(l)
	if i < 0 || o.held[i].Mode != Exclusive {
		v.badUnlock(o, l, Exclusive, callerSite(), "but it does not hold it for write, so cannot downgrade it")
		return false
	}
	o.setMode(i, Shared)
	return true
}

// addDep records that next was taken while prev was held, reporting a
// circular dependency if next already leads to prev. The edge is added
// even then, as Linux keeps the dependency of a reported cycle: a later
// cycle through it is another deadlock, reported in its turn (the search
// marks the keys it visits, so it ends on a cyclic graph, and cycles
// dedupes the reports).
func (v *Validator) addDep(o *Owner, prev, next Held) {
	e := edge{prev.Key(), next.Key()}
	v.lookups.Add(1)
	v.graphMu.RLock()
	_, known := v.edges[e]
	v.graphMu.RUnlock()
	if known {
		return
	}

	v.graphMu.Lock()
	if _, ok := v.edges[e]; ok {
		v.graphMu.Unlock()
		return
	}
	v.searches.Add(1)
	path := v.path(e.to, e.from)
	v.edges[e] = &edgeInfo{owner: o.name, fromSite: prev.Site, toSite: next.Site}
	v.fwd[e.from] = append(v.fwd[e.from], e.to)
	v.classInfoLocked(e.from).fwdDeps++
	v.classInfoLocked(e.to).backDeps++
	text, ck := "", ""
	if path != nil {
		ck = cycleKey(append(path, e))
		if _, dup := v.cycles[ck]; !dup {
			v.cycles[ck] = struct{}{}
			text = v.circularText(o, prev, next, path)
		}
	}
	v.graphMu.Unlock()
	if text != "" {
		v.report(CircularDependency, o, "C|"+ck, text)
	}
}

// repeated reports whether the bug of identity key (report.go) was
// reported already, counting the repeat if so. The reporters ask before
// formatting a report, so that a bug in a loop costs a lookup.
func (v *Validator) repeated(key string) bool {
	v.reportMu.Lock()
	defer v.reportMu.Unlock()
	i, dup := v.seen[key]
	if dup {
		v.reports[i].Repeats++
		v.repeats++
	}
	return dup
}

// report records a report of identity key (unless another task reported
// the same bug since the caller's repeated) and calls the hooks, outside
// every validator lock.
func (v *Validator) report(kind ReportKind, o *Owner, key, text string) {
	r := Report{Kind: kind, Owner: o.name, Text: text}
	v.reportMu.Lock()
	if i, dup := v.seen[key]; dup {
		v.reports[i].Repeats++
		v.repeats++
		v.reportMu.Unlock()
		return
	}
	v.seen[key] = len(v.reports)
	v.reports = append(v.reports, r)
	hooks := v.hooks
	v.reportMu.Unlock()
	for _, f := range hooks {
		f(r)
	}
}

// Reports returns all reports so far, in order, each bug once with its
// repeats counted.
func (v *Validator) Reports() []Report {
	v.reportMu.Lock()
	defer v.reportMu.Unlock()
	return append([]Report(nil), v.reports...)
}

// OnReport registers f to be called for each new report, on the goroutine
// that detected it and outside the validator's locks (f may call the
// validator). Used by the trace layer and by tests.
func (v *Validator) OnReport(f func(Report)) {
	v.reportMu.Lock()
	v.hooks = append(v.hooks, f)
	v.reportMu.Unlock()
}

// Stats are the validator's counters, for /proc/lockdep_stats.
type Stats struct {
	Classes       int // (class, subclass) keys seen
	Edges         int // dependencies in the graph
	Acquisitions  int // successful or attempted lock acquisitions validated
	Contentions   int // blocking acquisitions that found the lock taken
	Reports       int // reports made (each bug once)
	Repeats       int // repeats of reported bugs, not reported again
	ChainLookups  int // (held lock, new lock) dependency lookups
	GraphSearches int // cycle searches (one per new dependency)
	Owners        int // registered owners
}

// Stats returns the current counters.
func (v *Validator) Stats() Stats {
	var s Stats
	v.graphMu.RLock()
	s.Classes = len(v.classes)
	s.Edges = len(v.edges)
	v.graphMu.RUnlock()
	v.reportMu.Lock()
	s.Reports = len(v.reports)
	s.Repeats = v.repeats
	v.reportMu.Unlock()
	v.ownersMu.Lock()
	s.Owners = len(v.owners)
	v.ownersMu.Unlock()
	s.Acquisitions = int(v.acquisitions.Load())
	s.Contentions = int(v.contentions.Load())
	s.ChainLookups = int(v.lookups.Load())
	s.GraphSearches = int(v.searches.Load())
	return s
}

// ClassStat describes one (class, subclass) for /proc/lockdep.
type ClassStat struct {
	Key          ClassKey
	Kind         Kind
	ForwardDeps  int    // keys taken while holding this one
	BackwardDeps int    // keys held while taking this one
	Acquisitions uint64 // validated acquisitions
	Contentions  uint64 // blocking acquisitions that found it taken
}

// Classes returns every (class, subclass) seen, ordered by class id then
// subclass.
func (v *Validator) Classes() []ClassStat {
	v.graphMu.RLock()
	out := make([]ClassStat, 0, len(v.classes))
	for k, ci := range v.classes {
		out = append(out, ClassStat{
			Key: k, Kind: k.Class.kind,
			ForwardDeps: ci.fwdDeps, BackwardDeps: ci.backDeps,
			Acquisitions: ci.acq.Load(), Contentions: ci.cont.Load(),
		})
	}
	v.graphMu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key.less(out[j].Key) })
	return out
}

// Edge is a dependency: To was taken while From was held.
type Edge struct{ From, To ClassKey }

// String formats the edge as "From -> To".
func (e Edge) String() string { return e.From.String() + " -> " + e.To.String() }

// Dependencies returns the class graph, ordered by From then To, with the
// edges of reported cycles.
func (v *Validator) Dependencies() []Edge {
	v.graphMu.RLock()
	out := make([]Edge, 0, len(v.edges))
	for e := range v.edges {
		out = append(out, Edge{e.from, e.to})
	}
	v.graphMu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From.less(out[j].From)
		}
		return out[i].To.less(out[j].To)
	})
	return out
}

// DumpHeld returns every registered owner's held locks (and the lock it is
// blocked on, if any), like lockdep's debug_show_all_locks, for a deadlock
// watchdog. Safe to call from any goroutine.
func (v *Validator) DumpHeld() string {
	var b strings.Builder
	b.WriteString("\nShowing all locks held in the system:\n")
	for _, o := range v.Owners() {
		o.mu.Lock()
		held := append([]Held(nil), o.held...)
		var waiting *Held
		if o.waiting != nil {
			w := *o.waiting
			waiting = &w
		}
		noBlock := append([]string(nil), o.noBlock...)
		o.mu.Unlock()
		if len(held) == 0 && waiting == nil && len(noBlock) == 0 {
			continue
		}
		writeHeld(&b, o.name, held)
		for _, why := range noBlock {
			b.WriteString(" in no-block section: " + why + "\n")
		}
		if waiting != nil {
			b.WriteString(" blocked acquiring: " + waiting.String() + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("=============================================\n")
	return b.String()
}
