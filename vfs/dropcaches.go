package vfs

import "math"

// drop_caches (fs/drop_caches.c): writing 1 to /proc/sys/vm/drop_caches
// frees the clean page cache, 2 the unused dentries and inodes, 3 both;
// bit 4 only silences the kernel's log line (vfscope has no log), so 4
// alone does nothing. Pages that are dirty, under writeback, locked or
// otherwise in use stay, as do dentries and inodes in use and dirty
// inodes: drop_caches never loses data and never waits. A superblock
// being mounted or unmounted at that moment is skipped (trylock_super, as
// the shrinkers; Linux's iterate_supers waits for it instead).

// DropCaches is drop_caches_sysctl_handler(): mode 1..4 as above.
// Errors: EINVAL for any other value; nothing is dropped then.
func (v *VFS) DropCaches(t *Task, mode int64) error {
	if mode < 1 || mode > 4 {
		return EINVAL
	}
	v.rc.dropCaches.Store(mode)
	if mode&1 != 0 {
		v.lruAddDrainAll() // folios in lru_add batches hold a reference
		for _, sb := range v.superBlocks(t) {
			if trylockSuper(t, sb) {
				dropPagecacheSB(t, sb)
				sb.umount.RUnlock(t.o)
			}
			sb.put(t)
		}
	}
	if mode&2 != 0 {
		v.dropSlab(t)
	}
	v.reclaimProgress()
	return nil
}

// LastDropCaches returns the value last written to drop_caches (0 if
// none), the sysctl variable behind the file.
func (v *VFS) LastDropCaches() int64 { return v.rc.dropCaches.Load() }

// dropPagecacheSB is drop_pagecache_sb(): invalidate_mapping_pages on
// every inode of sb that has pages. Each inode is pinned with a reference
// while s_inode_list_lock is dropped for the invalidation, which keeps
// it on the list as the cursor; the previous one is released outside the
// lock (iput may evict it, which takes that lock).
func dropPagecacheSB(t *Task, sb *SuperBlock) {
	o := t.owner()
	var toput *Inode
	sb.inodeListLock.Lock(o)
	for i := sb.inodes; i != nil; i = i.sbNext {
		i.lock.Lock(o)
		if i.state.Load()&(I_FREEING|I_WILL_FREE|I_NEW) != 0 || i.data.nrpages.Load() == 0 {
			i.lock.Unlock(o)
			continue
		}
		ihold(i)
		i.lock.Unlock(o)
		sb.inodeListLock.Unlock(o)
		if toput != nil {
			iput(t, toput)
		}
		toput = i
		InvalidateMappingPages(t, &i.data, 0, math.MaxInt64>>PAGE_SHIFT)
		sb.inodeListLock.Lock(o)
	}
	sb.inodeListLock.Unlock(o)
	if toput != nil {
		iput(t, toput)
	}
}
