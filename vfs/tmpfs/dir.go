package tmpfs

import (
	"math"
	"sort"

	"github.com/vfscope/vfscope/vfs"
)

// A directory's entries are kept as libfs's simple_offset directories
// of Linux 6.18 keep them (fs/libfs.c): each entry has an offset, given
// cyclically from dirOffsetMin when it enters and kept in Dentry.Offset
// while it stays; a listing walks the entries newest first (the order of
// a dentry's d_children, where d_alloc and d_move put a dentry at the
// head), and the offset only says where a listing resumes. An entry that
// enters (created, or renamed: it goes to the head) while a listing is
// in progress is behind it, so a listing always ends, and ends within
// the entries the directory held when it began; an entry that stays is
// listed once.
const (
	dirOffsetFirst = 2             // DIR_OFFSET_FIRST: the newest entry
	dirOffsetMin   = 3             // DIR_OFFSET_MIN: the first offset given
	dirOffsetEOD   = math.MaxInt32 // DIR_OFFSET_EOD: the end of the directory
	dirOffsetMax   = dirOffsetEOD - 1
)

// dirInfo is a directory's entries (simple_offset_ctx with the
// d_children list). Under the directory's i_rwsem: exclusive for
// changes, shared for readdir.
type dirInfo struct {
	// head is the newest entry; dirNode.next leads to older ones.
	head *dirNode
	// ents is the offset map (the maple tree): sorted by offset; an
	// entry that left is a hole (n nil) until holes are half of it.
	ents  []dirEnt
	holes int
	// next is where the cyclic search for a free offset starts.
	next int64
	// spare holds nodes not yet handed out, allocated a chunk at a time
	// (4, doubling to 64) so that a create costs no allocation of its
	// own; free holds nodes of entries that left, for reuse.
	spare []dirNode
	chunk int // the size of the last chunk
	free  *dirNode
}

type dirNode struct {
	off        int64
	d          *vfs.Dentry
	prev, next *dirNode
}

type dirEnt struct {
	off int64
	n   *dirNode
}

func newDirInfo() *dirInfo { return &dirInfo{next: dirOffsetMin} }

// slot returns the index in ents of the first offset >= off.
func (di *dirInfo) slot(off int64) int {
	return sort.Search(len(di.ents), func(i int) bool { return di.ents[i].off >= off })
}

// find returns the index in ents of d's entry, -1 if d has none here.
func (di *dirInfo) find(d *vfs.Dentry) int {
	i := di.slot(d.Offset)
	if i == len(di.ents) || di.ents[i].off != d.Offset || di.ents[i].n == nil || di.ents[i].n.d != d {
		return -1
	}
	return i
}

// node returns d's entry, nil if d has none here.
func (di *dirInfo) node(d *vfs.Dentry) *dirNode {
	if i := di.find(d); i >= 0 {
		return di.ents[i].n
	}
	return nil
}

// pushHead puts n at the head of the list (hlist_add_head of d_sib).
func (di *dirInfo) pushHead(n *dirNode) {
	n.prev, n.next = nil, di.head
	if di.head != nil {
		di.head.prev = n
	}
	di.head = n
}

// unlist takes n out of the list.
func (di *dirInfo) unlist(n *dirNode) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		di.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	}
	n.prev, n.next = nil, nil
}

// store puts n at offset off in the map (mtree_store): into the hole
// that offset left, or inserted in order.
func (di *dirInfo) store(n *dirNode, off int64) {
	n.off = off
	n.d.Offset = off
	if k := len(di.ents); k == 0 || di.ents[k-1].off < off {
		di.ents = append(di.ents, dirEnt{off, n}) // the usual case
		return
	}
	i := di.slot(off)
	switch {
	case i < len(di.ents) && di.ents[i].off == off:
		di.ents[i].n = n
		di.holes--
	case i == len(di.ents):
		di.ents = append(di.ents, dirEnt{off, n})
	default:
		di.ents = append(di.ents, dirEnt{})
		copy(di.ents[i+1:], di.ents[i:])
		di.ents[i] = dirEnt{off, n}
	}
}

// alloc returns a free offset (mtree_alloc_cyclic from next over
// [dirOffsetMin, dirOffsetMax]). A directory cannot hold the 2^31
// entries that would leave none free: each takes a dentry and an inode
// reference in memory, so the search always ends with one.
func (di *dirInfo) alloc() int64 {
	if di.next > dirOffsetMax {
		di.next = dirOffsetMin
	}
	off := di.next
	if k := len(di.ents); k == 0 || di.ents[k-1].off < off {
		di.next = off + 1 // past every offset in use: the usual case
		return off
	}
	for i := di.slot(off); i < len(di.ents) && di.ents[i].off == off && di.ents[i].n != nil; i++ {
		off++
	}
	if off > dirOffsetMax {
		// Wrapped: the lowest free offset from the start.
		off = dirOffsetMin
		for i := di.slot(off); i < len(di.ents) && di.ents[i].off == off && di.ents[i].n != nil; i++ {
			off++
		}
	}
	di.next = off + 1
	return off
}

// newNode returns an unused node for d.
func (di *dirInfo) newNode(d *vfs.Dentry) *dirNode {
	n := di.free
	if n != nil {
		di.free = n.next
	} else {
		if len(di.spare) == 0 {
			di.chunk = min(max(2*di.chunk, 4), 64)
			di.spare = make([]dirNode, di.chunk)
		}
		n = &di.spare[0]
		di.spare = di.spare[1:]
	}
	*n = dirNode{d: d}
	return n
}

// add is simple_offset_add() with d_alloc's place in d_children: d gets
// a new offset and is the newest entry.
func (di *dirInfo) add(d *vfs.Dentry) {
	n := di.newNode(d)
	di.store(n, di.alloc())
	di.pushHead(n)
}

// move is simple_offset_rename() with d_move's place: d leaves di and
// enters to as its newest entry, at offset off (the offset of the name
// it replaces) or, when off is 0, at a new one.
func (di *dirInfo) move(to *dirInfo, d *vfs.Dentry, off int64) {
	n := di.take(d)
	if n == nil {
		n = to.newNode(d)
	}
	if off == 0 {
		off = to.alloc()
	}
	to.store(n, off)
	to.pushHead(n)
}

// remove is simple_offset_remove(): d's offset is free and d leaves the
// list.
func (di *dirInfo) remove(d *vfs.Dentry) {
	if n := di.take(d); n != nil {
		*n = dirNode{next: di.free}
		di.free = n
	}
}

// take removes d's entry and returns it, nil if d has none.
func (di *dirInfo) take(d *vfs.Dentry) *dirNode {
	i := di.find(d)
	if i < 0 {
		return nil
	}
	n := di.ents[i].n
	di.unlist(n)
	di.ents[i].n = nil
	d.Offset = 0
	di.holes++
	if di.holes > 32 && di.holes > len(di.ents)/2 {
		live := di.ents[:0]
		for _, e := range di.ents {
			if e.n != nil {
				live = append(live, e)
			}
		}
		clear(di.ents[len(live):])
		di.ents = live
		di.holes = 0
	}
	return n
}

// exchange is simple_offset_rename_exchange() with d_exchange's places:
// a (in di) and b (in other) swap offsets, so that each name keeps its
// offset while the dentries swap names; b, then a, go to the head of the
// list of the directory each now sits in (as __d_move adds the target,
// then the dentry).
func (di *dirInfo) exchange(other *dirInfo, a, b *vfs.Dentry) {
	na, nb := di.node(a), other.node(b)
	di.unlist(na)
	other.unlist(nb)
	na.d, nb.d = b, a
	a.Offset, b.Offset = nb.off, na.off
	di.pushHead(na)
	other.pushHead(nb)
}

// positive returns n or the first entry after it whose dentry has an
// inode (find_positive_dentry), nil at the end.
func positive(n *dirNode) *dirNode {
	for ; n != nil; n = n.next {
		if n.d.Inode() != nil {
			return n
		}
	}
	return nil
}

// lookup is offset_dir_lookup(): where a listing at pos resumes. From
// DIR_OFFSET_FIRST, the newest entry; else the entry at the greatest
// offset not above pos (mas_find_rev: the entry that was next, or if it
// left, the one listed after it). Nil when there is none: Linux starts
// again from the newest entry then, listing all a second time; vfscope
// ends the listing (RATIONALE.md).
func (di *dirInfo) lookup(pos int64) *dirNode {
	if pos == dirOffsetFirst {
		return positive(di.head)
	}
	i := di.slot(pos+1) - 1
	for i >= 0 && di.ents[i].n == nil {
		i--
	}
	if i < 0 {
		return nil
	}
	return positive(di.ents[i].n)
}

// iterate is offset_readdir(): the dots, then the entries from the one
// at ctx.Pos towards the oldest. An entry's d_off is the next entry's
// offset (".."'s the newest entry's), the last one's DIR_OFFSET_EOD, as
// filldir64 writes them; ctx.Pos ends at the offset of the first entry
// not listed, or at DIR_OFFSET_EOD, after which nothing is listed until
// the position is set again.
func (di *dirInfo) iterate(f *vfs.File, ctx *vfs.DirContext) {
	if ctx.Pos < dirOffsetFirst {
		first := int64(dirOffsetEOD)
		if n := positive(di.head); n != nil {
			first = n.off
		}
		if !vfs.DirEmitDotsNext(f, ctx, first) {
			return
		}
	}
	if ctx.Pos == dirOffsetEOD {
		return
	}
	for n := di.lookup(ctx.Pos); n != nil; {
		next := positive(n.next)
		nextOff := int64(dirOffsetEOD)
		if next != nil {
			nextOff = next.off
		}
		ctx.Pos = n.off
		in := n.d.Inode()
		if !ctx.Emit(n.d.Name(), in.Ino(), vfs.DTType(in.Mode()), nextOff) {
			return
		}
		n = next
	}
	ctx.Pos = dirOffsetEOD
}
