package vfs

import (
	"reflect"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// The emitting side of the trace layer. Each ev* method is what a call
// site writes, on one line: it inlines to one atomic load and one
// predictable branch (v.trace.on is nil while nobody listens) and calls
// the out-of-line emit* method only when somebody does. The inliner's
// budget (80) barely fits the load and a call: the emit* methods take
// the VFS and load the bus again rather than take it as an argument,
// and TestEventSitesInline checks that every ev* still inlines. The emit*
// functions read the object's fields with the same atomics lock-free
// walkers use, so they may run under any lock; Bus.Emit takes only the
// bus's own leaf lock.

// tracerState is the VFS's part of the trace layer.
type tracerState struct {
	// bus carries the events; immutable, made by New.
	bus *trace.Bus
	// on is bus while at least one listener is subscribed, else nil:
	// the one branch of every event site. Switched by the bus's
	// SetOnActive callback.
	on atomic.Pointer[trace.Bus]
	// instrumented: Options.Trace was set, so tasks take their checked
	// paths (t.checking()) and emit system call, method and lock events.
	instrumented bool
}

func (v *VFS) initTrace(opts Options) {
	v.trace.bus = trace.NewBus()
	v.trace.instrumented = opts.Trace
	v.trace.bus.SetOnActive(func(on bool) {
		if on {
			v.trace.on.Store(v.trace.bus)
		} else {
			v.trace.on.Store(nil)
		}
		// An instrumented VFS's tasks take their checked paths (system
		// call and method events) only while someone listens, so that
		// a bus nobody reads costs each operation one branch.
		if v.trace.instrumented && v.validator == nil {
			v.tasksMu.Lock()
			for _, t := range v.tasks {
				t.chk.Store(on)
			}
			v.tasksMu.Unlock()
		}
	})
	v.traceReports()
}

// TraceBus returns the VFS's event bus: Subscribe to it to receive
// events (see package trace for what a listener must do when it loses
// some).
func (v *VFS) TraceBus() *trace.Bus { return v.trace.bus }

// Subscribe is TraceBus().Subscribe(size).
func (v *VFS) Subscribe(size int) *trace.Listener { return v.trace.bus.Subscribe(size) }

// Traced reports whether the VFS was made with Options.Trace.
func (v *VFS) Traced() bool { return v.trace.instrumented }

// pidOf is the task id events carry (0 for none).
func pidOf(t *Task) int32 {
	if t == nil {
		return 0
	}
	return t.pid
}

// writerPID names the task of an event whose site has none (a
// filesystem's Dget, Ihold or SetSize): the task holding the inode's
// i_rwsem for write (of a dentry's parent directory for a dentry), which
// is the one in the filesystem method that changed it (0 if the VFS is
// not traced: tasks' lock owners carry their pid only with
// Options.Trace); else the task that allocated the inode, which is the
// one filling it in while nobody else can see it.
func writerPID(i *Inode) int32 {
	if w, _ := i.rwsem.Holder(); w != nil {
		return w.PID()
	}
	return i.allocPID
}

// Dentry events.

func (v *VFS) evDentry(t *Task, k trace.Kind, d *Dentry) {
	if v.trace.on.Load() != nil {
		v.emitDentry(t, k, d, 0, nil)
	}
}

// evDentryCount reports a change of d's d_count (dentry.count). Sites
// call it after the change, under the lock that ordered it when there is
// one; the count itself is read when the event is numbered.
func (v *VFS) evDentryCount(t *Task, d *Dentry) {
	ifTracedDentry(v, t, d, (*VFS).emitDentryCount)
}

// The ev* functions that the hottest paths call (a reference taken or
// dropped, a size or state bit changed, a page added or removed) pass
// their out-of-line emitter to one of these helpers as a parameter:
// the inliner charges a call of a parameter as cheap, and once inlined
// the parameter is a constant and the call direct. So each such ev*
// costs the inliner about half what "if traced { emit(...) }" does, and
// the small functions around it (dget, ihold, iSizeWrite, the folio
// state helpers) fit its budget and are not calls of their own, which
// under GOOS=js is what a system call's time goes to (RATIONALE.md,
// "Why do fast paths take their slow path as a parameter?").

func ifTracedDentry(v *VFS, t *Task, d *Dentry, emit func(*VFS, *Task, *Dentry)) {
	if v.trace.on.Load() != nil {
		emit(v, t, d)
	}
}

func ifTracedInode(v *VFS, t *Task, i *Inode, emit func(*VFS, *Task, *Inode)) {
	if v.trace.on.Load() != nil {
		emit(v, t, i)
	}
}

func ifTracedInodeKind(v *VFS, t *Task, k trace.Kind, i *Inode, emit func(*VFS, *Task, trace.Kind, *Inode)) {
	if v.trace.on.Load() != nil {
		emit(v, t, k, i)
	}
}

func ifTracedInodeOp(v *VFS, t *Task, i *Inode, op string, emit func(*VFS, *Task, *Inode, string)) {
	if v.trace.on.Load() != nil {
		emit(v, t, i, op)
	}
}

func ifTracedInodeBits(v *VFS, t *Task, i *Inode, set bool, bits uint32, emit func(*VFS, *Task, *Inode, bool, uint32)) {
	if v.trace.on.Load() != nil {
		emit(v, t, i, set, bits)
	}
}

func ifTracedPage(v *VFS, t *Task, k trace.Kind, i *Inode, f *Folio, bits uint32, emit func(*VFS, *Task, trace.Kind, *Inode, *Folio, uint32)) {
	if v.trace.on.Load() != nil {
		emit(v, t, k, i, f, bits)
	}
}

// emitDentryCount is out of line with few arguments, so that dget, whose
// every caller inlines it, stays small enough to inline.
//
//go:noinline
func (v *VFS) emitDentryCount(t *Task, d *Dentry) { v.emitDentry(t, trace.DentryCount, d, 0, nil) }

// evDentryBucket is evDentry for hash and unhash, with the bucket.
func (v *VFS) evDentryBucket(t *Task, k trace.Kind, d *Dentry, bucket uint32) {
	if v.trace.on.Load() != nil {
		v.emitDentry(t, k, d, int64(bucket), nil)
	}
}

// evDentryInode is evDentry naming an inode the dentry no longer points
// to (dentry.negative).
func (v *VFS) evDentryInode(t *Task, k trace.Kind, d *Dentry, in *Inode) {
	if v.trace.on.Load() != nil {
		v.emitDentry(t, k, d, 0, in)
	}
}

// evDentryMove reports d_move/d_exchange of d onto target's old name.
func (v *VFS) evDentryMove(t *Task, d, target *Dentry) {
	if v.trace.on.Load() != nil {
		v.emitDentryMove(t, d, target)
	}
}

func (v *VFS) emitDentry(t *Task, k trace.Kind, d *Dentry, bucket int64, in *Inode) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	e := trace.Event{Kind: k, Task: pidOf(t), Bucket: bucket}
	if t == nil {
		if p := d.parent.Load(); p != nil {
			if in := p.inode.Load(); in != nil {
				e.Task = writerPID(in)
			}
		}
	}
	fillDentry(&e, d)
	if in != nil {
		e.Inode, e.Ino = in.id, in.ino
	}
	tr.EmitRefresh(&e, (*dentryRefresh)(d))
}

// dentryRefresh reads d_count when a dentry event is numbered: d_count
// moves by compare-and-swap outside d_lock (dget, dput's fast path), so
// two tasks' changes may reach the bus in the other order than they
// were made; read at numbering, the last event of a dentry always
// carries its current count.
type dentryRefresh Dentry

func (d *dentryRefresh) Refresh(e *trace.Event) { e.Count = (*Dentry)(d).Count() }

func fillDentry(e *trace.Event, d *Dentry) {
	e.Dentry = d.id
	if p := d.parent.Load(); p != nil {
		e.Parent = p.id
	}
	if q := d.name.Load(); q != nil {
		e.Name = q.Name
	}
	e.Dev = d.sb.dev
	if in := d.inode.Load(); in != nil {
		e.Inode, e.Ino = in.id, in.ino
	}
	e.Flags = uint64(d.flags.Load())
	e.Count = d.Count()
}

func (v *VFS) emitDentryMove(t *Task, d, target *Dentry) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	e := trace.Event{Kind: trace.DentryMove, Task: pidOf(t), Target: target.id}
	fillDentry(&e, d)
	tr.EmitRefresh(&e, (*dentryRefresh)(d))
	if len(v.mounts.Load().list) > 1 {
		// Mounts below d (or, for an exchange, below target) moved
		// with it.
		v.emitMountsBelow(t, d)
		if target != d {
			v.emitMountsBelow(t, target)
		}
	}
}

// Inode events.

func (v *VFS) evInode(t *Task, k trace.Kind, i *Inode) {
	ifTracedInodeKind(v, t, k, i, (*VFS).emitInodeKind)
}

//go:noinline
func (v *VFS) emitInodeKind(t *Task, k trace.Kind, i *Inode) { v.emitInode(t, k, i, "", 0) }

// evInodeCount reports a change of i's i_count (inode.count); op is
// "unused" when it fell to 0 and the inode stays cached, "used" when it
// rose from 0, else "".
func (v *VFS) evInodeCount(t *Task, i *Inode, op string) {
	ifTracedInodeOp(v, t, i, op, (*VFS).emitInodeCount)
}

// emitInodeCount is out of line with few arguments, as emitDentryCount.
//
//go:noinline
func (v *VFS) emitInodeCount(t *Task, i *Inode, op string) {
	v.emitInode(t, trace.InodeCount, i, op, 0)
}

// evInodeSize reports a change of i's i_size (inode.size).
func (v *VFS) evInodeSize(t *Task, i *Inode) {
	ifTracedInode(v, t, i, (*VFS).emitInodeSize)
}

// emitInodeSize is out of line with few arguments, as emitDentryCount.
//
//go:noinline
func (v *VFS) emitInodeSize(t *Task, i *Inode) { v.emitInode(t, trace.InodeSize, i, "", 0) }

// evInodeState reports i_state bits set (set true) or cleared.
func (v *VFS) evInodeState(t *Task, i *Inode, set bool, bits uint32) {
	ifTracedInodeBits(v, t, i, set, bits, (*VFS).emitInodeState)
}

//go:noinline
func (v *VFS) emitInodeState(t *Task, i *Inode, set bool, bits uint32) {
	op := "clear"
	if set {
		op = "set"
	}
	v.emitInode(t, trace.InodeState, i, op, bits)
}

// inodeFilled marks i filled in by its filesystem and reports its
// inode.alloc, the first time only: at unlock_new_inode for an inode
// of the inode hash, at its first d_instantiate for one new_inode made.
// Until then its number (SetIno), mode and link count are provisional,
// nobody else can see it, and its events are held back: the inode.alloc
// carries what they changed. An inode evicted before it was filled
// (a failed create) reports only its inode.evict. Called with no listener too, so
// that a listener subscribing later sees the inode's events.
func inodeFilled(t *Task, i *Inode) {
	if i.traceUnfilled.Load() && i.traceUnfilled.CompareAndSwap(true, false) {
		i.sb.vfs.evInode(t, trace.InodeAlloc, i)
	}
}

func (v *VFS) emitInode(t *Task, k trace.Kind, i *Inode, op string, bits uint32) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	if k != trace.InodeEvict && i.traceUnfilled.Load() {
		// Reported by its inode.alloc (inodeFilled). An eviction is
		// reported even so: a snapshot lists an inode from allocation
		// on.
		return
	}
	e := trace.Event{Kind: k, Task: pidOf(t), Op: op, Bits: uint64(bits)}
	if t == nil {
		e.Task = writerPID(i)
	}
	fillInode(&e, i)
	tr.EmitRefresh(&e, (*inodeRefresh)(i))
}

// inodeRefresh reads i_count, i_size, i_nlink and i_mode when an inode
// event is numbered, for the reason dentryRefresh gives (i_count moves
// by compare-and-swap outside i_lock; i_size, i_nlink and i_mode are
// written by filesystems and setattr under locks the bus does not see).
type inodeRefresh Inode

func (i *inodeRefresh) Refresh(e *trace.Event) {
	e.Count = int64(i.count.Load())
	e.Size = i.size.Load()
	e.Nlink = i.nlink.Load()
	e.Mode = i.mode.Load()
}

func fillInode(e *trace.Event, i *Inode) {
	e.Inode, e.Ino, e.Dev = i.id, i.ino, i.sb.dev
	e.Mode = i.mode.Load()
	e.Nlink = i.nlink.Load()
	e.Size = i.size.Load()
	e.Flags = uint64(i.state.Load())
	e.Count = int64(i.count.Load())
}

// Page cache and writeback events.

// evPage reports a change of folio f of inode i: k is PageAdd,
// PageFlagSet, PageFlagClear or PageRemove, bits those set or cleared.
// The event's Flags are the folio's page states (f.Flags(): vfscope's
// private bits masked) read when the event is numbered, as counts are
// (pageRefresh).
func (v *VFS) evPage(t *Task, k trace.Kind, i *Inode, f *Folio, bits uint32) {
	ifTracedPage(v, t, k, i, f, bits, (*VFS).emitPage)
}

//go:noinline
func (v *VFS) emitPage(t *Task, k trace.Kind, i *Inode, f *Folio, bits uint32) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	e := trace.Event{Kind: k, Task: pidOf(t), Index: uint64(f.index), Flags: uint64(f.Flags()), Bits: uint64(bits)}
	if i != nil {
		e.Inode, e.Ino, e.Dev = i.id, i.ino, i.sb.dev
	}
	if k == trace.PageRemove {
		// The folio has left the mapping and may be reused for another
		// page before the event is numbered: its flags are read here.
		tr.Emit(&e)
		return
	}
	tr.EmitRefresh(&e, (*pageRefresh)(f))
}

// pageRefresh reads a folio's flags when a page event is numbered: two
// tasks may change a folio's flags (under different locks, or none: the
// flags are atomic) and reach the bus in the other order than they made
// the changes; read at numbering, the last event of a page carries its
// current flags, as dentryRefresh does for d_count.
type pageRefresh Folio

func (f *pageRefresh) Refresh(e *trace.Event) { e.Flags = uint64((*Folio)(f).Flags()) }

// evWriteback reports the start (end false) or end of writeback of
// inode i in mode WB_SYNC_ALL or WB_SYNC_NONE; on end, pages written and
// the error met.
func (v *VFS) evWriteback(t *Task, end bool, i *Inode, mode int, pages int64, err error) {
	if v.trace.on.Load() != nil {
		v.emitWriteback(t, end, i, mode, pages, err)
	}
}

func (v *VFS) emitWriteback(t *Task, end bool, i *Inode, mode int, pages int64, err error) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	e := trace.Event{Kind: trace.WritebackStart, Task: pidOf(t), Op: "WB_SYNC_NONE"}
	if mode == WB_SYNC_ALL {
		e.Op = "WB_SYNC_ALL"
	}
	if end {
		e.Kind = trace.WritebackEnd
		e.Count = pages
		e.Err = errnoOf(err)
	}
	e.Inode, e.Ino, e.Dev = i.id, i.ino, i.sb.dev
	tr.Emit(&e)
}

// errnoOf is the Linux errno of err (EIO for an error that is no Errno).
func errnoOf(err error) int32 {
	if err == nil {
		return 0
	}
	if e, ok := err.(Errno); ok {
		return int32(e)
	}
	return int32(EIO)
}

// Mount events.

// evMount reports m attached (k Mount), detached (k Umount), or its
// flags changed (k MountChange).
func (v *VFS) evMount(t *Task, k trace.Kind, m *Mount) {
	if v.trace.on.Load() != nil {
		v.emitMount(t, k, m)
	}
}

func (v *VFS) emitMount(t *Task, k trace.Kind, m *Mount) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	tr.Emit(mountEvent(t, k, m))
}

// mountEvent describes m as it is now, for an event about it.
func mountEvent(t *Task, k trace.Kind, m *Mount) *trace.Event {
	e := &trace.Event{Kind: k, Task: pidOf(t), Mount: m.id, Parent: uint64(m.parentID),
		Dentry: m.root.id, Dev: m.sb.dev, Op: m.sb.fsType.Name, Name: m.devName,
		Path: mountPath(m), Flags: uint64(m.flags.Load())}
	if mp := m.mountpoint.Load(); mp != nil {
		e.Target = mp.id
	}
	return e
}

// evUmountPrepare describes m before detachMountLocked or moveMount
// takes it off the tree (its path and mount point are still there to
// read); evUmountDone emits that once the mount table no longer has
// it, so that a snapshot numbered after the event never lists the
// mount (umount_tree takes it off under mount_lock before anything
// reports it gone).
func (v *VFS) evUmountPrepare(t *Task, m *Mount) *trace.Event {
	if v.trace.on.Load() == nil {
		return nil
	}
	return mountEvent(t, trace.Umount, m)
}

func (v *VFS) evUmountDone(e *trace.Event) {
	if e == nil {
		return
	}
	if tr := v.trace.on.Load(); tr != nil {
		tr.Emit(e)
	}
}

// evDentryMounted reports DCACHE_MOUNTED set on mp (set) or cleared;
// mp's d_lock held.
func (v *VFS) evDentryMounted(t *Task, mp *Dentry, set bool) {
	if v.trace.on.Load() != nil {
		v.emitDentryMounted(t, mp, set)
	}
}

func (v *VFS) emitDentryMounted(t *Task, mp *Dentry, set bool) {
	tr := v.trace.on.Load()
	if tr == nil {
		return // the last listener left since the caller looked
	}
	e := trace.Event{Kind: trace.DentryMounted, Task: pidOf(t), Op: "clear", Bits: DCACHE_MOUNTED}
	if set {
		e.Op = "set"
	}
	fillDentry(&e, mp)
	tr.EmitRefresh(&e, (*dentryRefresh)(mp))
}

// emitMountsBelow reports mount.change for every attached mount whose
// mount point lies below d, after d was renamed: their paths changed.
// The mount table is copy-on-write and read without locks, as
// mountPath reads it; mounts are few, and this runs only while somebody
// listens.
func (v *VFS) emitMountsBelow(t *Task, d *Dentry) {
	for _, m := range v.mounts.Load().list {
		if mountBelow(m, d) {
			v.emitMount(t, trace.MountChange, m)
		}
	}
}

// mountBelow reports whether d is on the path of m's mount point: one
// of the dentries between a mount point and its mount's root, for m or
// a mount above it.
func mountBelow(m *Mount, d *Dentry) bool {
	for {
		p := m.parent.Load()
		mp := m.mountpoint.Load()
		if p == nil || p == m || mp == nil {
			return false
		}
		for x := mp; ; {
			if x == d {
				return true
			}
			px := x.parent.Load()
			if x == p.root || px == x || px == nil {
				break
			}
			x = px
		}
		m = p
	}
}

// mountPath is the path of m's mount point from the namespace root,
// read without locks (a concurrent rename may make it stale).
func mountPath(m *Mount) string {
	s := ""
	for {
		p := m.parent.Load()
		mp := m.mountpoint.Load()
		if p == nil || p == m || mp == nil {
			break
		}
		rel := dentryPathFrom(mp, p.root)
		if rel != "/" {
			s = rel + s
		}
		m = p
	}
	if s == "" {
		return "/"
	}
	return s
}

// dentryPathFrom is the path of d below root (d itself if it is not
// below root, as far as the walk goes).
func dentryPathFrom(d, root *Dentry) string {
	var parts []string
	for d != root {
		p := d.parent.Load()
		if p == d {
			break
		}
		parts = append(parts, d.name.Load().Name)
		d = p
	}
	if len(parts) == 0 {
		return "/"
	}
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for i := len(parts) - 1; i >= 0; i-- {
		b = append(b, '/')
		b = append(b, parts[i]...)
	}
	return string(b)
}

// iStateSet and iStateClear change i_state bits and report the bits that
// did change; i_lock held (or the inode not visible yet). State bits
// change only through them, so that the trace misses none.
func iStateSet(t *Task, i *Inode, bits uint32) {
	if old := i.state.Or(bits); old&bits != bits {
		i.sb.vfs.evInodeState(t, i, true, bits&^old)
	}
}

func iStateClear(t *Task, i *Inode, bits uint32) {
	if old := i.state.And(^bits); old&bits != 0 {
		i.sb.vfs.evInodeState(t, i, false, old&bits)
	}
}

// heldOf converts one entry of a held-lock stack.
func heldOf(h lock.Held) trace.Held {
	return trace.Held{Class: h.Class.Name(), Sub: h.Subclass, Mode: modeOf(h.Mode),
		Lock: lockAddr(h.Lock), Site: h.Site, Try: h.Try}
}

func modeOf(m lock.Mode) trace.Mode {
	switch m {
	case lock.Shared:
		return trace.ModeShared
	case lock.Exclusive:
		return trace.ModeExclusive
	}
	return trace.ModeNone
}

// lockAddr identifies a lock instance by its address.
func lockAddr(l lock.Lock) uint64 {
	if l == nil {
		return 0
	}
	rv := reflect.ValueOf(l)
	if rv.Kind() != reflect.Pointer {
		return 0
	}
	return uint64(rv.Pointer())
}

// System call and filesystem method events. Their sites sit on the
// checked paths (t.checking(): lock validation on, or Options.Trace with
// a listener), so that a VFS made without either pays nothing for them.

// sysEnter reports the start of system call name and returns name, so
// that a system call opens with `defer t.opDone(t.sysEnter("openat"))`.
func (t *Task) sysEnter(name string) string {
	if tr := t.vfs.trace.on.Load(); tr != nil {
		tr.Emit(&trace.Event{Kind: trace.SyscallEnter, Task: t.pid, Op: name})
	}
	return name
}

// sysExit reports the end of system call name.
func (t *Task) sysExit(name string) {
	if tr := t.vfs.trace.on.Load(); tr != nil {
		tr.Emit(&trace.Event{Kind: trace.SyscallExit, Task: t.pid, Op: name})
	}
}

// emitMethod reports a call into a filesystem (the locking.rst row key)
// with its subject and the locks the task holds.
func emitMethod(tr *trace.Bus, t *Task, key string, s *subjects) {
	e := trace.Event{Kind: trace.MethodEnter, Task: t.pid, Op: key}
	fillSubject(&e, s)
	if hs := t.o.Held(); len(hs) > 0 {
		e.Held = heldSnap(hs)
	}
	tr.Emit(&e)
}

// emitMethodExit reports the return of the call emitMethod reported.
func emitMethodExit(tr *trace.Bus, t *Task, key string) {
	tr.Emit(&trace.Event{Kind: trace.MethodExit, Task: t.pid, Op: key})
}

func fillSubject(e *trace.Event, s *subjects) {
	in := s.inode
	if in == nil && s.m != nil {
		in = s.m.host
	}
	if in == nil && s.iLock != nil {
		in = s.iLock
	}
	if in != nil {
		e.Inode, e.Ino, e.Dev = in.id, in.ino, in.sb.dev
	}
	if s.d != nil {
		e.Dentry = s.d.id
		if e.Dev == 0 {
			e.Dev = s.d.sb.dev
		}
	}
	if s.folio != nil {
		e.Index = uint64(s.folio.index)
	}
	if e.Dev == 0 && s.sb != nil {
		e.Dev = s.sb.dev
	}
}

// traceReports forwards the validator's reports to the bus.
func (v *VFS) traceReports() {
	if v.validator == nil {
		return
	}
	v.validator.OnReport(func(r lock.Report) {
		if tr := v.trace.on.Load(); tr != nil {
			tr.Emit(&trace.Event{Kind: trace.Report, Report: &trace.ValidatorReport{Type: r.Kind.String(), Task: r.Owner, Text: r.Text}})
		}
	})
}
