// Package billyfs is the filesystem type "billyfs": a disk-like
// filesystem whose "disk" is any go-billy filesystem (a memfs, a host
// directory, a test's fault store). It is built like ext2 on a block
// device: inodes and directories are records on the store, file data
// goes through the page cache, and only what ->writepage(s),
// ->write_inode and ->sync_fs wrote is there after a crash. So clean,
// dirty and writeback pages mean here what they mean on Linux.
//
// # Mounting
//
//	mount -t billyfs -o store=mem none /mnt           a fresh memfs
//	mount -t billyfs -o store=mem:NAME none /mnt      the memfs NAME, kept
//	                                                  for later mounts
//	mount -t billyfs -o store=os:/host/dir none /mnt  a host directory
//	                                                  (host builds)
//	mount -t billyfs mem:NAME /mnt                    the source names the
//	                                                  store when -o has none
//
// A VFS may register billyfs with RegisterWith and MemoryStoresOnly:
// its mounts then take mem and mem:NAME only, and fail with EPERM for
// any other store (vfscope serve's live VFS, whose viewers must not
// reach the host's files). Register (boot.New) takes every store.
//
// An empty store is formatted at its first mount; a store holding other
// files and no billyfs superblock is refused (EINVAL). Go callers
// register any billy.Filesystem as a store with
// RegisterStore, and more kinds with RegisterStoreKind. Options: size=
// (bytes, with k, m or g) and nr_inodes= limit the pages and inodes in
// use (ENOSPC beyond; statfs reports them; a remount may change them,
// not below what is in use). A bad option fails the mount with EINVAL;
// CheckOptions says why.
//
// # On-store layout
//
//	super          the superblock record: magic "BLFS", layout version,
//	               flags (clean), the inode-number mark (numbers below it
//	               may be in use; numbers are never reused), the inode and
//	               page counts
//	i/<ino>        one inode's record: mode, uid, gid, nlink, size,
//	               atime/mtime/ctime/btime (ns), rdev, flags, a symlink's
//	               target, the extended attributes, and the extents (runs
//	               of pages present in the data file)
//	f/<ino>        a regular file's data, page i at offset i*4096, written
//	               a page at a time by ->writepage
//	d/<ino>        a directory's log: records "add name -> ino, type" and
//	               "remove name", replayed at iget; rewritten whole when
//	               it holds more than twice its live entries plus 64
//	               records
//	orphan/<ino>   an inode whose link count reached 0 while in use;
//	               freed at its eviction, or by the next mount
//	<name>.new     a record being replaced (super, i/<ino>) or a
//	               directory log being compacted (d/<ino>); renamed over
//	               <name> once written whole, removed by fsck if left
//
// Inode numbers are hexadecimal in the names; the root is inode 2.
// Every record ends in a CRC-32, so a torn record reads as EIO, never as
// other data. A page in no extent is a hole: it reads as zeros without a
// store read.
//
// What reaches the store, and when:
//
//   - Directory changes are written at once (as under -o dirsync): the
//     new inode's record first, then the directory's log record. A
//     directory entry on the store therefore always names an inode
//     whose record is there. rename logs the new name before removing
//     the old one: a crash between the two leaves both names.
//   - File data: ->writepages gathers runs of consecutive dirty pages
//     (up to 64) and writes each run to f/<ino> in one write (a lone
//     ->writepage writes its page); the pages join the extents in
//     memory, the inode is then dirty, and ->write_inode writes the
//     record with the extents. Until the record is written a
//     page on the store is not part of the file: a crash leaves the old
//     contents or zeros (a hole), never bytes of another file.
//   - Inode metadata: ->write_inode writes the record (dirty inodes are
//     written by writeback, sync, fsync and at unmount). A record (and
//     the superblock's) replaces the last one in one step: it is written
//     whole to <name>.new and renamed over <name> (record.go), so a
//     write that fails leaves the last record there. A store must
//     therefore give a Rename that replaces its target at once (memfs,
//     osfs through rename(2), and chroot over either do; see
//     RATIONALE.md); on memfs itself records are rewritten in place.
//   - ->sync_fs writes the superblock record (counts) and asks the store
//     to flush if it can (see RATIONALE.md: go-billy has no fsync).
//   - Unmount writes everything back and marks the superblock clean; a
//     mount of a store not cleanly unmounted checks it (fsck.go: the
//     counts from the records, entries naming no record removed, link
//     counts from the entries, unattached inodes freed), and every mount
//     frees the orphans.
//
// fallocate(2): mode 0 and KEEP_SIZE write zeros for the range's holes
// (go-billy has no unwritten extents) and add them to the extents;
// PUNCH_HOLE drops whole pages from the cache and the extents and zeroes
// partial ones through the cache; ZERO_RANGE does both.
//
// Shutdown cuts a mounted filesystem off its store at once (ext4's
// FS_IOC_SHUTDOWN with NOLOGFLUSH): nothing more is written, so a later
// mount sees the store as a crash would have left it.
//
// Errors of the store are mapped to Linux errno values once, by Errno.
// A write error during writeback is recorded in the mapping's errseq and
// reported once to each open file description, by fsync or close.
// Short writes are continued until the data is written or the store
// makes no progress.
//
// # Lock order
//
// billyfs runs inside the VFS's order (package vfs) and adds leaves:
//
//	i_rwsem (the VFS takes it around directory changes and writes)
//	  invalidate_lock
//	    folio lock
//	      bnode.dataMu (a write of file data to the store and the
//	      extents it changes, together: writeback's runs, fallocate's
//	      zeros; fallocate takes it under i_rwsem alone)
//	        bnode.mu (an inode's extents, reservations, xattrs, data file;
//	        serialises its record writes)
//	          serialFS.mu (every call on the store and its files)
//	bnode.wbMu (one ->writepages of an inode at a time; taken by no
//	task that holds a folio lock)
//	  folio lock, and what is inside it above
//	sbInfo.mu (counts, limits, inode numbers, the superblock record)
//	  serialFS.mu
//	registry.mu (named stores and the stores in use)
//
// bnode.mu, sbInfo.mu, serialFS.mu and registry.mu are sync.Mutex
// leaves outside the validator: no VFS function is called under them,
// and only serialFS.mu is taken inside another. bnode.dataMu, a plain
// mutex too, holds only bnode.mu and serialFS.mu inside it. serialFS.mu exists
// because go-billy's memfs is not safe for concurrent use. bnode.wbMu,
// also a plain mutex, is held across the generic page walk of
// ->writepages.
//
// A directory's entries (dirInfo) are protected by its i_rwsem:
// exclusive for changes, shared for lookup and readdir.
package billyfs
