package vfs

// DentryState is /proc/sys/fs/dentry-state: nr_dentry, nr_unused,
// age_limit, want_pages, nr_negative, dummy.
type DentryState struct {
	NrDentry   int64 // dentries in memory
	NrUnused   int64 // unused dentries on an LRU
	AgeLimit   int64 // seconds before an unused dentry may be reclaimed (45, as Linux)
	WantPages  int64 // pages the shrinker asked for (always 0)
	NrNegative int64 // unused negative dentries
}

// DentryState returns the dcache counters.
func (v *VFS) DentryState() DentryState {
	return DentryState{
		NrDentry:   v.stats.nrDentry.Load(),
		NrUnused:   v.stats.nrUnused.Load(),
		AgeLimit:   45,
		NrNegative: v.stats.nrNegative.Load(),
	}
}

// InodeState is /proc/sys/fs/inode-nr (the first two) and inode-state.
type InodeState struct {
	NrInodes     int64 // inodes in memory
	NrFreeInodes int64 // inodes with no reference, kept cached
}

// InodeState returns the inode counters.
func (v *VFS) InodeState() InodeState {
	return InodeState{NrInodes: v.stats.nrInodes.Load(), NrFreeInodes: v.stats.nrUnusedI.Load()}
}

// CountDentries walks every superblock's dentry tree and LRU and
// recounts what the counters claim, for consistency checks: it returns
// the recount (the VFS must be quiescent).
func (v *VFS) CountDentries(t *Task) DentryState {
	var st DentryState
	st.AgeLimit = 45
	seen := map[*Dentry]bool{}
	var walk func(d *Dentry)
	walk = func(d *Dentry) {
		if seen[d] {
			return
		}
		seen[d] = true
		st.NrDentry++
		d.lock.Lock(t.o)
		var kids []*Dentry
		d.forEachChildLocked(func(c *Dentry) bool { kids = append(kids, c); return true })
		d.lock.Unlock(t.o)
		for _, c := range kids {
			walk(c)
		}
	}
	for _, sb := range v.superBlocks(t) {
		if sb.root != nil {
			walk(sb.root)
		}
		sb.lruLock.Lock(t.o)
		for d := sb.lruHead; d != nil; d = d.lruNext {
			st.NrUnused++
			if d.inode.Load() == nil {
				st.NrNegative++
			}
		}
		sb.lruLock.Unlock(t.o)
		sb.put(t)
	}
	return st
}

// SuperBlocks returns the live superblocks (each with a reference the
// caller gives back with PutSuper), for procfs and snapshots.
func (v *VFS) SuperBlocks(t *Task) []*SuperBlock { return v.superBlocks(t) }

// PutSuper drops the reference SuperBlocks gave.
func (sb *SuperBlock) PutSuper(t *Task) { sb.put(t) }

// LRU returns the dentries on sb's LRU, hottest first, for snapshots.
func (sb *SuperBlock) LRU(t *Task) []*Dentry {
	sb.lruLock.Lock(t.o)
	defer sb.lruLock.Unlock(t.o)
	var out []*Dentry
	for d := sb.lruHead; d != nil; d = d.lruNext {
		out = append(out, d)
	}
	return out
}

// Inodes returns the inodes of sb, for snapshots and consistency checks.
func (sb *SuperBlock) Inodes(t *Task) []*Inode {
	sb.inodeListLock.Lock(t.o)
	defer sb.inodeListLock.Unlock(t.o)
	var out []*Inode
	for i := sb.inodes; i != nil; i = i.sbNext {
		out = append(out, i)
	}
	return out
}

// AllChildren returns every child of d, hashed or not, positive or
// negative, without taking references, for snapshots and consistency
// checks of a quiescent VFS.
func (d *Dentry) AllChildren(t *Task) []*Dentry {
	var out []*Dentry
	d.lock.Lock(t.o)
	d.forEachChildLocked(func(c *Dentry) bool { out = append(out, c); return true })
	d.lock.Unlock(t.o)
	return out
}

// Hashed reports whether d is in the dcache hash.
func (d *Dentry) Hashed() bool { return d.hashed() }

// OnLRU reports whether d is on its superblock's LRU.
func (d *Dentry) OnLRU() bool { return d.flags.Load()&DCACHE_LRU_LIST != 0 }
