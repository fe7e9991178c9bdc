package billyfs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
)

// How a record reaches the store.
//
// A record that replaces one already on the store (an inode's i/<ino>,
// the superblock) is never rewritten in place: replaceFile writes the
// new record to a temporary beside it (<name>.new) and renames the
// temporary over the record. A write that fails (EIO, ENOSPC, a short
// write that stops, a failed sync or close) leaves the last record that
// reached the store, as a failed write of ext2's inode or superblock
// block leaves the block on the disk. This needs of the store a Rename
// that replaces its target in one step, which go-billy's memfs (one map
// entry), osfs (rename(2)) and chroot (its underlying store's Rename)
// all give; see RATIONALE.md.
//
// A temporary a failed replacement could not remove is left to the
// next mount: the superblock is then not written clean (leaked), so
// that mount runs fsck, which removes every temporary.
//
// Two writes need no temporary: a new inode's first record (there is no
// last record to keep: a torn one names no inode any entry names, and
// is removed with the inode), and every record on a store of the mem
// kinds (store=mem, store=mem:NAME: a go-billy memfs). A write to memfs
// cannot fail part way (it copies into memory; Shutdown is checked
// before it starts), while its Rename looks at every path of the store
// (for paths under the source), so a rename per record would make
// writeback quadratic in the number of files. Any other store (a memfs
// a Go caller registered, a test's fault store) takes the rename.

// tmpSuffix ends the name of a record's temporary. Record names are
// hexadecimal numbers or "super", so no record's name ends in it, and
// no store path has a temporary's name as a proper prefix (memfs's
// Rename also moves every path that starts with its source).
const tmpSuffix = ".new"

func tmpPath(name string) string { return name + tmpSuffix }

func isTmp(name string) bool { return strings.HasSuffix(name, tmpSuffix) }

// rewritesInPlace reports whether records on the store a store= value
// names may be rewritten in place: the mem kinds, a go-billy memfs that
// openMem made, whose writes cannot fail part way.
func rewritesInPlace(spec string) bool { return inMemory(spec) }

// createFile writes a store file that holds nothing yet worth keeping
// (an empty directory log or orphan mark, a temporary) with content b,
// truncating what is there. sync asks the store to make it durable (a
// host file's fsync) where it can.
func (si *sbInfo) createFile(name string, b []byte, sync bool) error {
	if err := si.check(); err != nil {
		return err
	}
	f, err := si.fs.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return Errno(err)
	}
	if err := writeFull(f, b, 0); err != nil {
		f.Close()
		return err
	}
	if sync {
		if s, ok := f.(interface{ Sync() error }); ok {
			if err := s.Sync(); err != nil {
				f.Close()
				return Errno(err)
			}
		}
	}
	return Errno(f.Close())
}

// replaceFile replaces record name with b in one step: a temporary
// written whole (and made durable when sync), then renamed over the
// record; with sync, the directory that holds it is flushed after, where
// the store can flush a directory. On an error the record on the store
// is the last one written, and the error is returned as the store gave
// it. Callers serialise the writes of one record (bnode.mu, sbInfo.mu).
func (si *sbInfo) replaceFile(name string, b []byte, sync bool) error {
	if si.inPlace {
		return si.createFile(name, b, sync)
	}
	tmp := tmpPath(name)
	if err := si.createFile(tmp, b, sync); err != nil {
		si.dropTmp(tmp)
		return err
	}
	if err := si.check(); err != nil {
		// Shut down between the two: nothing more reaches the store;
		// the next mount's fsck removes the temporary.
		return err
	}
	if err := si.fs.Rename(tmp, name); err != nil {
		si.dropTmp(tmp)
		return Errno(err)
	}
	if sync {
		return si.syncDir(path.Dir(name))
	}
	return nil
}

// dropTmp removes a temporary after a failed replacement; one it cannot
// remove makes the next mount run fsck (leaked).
func (si *sbInfo) dropTmp(tmp string) {
	if si.check() != nil {
		return
	}
	if err := si.fs.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		si.leaked.Store(true)
	}
}

// syncDir flushes a store directory (fsync of a host directory, which
// makes a rename in it durable). A store whose directories cannot be
// opened as files (memfs) has nothing to flush.
func (si *sbInfo) syncDir(dir string) error {
	d, err := si.fs.OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return nil
	}
	var serr error
	if s, ok := d.(interface{ Sync() error }); ok {
		serr = s.Sync()
	}
	cerr := d.Close()
	if serr != nil {
		return Errno(serr)
	}
	return Errno(cerr)
}

// removeTmps removes the temporaries of failed replacements in dir (fsck).
func (si *sbInfo) removeTmps(dir string, names []string) error {
	for _, n := range names {
		if !isTmp(n) {
			continue
		}
		if err := si.fs.Remove(path.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Errno(err)
		}
	}
	return nil
}
