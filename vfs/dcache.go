package vfs

import (
	"math/bits"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// dcacheHash is dentry_hashtable: chains of hashed dentries keyed by
// (parent, name hash). Readers walk the chains without locks (the garbage
// collector is the grace period: an unhashed dentry keeps its link, so a
// reader standing on it still reaches the rest of the chain); writers take
// the bucket's lock. Buckets share a fixed set of striped locks, as
// hlist_bl shares one bit per bucket.
type dcacheHash struct {
	mask    uint32
	buckets []atomic.Pointer[Dentry]
	// locks[i & hashLockMask] is the bucket lock (hlist_bl_lock) of
	// bucket i: it serialises the chain's writers. Taken inside d_lock.
	locks [hashLocks]lock.SpinLock
}

const (
	hashLocks    = 256
	hashLockMask = hashLocks - 1
)

// dcacheHashBits sizes the dcache hash table as Linux sizes
// dentry_hashtable (alloc_large_system_hash with scale 13): one bucket per
// 8 KiB of memory, here of the VFS's memory budget (0: the default), as a
// power of two between 2^12 and 2^20 buckets. A table too small for the
// dentries in use makes every lookup walk longer chains: at 2^14 buckets
// a rename among 10,000 files cost 1.27 times one among 1,000, at 2^15
// 1.16 times.
func dcacheHashBits(budget int64) int {
	if budget <= 0 {
		budget = DefaultMemBudget
	}
	return min(max(bits.Len64(uint64(budget>>13))-1, 12), 20)
}

func (h *dcacheHash) init(bits int) {
	h.mask = 1<<bits - 1
	h.buckets = make([]atomic.Pointer[Dentry], 1<<bits)
	for i := range h.locks {
		h.locks[i].Init(classHashBucket, 0)
	}
}

// hashName is the default name hash: FNV-1a seeded per VFS (full_name_hash
// without the salt: the parent is mixed in when choosing the bucket, so
// ->d_hash need not know about it).
func (v *VFS) hashName(name string) uint32 {
	h := v.hashSeed
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return h
}

// hashComponent is hash_name(): the length of the component at the
// start of name (up to a '/' or the end) and its hash, in one pass.
func (v *VFS) hashComponent(name string) (int, uint32) {
	h := v.hashSeed
	i := 0
	for ; i < len(name); i++ {
		c := name[i]
		if c == '/' {
			break
		}
		h ^= uint32(c)
		h *= 16777619
	}
	return i, h
}

// hashLen is hash_len: a name's length and hash in one word, the
// length high. Equal words say the names may be equal; unequal ones say
// they are not (for names hashed alike, without ->d_compare).
func hashLen(hash uint32, n int) uint64 { return uint64(n)<<32 | uint64(hash) }

// nameWords returns the first 16 bytes of name as two little-endian
// words, zero-padded: two names of the same length, 16 bytes or fewer,
// are equal exactly when their words are.
func nameWords(name string) (w0, w1 uint64) {
	for i := 0; i < len(name) && i < 16; i++ {
		c := uint64(name[i])
		if i < 8 {
			w0 |= c << (8 * i)
		} else {
			w1 |= c << (8 * (i - 8))
		}
	}
	return w0, w1
}

// sameNameWords is dentry_cmp() for a lock-free lookup: whether d is
// named comp, whose hash_len is hl and whose nameWords are w0 and w1.
// Up to 16 bytes it reads only d's first cache line; a longer name is
// compared in full. The caller reads d's d_seq before and validates what
// it read with it after.
func sameNameWords(d *Dentry, comp string, hl, w0, w1 uint64) bool {
	if d.hashLen.Load() != hl || d.nameWords[0].Load() != w0 || d.nameWords[1].Load() != w1 {
		return false
	}
	return len(comp) <= 16 || sameName(d.name.Load().Name, comp)
}

func (h *dcacheHash) bucket(parent *Dentry, hash uint32) uint32 {
	x := uint64(hash) ^ parent.id*0x9E3779B97F4A7C15
	x ^= x >> 29
	return uint32(x) & h.mask
}

// prefetchBucket asks the CPU for the cache lines of the bucket of
// (parent, hash) and of the bucket's lock (prefetchRead, a hint only).
// A walk that stops before its last component (pathParent, for create,
// unlink, rename...) looks that name up there next and, on a miss, hashes
// a new dentry under the lock; the table is far larger than the caches,
// so both lines are usually misses, which then overlap the walk's
// completion (legitimize) instead of waiting one after the other.
func (h *dcacheHash) prefetchBucket(parent *Dentry, hash uint32) {
	b := h.bucket(parent, hash)
	prefetchRead(uintptr(unsafe.Pointer(&h.buckets[b])), uintptr(unsafe.Pointer(&h.locks[b&hashLockMask])), 0, 0)
}

// Buckets returns the number of hash buckets, and Bucket the index of
// d's bucket, for the playground's drawing of the table.
func (v *VFS) HashBuckets() int { return len(v.dcache.buckets) }

// HashBucket returns the bucket d hashes to.
func (v *VFS) HashBucket(d *Dentry) int {
	return int(v.dcache.bucket(d.parent.Load(), d.name.Load().Hash))
}

// dRehash is d_rehash()/__d_rehash(): put d on its hash chain.
func dRehash(t *Task, d *Dentry) {
	o := t.owner()
	d.lock.Lock(o)
	dRehashLocked(t, d)
	d.lock.Unlock(o)
}

// dRehashLocked hashes d; d_lock held.
func dRehashLocked(t *Task, d *Dentry) {
	if d.hashed() {
		return
	}
	h := &d.sb.vfs.dcache
	b := h.bucket(d.parent.Load(), d.name.Load().Hash)
	l := &h.locks[b&hashLockMask]
	l.Lock(t.owner())
	d.hashNext.Store(h.buckets[b].Load())
	h.buckets[b].Store(d)
	d.flags.Or(DCACHE_HASHED)
	l.Unlock(t.owner())
	d.sb.vfs.evDentryBucket(t, trace.DentryHash, d, b)
}

// dUnhash is ___d_drop() plus the d_seq invalidation of __d_drop(): take
// d off its chain; lock-free walkers that found it fail validation. d_lock
// held.
func dUnhash(t *Task, d *Dentry) {
	if !d.hashed() {
		return
	}
	dUnhashQuiet(t, d)
	d.seq.BeginWrite()
	d.seq.EndWrite()
}

// nameMatches is d_same_name(): ->d_compare if the parent has one.
func nameMatches(t *Task, parent, d *Dentry, dname *QStr, name *QStr) bool {
	if parent.flags.Load()&DCACHE_OP_COMPARE != 0 {
		return t.dopCompare(parent, d, dname.Name, *name)
	}
	return dname.Name == name.Name
}

// dLookupRCU is __d_lookup_rcu(): find a hashed child of parent named
// name without taking any lock or reference. It returns the dentry and
// its d_seq at the moment the name matched; the caller validates with
// d.seq.Retry(seq) after using it, and must not trust a dentry whose
// parent's sequence changed meanwhile.
func dLookupRCU(t *Task, parent *Dentry, name *QStr) (*Dentry, uint32) {
	h := &parent.sb.vfs.dcache
	b := h.bucket(parent, name.Hash)
	cmp := parent.flags.Load()&DCACHE_OP_COMPARE != 0
	hl := hashLen(name.Hash, len(name.Name))
	w0, w1 := nameWords(name.Name)
	for d := h.buckets[b].Load(); d != nil; d = d.hashNext.Load() {
		// A filter only: a concurrent rename may make it miss, and a
		// miss sends the walk to ref-walk, which looks again. With
		// ->d_compare names of other lengths may match: the hash
		// alone must.
		if uint32(d.hashLen.Load()) != name.Hash {
			continue
		}
		seq := d.seq.RawBegin()
		if d.parent.Load() != parent {
			continue
		}
		if cmp {
			dn := d.name.Load()
			if dn.Hash != name.Hash || !t.dopCompare(parent, d, dn.Name, *name) {
				continue
			}
		} else if !sameNameWords(d, name.Name, hl, w0, w1) {
			continue
		}
		if d.seq.Retry(seq) || !d.hashed() {
			continue
		}
		return d, seq
	}
	return nil, 0
}

// sameName is dentry_string_cmp(): short names (most are) compare in
// an inlined loop, longer ones through the runtime's memequal.
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 16 {
		return a == b
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// dLookup is d_lookup(): find a hashed child and take a reference. It
// retries while a rename runs (rename_lock's sequence), because a rename
// can move the sought dentry between chains.
func dLookup(t *Task, parent *Dentry, name *QStr) *Dentry {
	v := parent.sb.vfs
	for {
		seq := v.renameLock.ReadBeginBy(t.o)
		d := dLookupLocked(t, parent, name)
		if d != nil || !v.renameLock.ReadRetry(seq) {
			return d
		}
	}
}

// dLookupLocked is __d_lookup(): one pass over the chain; a candidate is
// confirmed under its d_lock, which also keeps it alive while the
// reference is taken.
func dLookupLocked(t *Task, parent *Dentry, name *QStr) *Dentry {
	o := t.owner()
	h := &parent.sb.vfs.dcache
	b := h.bucket(parent, name.Hash)
	for d := h.buckets[b].Load(); d != nil; d = d.hashNext.Load() {
		// hash_len shares the chain link's cache line: other names
		// are passed over without loading their QStr.
		if uint32(d.hashLen.Load()) != name.Hash || d.parent.Load() != parent {
			continue
		}
		dn := d.name.Load()
		if dn.Hash != name.Hash {
			continue
		}
		if !nameMatches(t, parent, d, dn, name) {
			continue
		}
		d.lock.Lock(o)
		if d.parent.Load() != parent || !d.hashed() || d.count.Load() < 0 {
			d.lock.Unlock(o)
			continue
		}
		if d.name.Load() != dn {
			// Renamed since it matched: skip it rather than run
			// ->d_compare under d_lock (its row says no d_lock); a
			// rename also moves rename_lock, so dLookup looks again.
			d.lock.Unlock(o)
			continue
		}
		// No DCACHE_REFERENCED here, as in __d_lookup: the dput that
		// ends this use marks the dentry if it is on the LRU.
		d.count.Add(1)
		parent.sb.vfs.evDentryCount(t, d)
		d.lock.Unlock(o)
		return d
	}
	return nil
}

// DLookup is d_lookup() for filesystems and tests: name is hashed with
// the parent's ->d_hash if it has one.
func DLookup(t *Task, parent *Dentry, name string) (*Dentry, error) {
	q := QStr{Name: name, Hash: parent.sb.vfs.hashName(name)}
	if parent.flags.Load()&DCACHE_OP_HASH != 0 {
		if err := t.dopHash(parent, &q); err != nil {
			return nil, err
		}
	}
	return dLookup(t, parent, &q), nil
}

// inLookupKey identifies a name whose ->lookup is in flight.
type inLookupKey struct {
	parent *Dentry
	name   string
	hash   uint32
}

// inLookupEntry is an in-lookup dentry (in_lookup_hashtable) and the
// channel d_lookup_done closes for those waiting on it (d_wait_lookup).
type inLookupEntry struct {
	d    *Dentry
	done chan struct{}
}

// dAllocParallel is d_alloc_parallel(): under a directory's i_rwsem held
// shared, several tasks may look the same name up at once. The first one
// allocates an in-lookup dentry; the others wait for its lookup to finish
// and then find the result in the hash. It returns either a hashed
// dentry (found, with a reference) or a new in-lookup one (inLookup true)
// on which the caller must call ->lookup and then dLookupDone.
func dAllocParallel(t *Task, parent *Dentry, name *QStr) (d *Dentry, inLookup bool, err error) {
	v := parent.sb.vfs
	o := t.owner()
	key := inLookupKey{parent, name.Name, name.Hash}
	for {
		if d := dLookup(t, parent, name); d != nil {
			return d, false, nil
		}
		// d_alloc first: ->d_init may block, the in-lookup lock is a
		// spinlock.
		nd, err := dAlloc(t, parent.sb, parent, *name)
		if err != nil {
			return nil, false, err
		}
		v.inLookupLock.Lock(o)
		if other, ok := v.inLookup[key]; ok {
			done := other.done
			v.inLookupLock.Unlock(o)
			dput(t, nd)
			<-done
			continue
		}
		// A lookup of the name may have finished between the miss above
		// and the lock: its result is hashed now (d_alloc_parallel
		// rechecks i_dir_seq under the lock for this).
		if d := dLookupLocked(t, parent, name); d != nil {
			v.inLookupLock.Unlock(o)
			dput(t, nd)
			return d, false, nil
		}
		nd.flags.Or(DCACHE_PAR_LOOKUP)
		// The key holds nd's own copy of the name, not the caller's.
		key.name = nd.iname.Name
		v.inLookup[key] = inLookupEntry{nd, make(chan struct{})}
		v.inLookupLock.Unlock(o)
		return nd, true, nil
	}
}

// dLookupDone is d_lookup_done(): the in-lookup state of d ends and the
// waiters look again.
func dLookupDone(t *Task, d *Dentry) {
	v := d.sb.vfs
	o := t.owner()
	v.inLookupLock.Lock(o)
	q := d.name.Load()
	key := inLookupKey{d.parent.Load(), q.Name, q.Hash}
	e, ok := v.inLookup[key]
	if !ok || e.d != d {
		// Not under its name (never, unless ->lookup moved it): find it.
		for k, x := range v.inLookup {
			if x.d == d {
				key, e, ok = k, x, true
				break
			}
		}
		if !ok {
			v.inLookupLock.Unlock(o)
			panic("vfs: d_lookup_done of a dentry not in lookup: " + q.Name)
		}
	}
	delete(v.inLookup, key)
	d.flags.And(^uint32(DCACHE_PAR_LOOKUP))
	close(e.done)
	v.inLookupLock.Unlock(o)
}

// dLRUAdd puts an unused dentry on its superblock's LRU. d_lock held.
func dLRUAdd(t *Task, d *Dentry) {
	if d.flags.Load()&DCACHE_LRU_LIST != 0 {
		return
	}
	sb := d.sb
	sb.lruLock.Lock(t.owner())
	d.flags.Or(DCACHE_LRU_LIST)
	d.lruPrev = nil
	d.lruNext = sb.lruHead
	if sb.lruHead != nil {
		sb.lruHead.lruPrev = d
	} else {
		sb.lruTail = d
	}
	sb.lruHead = d
	sb.nrLRU++
	sb.lruLock.Unlock(t.owner())
	sb.vfs.stats.nrUnused.Add(1)
	if d.inode.Load() == nil {
		sb.vfs.stats.nrNegative.Add(1)
	}
	sb.vfs.evDentry(t, trace.DentryLRUAdd, d)
}

// dLRUDel takes d off the LRU. d_lock held.
func dLRUDel(t *Task, d *Dentry) {
	sb := d.sb
	sb.lruLock.Lock(t.owner())
	dLRUUnlinkLocked(sb, d)
	sb.lruLock.Unlock(t.owner())
	sb.vfs.evDentry(t, trace.DentryLRUDel, d)
}

// dLRUUnlinkLocked unlinks d; lruLock and d_lock held.
func dLRUUnlinkLocked(sb *SuperBlock, d *Dentry) {
	if d.lruPrev != nil {
		d.lruPrev.lruNext = d.lruNext
	} else {
		sb.lruHead = d.lruNext
	}
	if d.lruNext != nil {
		d.lruNext.lruPrev = d.lruPrev
	} else {
		sb.lruTail = d.lruPrev
	}
	d.lruPrev, d.lruNext = nil, nil
	d.flags.And(^uint32(DCACHE_LRU_LIST))
	sb.nrLRU--
	sb.vfs.stats.nrUnused.Add(-1)
	if d.inode.Load() == nil {
		sb.vfs.stats.nrNegative.Add(-1)
	}
}

// lruRotateLocked moves d to the hot end of the LRU; lruLock held.
func lruRotateLocked(sb *SuperBlock, d *Dentry) {
	if sb.lruHead == d {
		return
	}
	d.lruPrev.lruNext = d.lruNext
	if d.lruNext != nil {
		d.lruNext.lruPrev = d.lruPrev
	} else {
		sb.lruTail = d.lruPrev
	}
	d.lruPrev = nil
	d.lruNext = sb.lruHead
	sb.lruHead.lruPrev = d
	sb.lruHead = d
}

// PruneDcacheSB is prune_dcache_sb(): scan up to nr dentries from the
// cold end of sb's LRU. Referenced ones get a second chance; those in use
// leave the list (they return when unused again); the rest are killed.
// It returns how many were freed.
func PruneDcacheSB(t *Task, sb *SuperBlock, nr int) int {
	o := t.owner()
	var dispose []*Dentry
	sb.lruLock.Lock(o)
	for scanned := 0; scanned < nr && sb.lruTail != nil; scanned++ {
		d := sb.lruTail
		// dentry_lru_isolate: d_lock ranks above the LRU lock, so only
		// try it; a busy dentry is rotated to the head (LRU_SKIP).
		if !d.lock.TryLock(o) {
			lruRotateLocked(sb, d)
			continue
		}
		switch {
		case d.count.Load() != 0:
			dLRUUnlinkLocked(sb, d)
			sb.vfs.evDentry(t, trace.DentryLRUDel, d)
		case d.flags.Load()&DCACHE_REFERENCED != 0:
			d.flags.And(^uint32(DCACHE_REFERENCED))
			lruRotateLocked(sb, d)
		default:
			dLRUUnlinkLocked(sb, d)
			sb.vfs.evDentry(t, trace.DentryLRUDel, d)
			d.flags.Or(DCACHE_SHRINK_LIST)
			dispose = append(dispose, d)
		}
		d.lock.Unlock(o)
	}
	sb.lruLock.Unlock(o)
	return shrinkDentryList(t, dispose)
}

// shrinkDentryList is shrink_dentry_list(): kill each dentry that is
// still unused; those referenced meanwhile are left alone.
func shrinkDentryList(t *Task, list []*Dentry) int {
	o := t.owner()
	freed := 0
	for _, d := range list {
		d.lock.Lock(o)
		d.flags.And(^uint32(DCACHE_SHRINK_LIST))
		if d.count.Load() != 0 {
			d.lock.Unlock(o)
			continue
		}
		freed++
		if parent := dentryKillLocked(t, d); parent != nil {
			dput(t, parent)
		}
	}
	return freed
}

// shrinkDcacheParent is shrink_dcache_parent(): kill every unused
// dentry below parent (not parent itself). Each round collects the
// unused descendants (select_collect's d_walk) and kills them
// (shrink_dentry_list); a directory made unused by the kill of its last
// child is collected by the next round, until a round finds nothing.
// Dentries that are dead, or on another shrinker's list, are left to
// whoever is killing them (Linux waits for them with select_collect2;
// here nothing is left to wait for once their killer has run). No lock
// held.
func shrinkDcacheParent(t *Task, parent *Dentry) {
	for {
		var dispose []*Dentry
		selectCollect(t, parent, &dispose)
		if len(dispose) == 0 {
			return
		}
		shrinkDentryList(t, dispose)
	}
}

// selectCollect is d_walk(parent, select_collect): put every unused
// descendant of parent on *dispose, off the LRU and marked
// DCACHE_SHRINK_LIST (to_shrink_list). A directory with children is in
// use (each child holds a reference on its parent), so only they are
// descended into, each with a reference held across the descent and
// parent's d_lock released: one d_lock, and one child's nested inside
// it, at a time. No lock held.
func selectCollect(t *Task, parent *Dentry, dispose *[]*Dentry) {
	o := t.owner()
	var dirs []*Dentry
	parent.lock.Lock(o)
	parent.forEachChildLocked(func(c *Dentry) bool {
		c.lock.LockNested(o, dLockNested)
		// Under d_lock nobody else's dcountLocked mark is seen.
		switch n := c.count.Load(); {
		case n == 0 && c.flags.Load()&DCACHE_SHRINK_LIST == 0:
			if c.flags.Load()&DCACHE_LRU_LIST != 0 {
				dLRUDel(t, c)
			}
			c.flags.Or(DCACHE_SHRINK_LIST)
			*dispose = append(*dispose, c)
		case n > 0 && c.firstChild != nil:
			dirs = append(dirs, dgetTask(t, c))
		}
		c.lock.Unlock(o)
		return true
	})
	parent.lock.Unlock(o)
	for _, d := range dirs {
		selectCollect(t, d, dispose)
		dput(t, d)
	}
}

// ShrinkDcacheSB is shrink_dcache_sb(): prune every unused dentry of sb.
func ShrinkDcacheSB(t *Task, sb *SuperBlock) int {
	total := 0
	for {
		sb.lruLock.Lock(t.owner())
		n := sb.nrLRU
		sb.lruLock.Unlock(t.owner())
		if n == 0 {
			return total
		}
		f := PruneDcacheSB(t, sb, n)
		total += f
		if f == 0 {
			// Everything left is referenced or was rotated: once more
			// clears the referenced bits, then give up.
			if g := PruneDcacheSB(t, sb, n); g == 0 {
				return total
			} else {
				total += g
			}
		}
	}
}

// ShrinkDcache prunes up to nr unused dentries over all superblocks; nr
// < 0 means all. It is what drop_caches=2 and the dcache shrinker call.
func (v *VFS) ShrinkDcache(t *Task, nr int) int {
	freed := 0
	for _, sb := range v.superBlocks(t) {
		if nr < 0 {
			freed += ShrinkDcacheSB(t, sb)
		} else if freed < nr {
			freed += PruneDcacheSB(t, sb, nr-freed)
		}
		sb.put(t)
	}
	return freed
}
