package vfs

// The dentry and inode shrinkers (fs/super.c's super_cache_count and
// super_cache_scan, driven by mm/shrinker.c's do_shrink_slab): each
// superblock's unused dentries and inodes are scanned in proportion to
// the reclaim priority, as shrink_slab does for the page cache's
// scanning, and split between the two caches by their sizes.

// trylockSuper is trylock_super(): s_umount for read if that needs no
// waiting, and the superblock fully set up (super_cache_scan's check), so
// that a shrinker never runs into a mount or an unmount of it. It never
// blocks: reclaim and drop_caches may run under any superblock's
// sb_writers. The caller unlocks s_umount.
func trylockSuper(t *Task, sb *SuperBlock) bool {
	if !sb.umount.TryRLock(t.o) {
		return false
	}
	if sb.flags.Load()&SB_BORN == 0 || sb.dying.Load() {
		sb.umount.RUnlock(t.o)
		return false
	}
	return true
}

// DEFAULT_SEEKS is a shrinker's seeks: how costly its objects are to
// recreate, against a page (2: a dentry or inode is cheap).
const DEFAULT_SEEKS = 2

// shrinkSlab is shrink_slab() for the superblock shrinkers at priority:
// each superblock scans 4 * freeable >> priority / seeks of its unused
// objects (freeable scaled by vfs_cache_pressure / 100), dentries first
// (freeing them makes inodes unused), then inodes. It returns the
// objects freed.
func (v *VFS) shrinkSlab(t *Task, priority int) int64 {
	pressure := v.rc.cachePressure.Load()
	if pressure == 0 {
		return 0 // vfs_cache_pressure=0: never reclaim dentries and inodes
	}
	var freed int64
	for _, sb := range v.superBlocks(t) {
		if !trylockSuper(t, sb) {
			sb.put(t)
			continue
		}
		o := t.owner()
		sb.lruLock.Lock(o)
		dentries := int64(sb.nrLRU)
		sb.lruLock.Unlock(o)
		sb.inodeListLock.Lock(o)
		inodes := int64(sb.nrInodeLRU)
		sb.inodeListLock.Unlock(o)
		total := (dentries + inodes) * pressure / 100
		if total > 0 {
			delta := max((total>>priority)*4/DEFAULT_SEEKS, min(total, SWAP_CLUSTER_MAX))
			if priority == 0 {
				delta = total
			}
			nd := delta * dentries / (dentries + inodes)
			ni := delta - nd
			if nd > 0 {
				freed += int64(PruneDcacheSB(t, sb, int(nd)))
			}
			if ni > 0 {
				freed += pruneIcacheSB(t, sb, ni)
			}
		}
		sb.umount.RUnlock(t.o)
		sb.put(t)
	}
	v.rc.stats.slabFreed.Add(freed)
	return freed
}

// inodeLRURotateLocked moves i to the head of sb's inode LRU (LRU_ROTATE).
// sb.inodeListLock held.
func inodeLRURotateLocked(sb *SuperBlock, i *Inode) {
	if sb.ilruHead == i {
		return
	}
	inodeLRUUnlinkLocked(sb, i)
	inodeLRUPushLocked(sb, i)
}

// inodeLRUPushLocked puts i, not on any LRU, at the head of sb's inode
// LRU (list_lru_add). sb.inodeListLock held.
func inodeLRUPushLocked(sb *SuperBlock, i *Inode) {
	i.lruNext = sb.ilruHead
	i.lruPrev = nil
	if sb.ilruHead != nil {
		sb.ilruHead.lruPrev = i
	} else {
		sb.ilruTail = i
	}
	sb.ilruHead = i
	sb.nrInodeLRU++
	sb.vfs.stats.nrUnusedI.Add(1)
}

// pruneIcacheSB is prune_icache_sb() with inode_lru_isolate()'s rules:
// scan up to nr inodes from the cold end of sb's inode LRU; an inode in
// use (IgetLocked leaves a reused inode on the list, to be taken off
// lazily here) or being freed leaves the list; a referenced one loses
// I_REFERENCED and is rotated; a dirty one, one being written back, or
// one whose pages are dirty or under writeback is rotated (writeback
// will clean it, and the shrinker never drops dirty data); one that
// still has pages in the cache is rotated too: the inode shrinker (and
// drop_caches=2) never frees page cache, which is page reclaim's to
// free (mapping_shrinkable is false for it without HIGHMEM). Linux takes
// such an inode off the list and puts it back as its last page goes;
// here it stays on the list, to be evicted by a pass after that. The
// rest are evicted. It returns the inodes evicted.
func pruneIcacheSB(t *Task, sb *SuperBlock, nr int64) int64 {
	o := t.owner()
	var freed int64
	for scanned := int64(0); scanned < nr; scanned++ {
		sb.inodeListLock.Lock(o)
		i := sb.ilruTail
		if i == nil {
			sb.inodeListLock.Unlock(o)
			break
		}
		if !i.lock.TryLock(o) {
			inodeLRURotateLocked(sb, i)
			sb.inodeListLock.Unlock(o)
			continue
		}
		st := i.state.Load()
		m := &i.data
		switch {
		case i.count.Load() != 0 || st&(I_NEW|I_FREEING|I_WILL_FREE) != 0:
			inodeLRUUnlinkLocked(sb, i)
		case st&I_REFERENCED != 0:
			iStateClear(t, i, I_REFERENCED)
			inodeLRURotateLocked(sb, i)
		case st&(I_DIRTY|I_DIRTY_TIME|I_SYNC) != 0 ||
			m.Tagged(PAGECACHE_TAG_DIRTY) || m.Tagged(PAGECACHE_TAG_WRITEBACK):
			inodeLRURotateLocked(sb, i)
		case m.nrpages.Load() != 0:
			inodeLRURotateLocked(sb, i)
		default:
			inodeLRUUnlinkLocked(sb, i)
			iStateSet(t, i, I_FREEING)
			i.lock.Unlock(o)
			sb.inodeListLock.Unlock(o)
			evict(t, i)
			freed++
			continue
		}
		i.lock.Unlock(o)
		sb.inodeListLock.Unlock(o)
	}
	return freed
}

// dropSlab is drop_slab(): shrink every superblock's dentries and inodes
// until a round frees almost nothing (drop_caches=2). Only unused
// objects go; dirty inodes stay.
func (v *VFS) dropSlab(t *Task) int64 {
	var total int64
	for {
		var freed int64
		for _, sb := range v.superBlocks(t) {
			if !trylockSuper(t, sb) {
				sb.put(t)
				continue
			}
			freed += int64(ShrinkDcacheSB(t, sb))
			sb.inodeListLock.Lock(t.owner())
			n := int64(sb.nrInodeLRU)
			sb.inodeListLock.Unlock(t.owner())
			// Twice the list: the first pass may only clear
			// I_REFERENCED.
			freed += pruneIcacheSB(t, sb, 2*n)
			sb.umount.RUnlock(t.o)
			sb.put(t)
		}
		total += freed
		if freed <= 10 {
			v.rc.stats.slabFreed.Add(total)
			return total
		}
	}
}
