package vfs

// Memory a filesystem keeps besides page-cache pages, dentries and
// inodes (Linux's kmalloc with __GFP_ACCOUNT: tmpfs's extended
// attributes, simple_xattr_alloc), charged against the budget as slab
// that cannot be reclaimed (Slab and SUnreclaim in /proc/meminfo).

// ChargeKmem charges n bytes against the budget before a filesystem
// keeps them. As a page allocation does, it wakes kswapd when free
// memory falls below the low watermark and reclaims in the task until
// n bytes are free when n would not fit; ENOMEM when reclaim can free no
// more, and nothing is charged then. UnchargeKmem gives the bytes back.
//
// After each reclaim the charge is tried again, as __alloc_pages_slowpath
// retries get_page_from_freelist after __alloc_pages_direct_reclaim:
// whether the charge fits now decides, not whether free memory grew
// while this task reclaimed. kswapd, woken just before, or another task
// freeing may have made the room already, so that this task's reclaim
// frees nothing and still succeeds; another charge may take what it
// freed, and the task then reclaims again. ENOMEM comes from
// directReclaim, when its rounds can make no room, or after
// MAX_RECLAIM_RETRIES reclaims whose room others kept taking.
func (t *Task) ChargeKmem(n int64) error {
	v := t.vfs
	for retry := 0; ; retry++ {
		free := v.memFree() - n
		if free >= v.rc.wmarkLow {
			break
		}
		v.wakeupKswapd()
		if free >= 0 {
			break
		}
		if retry >= MAX_RECLAIM_RETRIES {
			v.rc.stats.oom.Add(1)
			return ENOMEM
		}
		if err := v.directReclaim(t, n, false); err != nil {
			return err
		}
	}
	v.stats.kmem.Add(n)
	return nil
}

// UnchargeKmem gives back n bytes ChargeKmem charged.
func (v *VFS) UnchargeKmem(n int64) { v.stats.kmem.Add(-n) }
