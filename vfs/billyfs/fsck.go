package billyfs

import (
	"errors"
	"io/fs"
	"os"

	"github.com/vfscope/vfscope/vfs"
)

// fsck is what a mount of a store not cleanly unmounted runs (the part
// of e2fsck billyfs needs), after a crash or a Shutdown:
//
//   - the counts of inodes and pages, and the next inode number, from
//     the records;
//   - directory entries naming an inode without a record are removed
//     (a "remove" record appended to the directory's log);
//   - a non-directory's link count is set to the number of entries
//     naming it (a crash between rename's two log writes leaves two
//     names for one link), a directory's to 2 plus its subdirectories;
//   - an inode no entry names and not on the orphan list is freed, if it
//     is not a directory with entries (a crash between a create's
//     record and its directory entry leaves one);
//   - the temporaries of record replacements a crash or a failed store
//     left (record.go) are removed: the record beside each is the last
//     one written;
//   - an inode on the orphan list whose record is damaged is freed, as
//     e2fsck clears a bad inode on the orphan list (entries naming it
//     were removed above: no record names it).
//
// Other damaged records are left alone.
func (si *sbInfo) fsck() error {
	if err := si.fsckTmps(); err != nil {
		return err
	}
	ents, err := si.fs.ReadDir(inodeDir)
	if err != nil {
		return Errno(err)
	}
	recs := map[uint64]*inodeRecord{}
	damaged := map[uint64]bool{}
	for _, e := range ents {
		var ino uint64
		if _, err := parseHex(e.Name(), &ino); err != nil {
			continue // not a record
		}
		if ino >= si.nextIno {
			// Numbers are never reused, damaged records' included.
			si.nextIno = ino + 1
		}
		b, err := readWhole(si.fs, inodeDir+"/"+e.Name())
		if err != nil {
			return Errno(err)
		}
		rec := &inodeRecord{}
		if rec.decode(b) {
			recs[rec.ino] = rec
		} else {
			damaged[ino] = true
		}
	}
	orphans := map[uint64]bool{}
	oents, err := si.fs.ReadDir(orphanDir)
	if err != nil {
		return Errno(err)
	}
	for _, e := range oents {
		var ino uint64
		if _, err := parseHex(e.Name(), &ino); err == nil {
			orphans[ino] = true
		}
	}
	refs := map[uint64]uint32{}    // entries naming each inode
	subdirs := map[uint64]uint32{} // subdirectory entries of each directory
	live := map[uint64]int{}       // entries of each directory
	for ino, rec := range recs {
		if !vfs.IsDir(rec.mode) {
			continue
		}
		di, err := loadDir(si, ino)
		if errors.Is(err, vfs.ENOENT) {
			continue
		}
		if err != nil {
			return err
		}
		var dangling []dirRecord
		for name, e := range di.byName {
			if recs[e.ino] == nil {
				dangling = append(dangling, delRec(name))
				continue
			}
			refs[e.ino]++
			live[ino]++
			if e.typ == vfs.DT_DIR {
				subdirs[ino]++
			}
		}
		if len(dangling) > 0 {
			var b []byte
			for i := range dangling {
				b = dangling[i].append(b)
			}
			if err := si.appendLog(ino, di.logEnd, b); err != nil {
				return err
			}
		}
	}
	for ino := range orphans {
		if !damaged[ino] {
			continue
		}
		// Whether it was a directory is unknown: both kinds of data.
		if err := si.fs.Remove(dirPath(ino)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Errno(err)
		}
		if err := si.freeOnStore(ino, false); err != nil {
			return err
		}
	}
	var inodes, blocks int64
	for ino, rec := range recs {
		dir := vfs.IsDir(rec.mode)
		if orphans[ino] && refs[ino] > 0 {
			// Named after all (linkat of an O_TMPFILE that a crash
			// interrupted): off the orphan list.
			if err := si.fs.Remove(orphanPath(ino)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return Errno(err)
			}
			orphans[ino] = false
		}
		want := refs[ino]
		if dir {
			want = 2 + subdirs[ino]
		}
		switch {
		case orphans[ino]:
			// freeOrphans decides.
		case ino != rootIno && refs[ino] == 0 && (!dir || live[ino] == 0):
			if err := si.freeOnStore(ino, dir); err != nil {
				return err
			}
			continue
		case rec.nlink != want:
			rec.nlink = want
			if err := si.replaceFile(inodePath(ino), rec.encode(), false); err != nil {
				return err
			}
		}
		inodes++
		for _, x := range rec.extents {
			blocks += x.len
		}
	}
	si.usedInodes, si.usedBlocks = inodes, blocks
	return nil
}

// fsckTmps removes the temporaries of record replacements (record.go)
// from the superblock's, the inodes' and the directories' folders.
func (si *sbInfo) fsckTmps() error {
	if err := si.removeTmps(".", []string{tmpPath(superPath)}); err != nil {
		return err
	}
	for _, dir := range []string{inodeDir, dirDir} {
		ents, err := si.fs.ReadDir(dir)
		if err != nil {
			return Errno(err)
		}
		names := make([]string, 0, 1)
		for _, e := range ents {
			if isTmp(e.Name()) {
				names = append(names, e.Name())
			}
		}
		if err := si.removeTmps(dir, names); err != nil {
			return err
		}
	}
	return nil
}

// appendLog appends b to directory ino's log, whose length is end.
func (si *sbInfo) appendLog(ino uint64, end int64, b []byte) error {
	f, err := si.fs.OpenFile(dirPath(ino), os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return Errno(err)
	}
	err = writeFull(f, b, end)
	if cerr := f.Close(); err == nil {
		err = Errno(cerr)
	}
	return err
}
