package vfs

import (
	"sort"

	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// Snapshot returns the whole state of v in the trace schema: every
// dentry reachable from a superblock's root, the dcache hash table and
// each superblock's LRU, every inode in memory, the cached pages of each
// file, each task's held locks, the mounts, the validator's reports and
// the /proc counters.
//
// It is safe while the VFS runs: it takes, one at a time, the locks a
// reader of each structure needs, never two at once except as the lock
// order allows, and reads the rest with the atomics lock-free walkers
// use:
//
//   - sb_lock to list the superblocks (each pinned by a reference);
//   - each superblock's s_umount shared around the reads of its tree,
//     LRU, inodes and pages (iterate_supers: a superblock still being
//     mounted, without SB_BORN, or already shut down is skipped);
//   - rename_lock's sequence around the walk of each superblock's tree,
//     which starts again with rename_lock's writers excluded if a rename
//     interrupted it (d_walk);
//   - a dentry's d_lock while reading its children list;
//   - each hash bucket's lock while walking its chain;
//   - s_dentry_lru while walking an LRU;
//   - s_inode_list_lock while walking a superblock's inodes (an
//     i_rwsem's holder is read under the rwsem's internal mutex, which
//     nests under everything);
//   - nothing for the mounts (a copy-on-write table), the pages (the
//     lock-free page index, each folio pinned by a reference while read)
//     and the counters (atomics).
//
// The result is therefore not one atomic cut: an object changing while
// the snapshot is taken may appear in its old or new state. Seq is the
// bus's sequence number before anything was read, so a listener applying
// the events after Seq converges on the present state.
func (v *VFS) Snapshot() trace.Snapshot {
	v.lruAddDrainAll() // pages waiting in lru_add batches show on their list
	s := trace.Snapshot{Schema: trace.Schema, Seq: v.trace.bus.Seq(), Time: v.trace.bus.Now()}
	// A task of its own for the locks it takes, registered nowhere: it
	// must not show up in the tasks it lists.
	t := &Task{vfs: v, comm: "snapshot"}
	t.o = lock.NewOwner("snapshot", v.validator)
	if v.validator != nil {
		defer v.validator.Forget(t.o)
	}

	tasks := v.Tasks()
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].pid < tasks[j].pid })
	pids := make(map[*lock.Owner]int32, len(tasks))
	for _, tk := range tasks {
		pids[tk.o] = tk.pid
	}
	s.Dentries = []trace.DentrySnap{}
	s.LRU = []trace.LRUSnap{}
	s.Inodes = []trace.InodeSnap{}
	s.Pages = []trace.MappingSnap{}
	sbs := v.superBlocks(t)
	for _, sb := range sbs {
		// As iterate_supers: s_umount shared, so that fill_super (which
		// sets s_root) and generic_shutdown_super (which clears it) are
		// not half done, and only a superblock that is born and still
		// has its root.
		sb.umount.RLock(t.o)
		if sb.flags.Load()&SB_BORN != 0 && sb.root != nil {
			s.Dentries = snapDentries(t, sb, s.Dentries)
			s.LRU = append(s.LRU, trace.LRUSnap{Dev: sb.dev, Dentries: snapLRU(t, sb)})
			var ins []*Inode
			s.Inodes, ins = snapInodes(t, sb, pids, s.Inodes)
			s.Pages = snapPages(ins, s.Pages)
		}
		sb.umount.RUnlock(t.o)
	}
	for _, sb := range sbs {
		sb.put(t)
	}
	s.Hash = snapHash(t, v)
	s.Tasks = make([]trace.TaskSnap, 0, len(tasks))
	for _, tk := range tasks {
		s.Tasks = append(s.Tasks, trace.TaskSnap{PID: tk.pid, Comm: tk.comm, Held: heldSnap(tk.o.Held())})
	}
	s.Mounts = snapMounts(v)
	s.Reports = []trace.ValidatorReport{}
	if val := v.validator; val != nil {
		for _, r := range val.Reports() {
			s.Reports = append(s.Reports, trace.ValidatorReport{Type: r.Kind.String(), Task: r.Owner, Text: r.String()})
		}
	}
	s.Counters = snapCounters(v)
	return s
}

// snapDentries appends the dentries of sb's tree, parents before
// children, each parent's children read under its d_lock. As d_walk, it
// reads under rename_lock's sequence (read_seqbegin_or_lock): the
// children are listed now and visited later, so a directory moved from a
// parent not yet visited to one already visited would be seen under
// neither, and its subtree, which no event brings back, lost. A walk a
// rename interrupted is thrown away and done again with rename_lock's
// writers excluded (read_seqlock_excl; lock order: s_umount, then
// rename_lock, then d_lock).
func snapDentries(t *Task, sb *SuperBlock, out []trace.DentrySnap) []trace.DentrySnap {
	if sb.root == nil {
		return out
	}
	v := sb.vfs
	start := len(out)
	seq := v.renameLock.ReadBeginBy(t.o)
	out = walkDentries(t, sb, out)
	if !v.renameLock.ReadRetry(seq) {
		return out
	}
	out = out[:start]
	v.renameLock.ReadLockExcl(t.o)
	out = walkDentries(t, sb, out)
	v.renameLock.ReadUnlockExcl(t.o)
	return out
}

// walkDentries is one pass of snapDentries.
func walkDentries(t *Task, sb *SuperBlock, out []trace.DentrySnap) []trace.DentrySnap {
	v := sb.vfs
	stack := []*Dentry{sb.root}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, dentrySnap(v, d))
		d.lock.Lock(t.o)
		first := len(stack)
		d.forEachChildLocked(func(c *Dentry) bool { stack = append(stack, c); return true })
		d.lock.Unlock(t.o)
		// Visit the children in list order (newest first, as Linux's
		// d_children list), so reversed onto the stack.
		for i, j := first, len(stack)-1; i < j; i, j = i+1, j-1 {
			stack[i], stack[j] = stack[j], stack[i]
		}
	}
	return out
}

func dentrySnap(v *VFS, d *Dentry) trace.DentrySnap {
	p := d.parent.Load()
	q := d.name.Load()
	f := d.flags.Load()
	ds := trace.DentrySnap{
		ID: d.id, Name: q.Name, Parent: p.id, Dev: d.sb.dev,
		Count: d.Count(), Flags: f,
		Hashed: f&DCACHE_HASHED != 0, OnLRU: f&DCACHE_LRU_LIST != 0,
		Bucket:     int64(v.dcache.bucket(p, q.Hash)),
		Mountpoint: f&DCACHE_MOUNTED != 0,
	}
	if in := d.inode.Load(); in != nil {
		ds.Inode, ds.Ino = in.id, in.ino
	}
	return ds
}

// snapLRU lists sb's dentry LRU, hottest first, under s_dentry_lru.
func snapLRU(t *Task, sb *SuperBlock) []uint64 {
	out := []uint64{}
	sb.lruLock.Lock(t.o)
	for d := sb.lruHead; d != nil; d = d.lruNext {
		out = append(out, d.id)
	}
	sb.lruLock.Unlock(t.o)
	return out
}

// snapHash lists the occupied hash buckets, each chain in order, under
// the bucket's lock.
func snapHash(t *Task, v *VFS) trace.HashSnap {
	h := &v.dcache
	hs := trace.HashSnap{Buckets: int64(len(h.buckets)), Chains: []trace.HashChain{}}
	for b := range h.buckets {
		if h.buckets[b].Load() == nil {
			continue
		}
		l := &h.locks[b&hashLockMask]
		var ids []uint64
		l.Lock(t.o)
		for d := h.buckets[b].Load(); d != nil; d = d.hashNext.Load() {
			ids = append(ids, d.id)
		}
		l.Unlock(t.o)
		if len(ids) > 0 {
			hs.Chains = append(hs.Chains, trace.HashChain{Bucket: int64(b), Dentries: ids})
		}
	}
	return hs
}

// snapInodes appends sb's inodes, read under s_inode_list_lock, and
// returns them too (for their pages). pids names the tasks by owner.
func snapInodes(t *Task, sb *SuperBlock, pids map[*lock.Owner]int32, out []trace.InodeSnap) ([]trace.InodeSnap, []*Inode) {
	var ins []*Inode
	sb.inodeListLock.Lock(t.o)
	for i := sb.inodes; i != nil; i = i.sbNext {
		is := trace.InodeSnap{
			ID: i.id, Dev: sb.dev, Ino: i.ino, Count: i.count.Load(),
			Nlink: i.nlink.Load(), State: i.state.Load(), Size: i.size.Load(),
			Mode: i.mode.Load(), OnLRU: i.onLRU() && i.count.Load() == 0,
		}
		w, r := i.rwsem.Holder()
		is.RwsemReaders = r
		if w != nil {
			is.RwsemWriter = -1 // a holder that is no task
			if pid, ok := pids[w]; ok {
				is.RwsemWriter = pid
			}
		}
		out = append(out, is)
		ins = append(ins, i)
	}
	sb.inodeListLock.Unlock(t.o)
	return out, ins
}

// snapPages appends the cached pages of each inode with any, read from
// the lock-free page index, each folio pinned while its flags are read.
func snapPages(ins []*Inode, out []trace.MappingSnap) []trace.MappingSnap {
	var batch [64]*Folio
	for _, i := range ins {
		m := i.Mapping()
		if m.NrPages() == 0 {
			continue
		}
		ms := trace.MappingSnap{Inode: i.id, Dev: i.sb.dev, Ino: i.ino, Pages: []trace.PageSnap{}}
		for start := int64(0); ; {
			n, next := FindGetFolios(m, start, maxPageIndex, batch[:])
			for _, f := range batch[:n] {
				ms.Pages = append(ms.Pages, trace.PageSnap{Index: uint64(f.index), Flags: uint64(f.Flags())})
				FolioPut(f)
			}
			if n < len(batch) || next > maxPageIndex {
				break
			}
			start = next
		}
		if len(ms.Pages) > 0 {
			out = append(out, ms)
		}
	}
	return out
}

// maxPageIndex is the last page index a snapshot looks at.
const maxPageIndex = int64(1)<<(63-PAGE_SHIFT) - 1

// heldSnap converts a held-lock stack.
func heldSnap(hs []lock.Held) []trace.Held {
	out := make([]trace.Held, 0, len(hs))
	for _, h := range hs {
		out = append(out, heldOf(h))
	}
	return out
}

// snapMounts lists the attached mounts from the copy-on-write table.
func snapMounts(v *VFS) []trace.MountSnap {
	ms := v.mounts.Load().list
	out := make([]trace.MountSnap, 0, len(ms))
	for _, m := range ms {
		mp := m.mountpoint.Load()
		var mpID uint64
		if mp != nil {
			mpID = mp.id
		}
		out = append(out, trace.MountSnap{
			ID: m.id, Parent: m.parentID, Dev: m.sb.dev, FSType: m.sb.fsType.Name,
			Source: m.devName, Root: m.root.id, Mountpoint: mpID,
			Path: mountPath(m), Flags: m.flags.Load(),
		})
	}
	return out
}

// snapCounters reads the /proc counters.
func snapCounters(v *VFS) trace.Counters {
	ds, is := v.DentryState(), v.InodeState()
	// Every /proc/meminfo line, in kB, as the file shows it.
	lines := v.MemInfo().Lines()
	mi := make(map[string]int64, len(lines))
	for _, l := range lines {
		mi[l.Name] = l.Bytes / 1024
	}
	return trace.Counters{
		NrDentry: ds.NrDentry, NrUnused: ds.NrUnused, NrNegative: ds.NrNegative,
		NrInodes: is.NrInodes, NrFreeInodes: is.NrFreeInodes,
		Meminfo: mi,
	}
}
