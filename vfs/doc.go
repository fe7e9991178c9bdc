// Package vfs is the Linux Virtual File System rebuilt in Go: superblocks,
// inodes, dentries and the dentry cache, mounts, open files, and the
// process context (Task) whose POSIX-shaped methods return Linux errno
// values. Filesystem types (vfs/tmpfs, vfs/procfs) fill in the operation
// tables of ops.go; the VFS calls them with exactly the locks that
// Documentation/filesystems/locking.rst lists, which locking_rules.go
// holds as data and calls.go asserts at every call when lock validation
// is on (Options.Lockdep, or VFSCOPE_LOCKDEP=1).
//
// This package imports only the standard library and builds for every
// GOOS the project targets (linux, js, wasip1).
//
// # Lock order
//
// Indentation means "taken inside". Locks of one class nest only as
// their rule says (a subclass annotates each nesting level, so the
// validator can check it).
//
//	File.posLock (f_pos_lock)
//	  SuperBlock.writers[] (sb_writers, shared by modifiers; for write
//	  by freeze, level 1 then 2 then 3)
//	    pipeInodeInfo.mutex (pipe->mutex: a pipe's ring and counts;
//	    inside sb_writers by a write (vfs_write's freeze protection),
//	    inside f_pos_lock by a read or write, alone by fifo_open,
//	    release and F_SETPIPE_SZ; nothing is taken inside it, and it is
//	    dropped before every sleep. Linux's splice nests i_rwsem in it;
//	    vfscope has no splice)
//	    SuperBlock.renameMutex (s_vfs_rename_mutex, cross-directory rename)
//	      Inode.rwsem (i_rwsem):
//	          a parent (I_MUTEX_PARENT) before its child (I_MUTEX_CHILD);
//	          of rename's two parents, the ancestor first, otherwise the
//	          source's parent, the other as I_MUTEX_PARENT2;
//	          then the victims: a subdirectory changing parent (source
//	          before target), then non-directories by inode number
//	          (I_MUTEX_NORMAL, then I_MUTEX_NONDIR2)
//	        (d_splice_alias, in a ->lookup under the parent's i_rwsem,
//	        only tries s_vfs_rename_mutex and the other parent's i_rwsem
//	        against this order, and fails with ESTALE if either is busy)
//	        filesystem-private locks (tmpfs: sbInfo.mu; billyfs:
//	        bnode.dataMu (its i_data_sem: writeback's store write and
//	        extent update, fallocate's hole check and zeroing), then
//	        bnode.mu, sbInfo.mu, serialFS.mu, plain-mutex leaves also
//	        taken inside the folio lock by writeback, see vfs/billyfs)
//	        mmStruct.mmapLock (mmap_lock: write by mmap and munmap, read
//	        by page faults and msync; after i_rwsem as in Linux, where a
//	        write(2) from a mapped buffer faults: generic_perform_write's
//	        might_fault tells the validator; before the locks below at
//	        this level, which faults take inside it)
//	          SuperBlock.writers[SB_FREEZE_PAGEFAULT] (sb_start_pagefault,
//	          shared, in ->page_mkwrite, before the folio lock)
//	        AddressSpace.invalidateLock (invalidate_lock: exclusive by
//	        truncate and hole punch, shared by page-cache fills)
//	          folio lock (PG_locked, a bit lock the validator sees as
//	          class folio_lock; one folio at a time)
//	            iMmap.rwsem (i_mmap_rwsem: write by mmap, fork, munmap and exit under
//	            mmap_lock; read by folio_mkclean and reclaim's unmap under
//	            the folio lock, and unmap_mapping_range under
//	            invalidate_lock)
//	              Mapping.ptl (the page table lock of one mapping; also
//	              taken alone, or under the folio lock, by faults and by
//	              Load and Store; two at once only by fork, the child's
//	              and then, nested, the parent's, as copy_pte_range)
//	            AddressSpace.xaLock (the page index's xa_lock)
//	            Task.lruAdd.lock (cpu_fbatches.lock: folio_add_lru's
//	            batch; also taken alone, by reclaim, task exit and
//	            lru_add_drain_all's worker)
//	              VFS.pc.lruLock (lru_lock)
//	            VFS.pc.lruLock (lru_lock)
//	            Inode.lock (->dirty_folio marks the inode dirty)
//	            SuperBlock.wb.listLock (wb->list_lock: ->dirty_folio
//	            puts a newly dirty inode on b_dirty)
//	              Inode.lock
//	        SuperBlock.wb.listLock (wb->list_lock: the dirty inode lists
//	        b_dirty, b_io, b_more_io; __mark_inode_dirty, writeback)
//	          Inode.lock
//	        Inode.lock (i_lock)
//	          VFS.renameLock (rename_lock, writers)
//	            Dentry.lock (d_lock): parent before child; __d_move's
//	            subclasses (parents, then the moved dentry, then the target)
//	              SuperBlock.lruLock (s_dentry_lru)
//	              VFS.dcache.locks[] (hash bucket locks)
//	SuperBlock.umount (s_umount; for read by the flusher and sync
//	around writeback, which takes the folio locks and wb->list_lock;
//	for write by umount and freeze)
//	  SuperBlock.writers[] (for write, by freeze_super: sb_writers,
//	  then sb_pagefaults, then sb_internal; its sync_filesystem runs
//	  after each of the first two, so writeback nests in both)
//	    SuperBlock.wb.workMu, wb->list_lock and the folio locks, as
//	    below
//	  SuperBlock.wb.workMu ((work_completion)(&wb->dwork): one
//	  wb_writeback pass at a time per superblock, the flusher's or
//	  sync's)
//	    SuperBlock.wb.listLock (wb->list_lock), folio lock (and what
//	    nests in them, as under Inode.rwsem above)
//	  SuperBlock.inodeListLock (s_inode_list_lock)
//	    Inode.lock
//	  VFS.mountLock (mount_lock, writers: a remount to read-only holds
//	  the superblock's mounts against writers, MNT_WRITE_HOLD)
//	    SuperBlock.inodeListLock (its check for unlinked inodes in use)
//	  umount's shrink_dcache_sb, evict_inodes and sync, and freeze's
//	  sync, each taken alone inside s_umount: Dentry.lock (and the
//	  parent's, subclass 1), VFS.dcache.locks[] (dcache_hash_bucket),
//	  SuperBlock.lruLock (s_dentry_lru), VFS.sbLock (sb_lock),
//	  Task.lruAdd.lock (cpu_fbatches.lock), AddressSpace.xaLock
//	  (xa_lock), Inode.lock, SuperBlock.wb.listLock, folio lock
//	  VFS.renameLock (rename_lock, writers: a snapshot's dentry walk
//	  after a pass that a rename disturbed, as d_walk's second pass)
//	    Dentry.lock, as under Inode.lock above
//	VFS.namespaceSem (namespace_sem; never held while a mount's last
//	reference is dropped, since that takes s_umount)
//	  VFS.mountLock (mount_lock, writers)
//	    Dentry.lock (of a mountpoint)
//	VFS.icache.lock (inode_hash_lock)
//	  Inode.lock
//	fileLocks.rwsem (file_rwsem: read by every change of a lock list,
//	write by /proc/locks)
//	  FileLockContext.flcLock (flc_lock)
//	    fileLocks.blockedLock (blocked_lock_lock; also directly inside
//	    file_rwsem held for write, by /proc/locks)
//	    fileLocks.listLock (file_lock_list): a leaf
//	VFS.inLookupLock, VFS.fsTypesLock, VFS.sbLock, FDTable.lock,
//	fsStruct.lock (fs->lock): leaves
//	flusher.mu, dirtyTunablesBox.mu, bdiWriteback.syncMu (the I_SYNC
//	wait queue), reclaimState.mu (kswapd's state and the reclaim wait
//	channel), fsTypeClasses.mu (the lock classes of each filesystem
//	type name; under VFS.fsTypesLock), VFS.chr.mu (the character-device
//	drivers), VFS.rules.mu (the locking rules' violation list): leaves
//	outside the validator, plain mutexes held across nothing else
//	inodePipes (i_pipe, a sync.Map): taken under Inode.lock by
//	fifo_open and the last release of a pipe; a leaf outside the
//	validator
//	pipefsMu (the first pipe2 of a VFS mounts pipefs under it): outside
//	the validator, taken with no lock held; s_umount, sb_lock and
//	mount_lock are taken inside it
//	VFS.tasksMu (tasklist_lock: the task list): a leaf outside the
//	validator, taken under d_lock too (procfs's ->d_delete and, in
//	RCU-walk, its ->d_revalidate look tasks up by pid)
//	lruDrainState.mu (lru_add_drain_all's mutex): outside the validator,
//	held while its worker task takes the batch locks and lru_lock, and
//	taken with none of the caller's spinlocks held
//	trace.Bus.mu, then trace.Listener.mu: below every other lock (event
//	sites emit under any of them, and the bus calls nothing back);
//	outside the validator, plain mutexes
//	trace.Bus.activeMu: serialises the bus's onActive calls, taken by
//	Subscribe and Listener.Close with no lock held; the callback takes
//	VFS.tasksMu under it, and Bus.mu is taken under it, never the reverse
//
// Lock-free readers: the path walk in RCU mode (namei_rcu.go), d_lookup's
// first pass and the lock-free stat take no lock; they read the atomics
// of dentries and inodes and validate with d_seq, rename_lock's and
// mount_lock's sequences. d_seq covers a dentry's name (with its
// hash_len and first words, kept in its first cache line), parent, inode
// and the type bits of d_flags (DCACHE_ENTRY_TYPE, DCACHE_FASTPERM),
// which are written together. The garbage collector is their grace period.
// Page-cache lookups (mapping_xarray.go) take no lock either: the index's
// slots are atomic pointers, and a reader locks the folio it found and
// checks that it is still in its mapping before touching the data.
// folioWaitTable's and inodeWaitTable's bucket mutexes (the folio and
// I_NEW wait queues) are leaves outside the validator, and so is
// freePages.mu (the pool of free pages, zone->lock's part: the last
// FolioPut takes it under any of the locks above), chunkPool.mu (the
// pool of recycled chunks and their index, taken the same way by the
// last FolioPut of a chunk's page and by a chunk's allocation), and under
// WebAssembly folioSlab.mu (taken by a folio's allocation, under any of
// them, only to refill the slab new folios come from).
//
// Reclaim (vmscan.go) scans the LRU lists under lru_lock alone, then
// works on each folio with its lock taken by trylock (so reclaim from a
// task that holds a folio, or i_rwsem, never waits on another folio);
// kswapd alone calls ->writepage on what it finds dirty. The dentry and
// inode shrinkers take s_dentry_lru and s_inode_list_lock, each dentry's
// d_lock and each inode's i_lock by trylock.
//
// # Errors
//
// Every method returns nil or an Errno with Linux's number; front ends
// map Errno once, at their edge.
package vfs
