package billyfs

import "os"

// What fsync makes durable on a store that can flush (a host
// directory: fsync(2) of its files and directories).
//
// Writeback that does not wait (WB_SYNC_NONE: the flusher, syncfs's
// first pass, eviction) writes an inode's record without flushing it,
// and clears I_DIRTY: a later fsync finds the inode clean, as ext2's
// finds its inode only in a dirty buffer, which sync_mapping_buffers
// writes. billyfs has no buffers: the inode remembers what it left
// unflushed (unsynced), and fsync flushes it, the data file before the
// record that names its pages, each file before the store directory
// that holds its name.

// unsyncedBits say what of an inode is on the store but not yet durable.
type unsyncedBits uint8

const (
	// unsyncedRecord: the record i/<ino> (and its name in i/, after a
	// rename over it or its creation) was written without a flush.
	unsyncedRecord unsyncedBits = 1 << iota
	// unsyncedDataName: the data file f/<ino> was opened with
	// O_CREATE: its name in f/ may be new.
	unsyncedDataName
)

// syncStore makes durable what of the inode reached the store without a
// flush: the data file (regular files), the directory log (directories,
// with the store directories that hold the names of new inodes), then
// the record. A failure marks the filesystem with errors.
func (n *bnode) syncStore() error {
	si := info(n.in.SB())
	if err := si.check(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	err := n.syncStoreLocked(si)
	return si.noteError(err)
}

// syncStoreLocked is syncStore with n.mu held (it serialises the
// record's writes, so the record synced is the last one written).
func (n *bnode) syncStoreLocked(si *sbInfo) error {
	if n.data != nil {
		if err := syncFile(n.data); err != nil {
			return err
		}
	}
	if n.unsynced&unsyncedDataName != 0 {
		if err := si.syncDir(dataDir); err != nil {
			return err
		}
		n.unsynced &^= unsyncedDataName
	}
	if n.dir != nil {
		if err := n.syncDirLog(si); err != nil {
			return err
		}
	}
	if n.unsynced&unsyncedRecord == 0 {
		return nil
	}
	if !si.inPlace {
		// A store of the mem kinds (inPlace) has nothing to flush.
		if err := si.syncPath(inodePath(n.in.Ino())); err != nil {
			return err
		}
		if err := si.syncDir(inodeDir); err != nil {
			return err
		}
	}
	n.unsynced &^= unsyncedRecord
	return nil
}

// syncDirLog flushes a directory's log, then the store directories
// that hold the names of the inodes its entries name (their records,
// data files, directory logs), so that an entry the log holds after a
// crash names an inode the store has (ext2's dir fsync writes the
// directory's blocks; the inodes' blocks were written with them). The
// caller holds the directory's i_rwsem (at least shared), which
// protects the log.
func (n *bnode) syncDirLog(si *sbInfo) error {
	if si.inPlace {
		return nil
	}
	var err error
	if log := n.dir.log; log != nil {
		err = syncFile(log)
	} else {
		err = si.syncPath(dirPath(n.in.Ino()))
	}
	if err != nil {
		return err
	}
	for _, d := range []string{inodeDir, dataDir, dirDir} {
		if err := si.syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// syncFile flushes an open store file, if the store can.
func syncFile(f any) error {
	if s, ok := f.(interface{ Sync() error }); ok {
		return Errno(s.Sync())
	}
	return nil
}

// syncPath flushes a store file by name, if the store can.
func (si *sbInfo) syncPath(name string) error {
	f, err := si.fs.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return Errno(err)
	}
	serr := syncFile(f)
	cerr := Errno(f.Close())
	if serr != nil {
		return serr
	}
	return cerr
}
