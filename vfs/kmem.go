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
func (t *Task) ChargeKmem(n int64) error {
	v := t.vfs
	for {
		free := v.memFree() - n
		if free >= v.rc.wmarkLow {
			break
		}
		v.wakeupKswapd()
		if free >= 0 {
			break
		}
		before := v.memFree()
		if err := v.directReclaim(t, n, false); err != nil {
			return err
		}
		if v.memFree() <= before {
			v.rc.stats.oom.Add(1)
			return ENOMEM
		}
	}
	v.stats.kmem.Add(n)
	return nil
}

// UnchargeKmem gives back n bytes ChargeKmem charged.
func (v *VFS) UnchargeKmem(n int64) { v.stats.kmem.Add(-n) }
