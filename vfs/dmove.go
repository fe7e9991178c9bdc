package vfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs/trace"
)

// d_lock subclasses (enum dentry_d_lock_class), for taking several
// d_locks at once in a documented order.
const (
	dLockNormal = 0
	dLockNested = 1
	dLockMoved  = 2 // the dentry being moved
	dLockTarget = 3 // the dentry it replaces
)

// dAncestor is d_ancestor(p1, p2): the child of p1 that is an ancestor
// of p2 (p2 itself if p1 is its parent), or nil if p1 is not an ancestor.
func dAncestor(p1, p2 *Dentry) *Dentry {
	for p := p2; ; {
		pp := p.parent.Load()
		if pp == p {
			return nil
		}
		if pp == p1 {
			return p
		}
		p = pp
	}
}

// DMove is d_move(): after ->rename, move d to target's name and parent.
// target (the overwritten or negative new name) is left unhashed.
func DMove(t *Task, d, target *Dentry) { dMove(t, d, target, false) }

// DExchange is d_exchange(): after a RENAME_EXCHANGE, swap the names and
// parents of two dentries.
func DExchange(t *Task, d, target *Dentry) { dMove(t, d, target, true) }

// dMove is __d_move(). Lock order: rename_lock (write), then the parents'
// d_locks (the ancestor first; otherwise target's parent first), then d's,
// then target's.
func dMove(t *Task, d, target *Dentry, exchange bool) {
	o := t.owner()
	v := d.sb.vfs
	v.renameLock.WriteLock(o)

	oldParent := d.parent.Load()
	newParent := target.parent.Load()
	p := dAncestor(oldParent, target)
	switch {
	case oldParent == d:
		panic("vfs: d_move of a root dentry")
	case p == nil:
		newParent.lock.Lock(o)
		oldParent.lock.LockNested(o, dLockNested)
	default:
		oldParent.lock.Lock(o)
		if p != target {
			newParent.lock.LockNested(o, dLockNested)
		}
	}
	d.lock.LockNested(o, dLockMoved)
	target.lock.LockNested(o, dLockTarget)

	d.seq.BeginWrite()
	target.seq.BeginWrite()

	dUnhashQuiet(t, d)

	// Switch them in the tree.
	unlinkChild(oldParent, d)
	if exchange {
		dUnhashQuiet(t, target)
		unlinkChild(newParent, target)
		dn, tn := d.name.Load(), target.name.Load()
		d.setName(movedName(tn, target))
		target.setName(movedName(dn, d))
		d.parent.Store(newParent)
		target.parent.Store(oldParent)
		linkChild(oldParent, target)
		dRehashLocked(t, target)
		linkChild(newParent, d)
		dRehashLocked(t, d)
	} else {
		d.setName(movedName(target.name.Load(), target))
		d.parent.Store(newParent)
		if newParent != oldParent {
			newParent.count.Add(1)
			oldParent.count.Add(-1)
			d.sb.vfs.evDentryCount(t, newParent)
			d.sb.vfs.evDentryCount(t, oldParent)
		}
		linkChild(newParent, d)
		// d now hashes to target's bucket: it takes target's place
		// in the chain (target is left unhashed).
		dReplaceHashed(t, target, d)
	}

	target.seq.EndWrite()
	d.seq.EndWrite()
	v.evDentryMove(t, d, target)

	target.lock.Unlock(o)
	d.lock.Unlock(o)
	if newParent != oldParent {
		newParent.lock.Unlock(o)
	}
	oldParent.lock.Unlock(o)
	v.renameLock.WriteUnlock(o)
}

// movedName returns the name q of from for another dentry to take: a new
// QStr, so that the other never points into from (which a rename may
// leave dead), with its bytes copied if they are from's inline ones. The
// inline bytes themselves never change: a caller may hold a string over
// them (Linux copies names between the dentries' d_iname; a Go string
// must stay immutable).
//
// A QStr that is not from's own (an earlier move gave it) points into no
// dentry: it is shared as it is. Inline bytes are copied with their QStr
// in one allocation.
func movedName(q *QStr, from *Dentry) *QStr {
	if q != &from.iname {
		return q
	}
	if len(q.Name) > 0 && unsafe.StringData(q.Name) == &from.inameBuf[0] {
		m := newMovedQStr()
		n := copy(m.buf[:], q.Name)
		m.q = QStr{Name: unsafe.String(&m.buf[0], n), Hash: q.Hash}
		return &m.q
	}
	return &QStr{Name: q.Name, Hash: q.Hash}
}

// movedQStr is a moved inline name: the QStr and its bytes together. It
// points only into itself, so one that is garbage keeps nothing else
// alive (newMovedQStr may hand it out from a slab).
type movedQStr struct {
	q   QStr
	buf [dnameInlineLen]byte
}

// dReplaceHashed puts d in target's place on target's hash chain, which
// is d's own now that d has target's parent and name, and leaves target
// unhashed: one bucket lock where unhashing target and hashing d took
// two. A lock-free reader standing on target still reaches the rest of
// the chain through target's link. Inside both dentries' d_seq write
// sections, their d_locks held. If target is not hashed, d is hashed
// as dRehashLocked does.
func dReplaceHashed(t *Task, target, d *Dentry) {
	if !target.hashed() {
		dRehashLocked(t, d)
		return
	}
	v := d.sb.vfs
	h := &v.dcache
	b := h.bucket(target.parent.Load(), target.name.Load().Hash)
	l := &h.locks[b&hashLockMask]
	l.Lock(t.owner())
	prev := &h.buckets[b]
	for p := prev.Load(); p != target; p = prev.Load() {
		if p == nil {
			l.Unlock(t.owner())
			panic("vfs: a hashed dentry is not on its chain: " + target.Name())
		}
		prev = &p.hashNext
	}
	d.hashNext.Store(target.hashNext.Load())
	prev.Store(d)
	target.flags.And(^uint32(DCACHE_HASHED))
	d.flags.Or(DCACHE_HASHED)
	l.Unlock(t.owner())
	v.evDentryBucket(t, trace.DentryUnhash, target, b)
	v.evDentryBucket(t, trace.DentryHash, d, b)
}

// dUnhashQuiet unhashes without the extra d_seq bump of dUnhash: the
// caller is already inside a d_seq write section.
func dUnhashQuiet(t *Task, d *Dentry) {
	if !d.hashed() {
		return
	}
	h := &d.sb.vfs.dcache
	b := h.bucket(d.parent.Load(), d.name.Load().Hash)
	l := &h.locks[b&hashLockMask]
	l.Lock(t.owner())
	prev := &h.buckets[b]
	for p := prev.Load(); p != nil; p = prev.Load() {
		if p == d {
			prev.Store(d.hashNext.Load())
			break
		}
		prev = &p.hashNext
	}
	d.flags.And(^uint32(DCACHE_HASHED))
	l.Unlock(t.owner())
	d.sb.vfs.evDentryBucket(t, trace.DentryUnhash, d, b)
}

// unlinkChild and linkChild edit parent's children list; parent's d_lock
// held.
func unlinkChild(parent, d *Dentry) {
	if d.sibPrev != nil {
		d.sibPrev.sibNext = d.sibNext
	} else if parent.firstChild == d {
		parent.firstChild = d.sibNext
	}
	if d.sibNext != nil {
		d.sibNext.sibPrev = d.sibPrev
	}
	d.sibPrev, d.sibNext = nil, nil
}

func linkChild(parent, d *Dentry) {
	d.sibPrev = nil
	d.sibNext = parent.firstChild
	if parent.firstChild != nil {
		parent.firstChild.sibPrev = d
	}
	parent.firstChild = d
}
