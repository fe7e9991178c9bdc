package hostfs

import (
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// hattr is what the backing store says about a file, in the VFS's terms.
// A store that gives a *syscall.Stat_t (the host's lstat, on linux) fills
// everything (full); any other gives mode, size and mtime, and the rest
// is made up as stated at each field.
type hattr struct {
	mode   uint32 // S_IF* type and permission bits
	size   int64
	mtime  int64 // ns since the epoch
	atime  int64 // without full: mtime
	ctime  int64 // without full: mtime
	nlink  uint32
	uid    uint32 // without full: 0
	gid    uint32
	rdev   uint64 // as vfs.MkDev encodes it
	blocks int64  // 512-byte units; without full: size rounded up
	ino    uint64 // the host's st_ino (full only)
	dev    uint64 // the host's st_dev (full only)
	full   bool
}

// attrOf converts a FileInfo (from Lstat or ReadDir).
func attrOf(fi fs.FileInfo) hattr {
	a := hattr{mode: linuxMode(fi.Mode()), size: fi.Size(), mtime: fi.ModTime().UnixNano(), nlink: 1}
	a.atime, a.ctime = a.mtime, a.mtime
	if vfs.IsDir(a.mode) {
		a.nlink = 2
	}
	a.blocks = (a.size + 511) / 512
	sysAttr(fi, &a)
	return a
}

// inoOf is the inode number of the file at path with attributes a: the
// host's st_ino on the root's host device; mixed with the device (high
// bit set, so it cannot meet a plain number of any real filesystem) on
// another device mounted below the root; else a number kept per path.
// Never 0.
func (si *sbInfo) inoOf(path string, a *hattr) uint64 {
	if a.full && a.ino != 0 {
		if si.hasDev && a.dev == si.rootDev {
			return a.ino
		}
		h := fnv.New64a()
		var b [16]byte
		binary.LittleEndian.PutUint64(b[:8], a.dev)
		binary.LittleEndian.PutUint64(b[8:], a.ino)
		h.Write(b[:])
		return h.Sum64() | 1<<63
	}
	return si.inoByPath(path)
}

// inoByPath gives each path the next number the first time it is seen
// and the same one afterwards (for the life of the superblock).
func (si *sbInfo) inoByPath(path string) uint64 {
	si.mu.Lock()
	defer si.mu.Unlock()
	if n, ok := si.inos[path]; ok {
		return n
	}
	si.next++
	si.inos[path] = si.next
	return si.next
}

// renameInos is inoByPath's side of a rename of op to np: the numbers
// follow the files, as st_ino does on Linux. The entry of op, and of
// every path below it (a directory), moves to np; whatever np had is
// dropped (the file the rename replaced). With exchange the two swap.
// Without this a renamed file would get a new number at its new name,
// and a file created at its old name would get its old number, so
// IgetLocked would give both files the one inode.
func (si *sbInfo) renameInos(op, np string, exchange bool) {
	si.mu.Lock()
	defer si.mu.Unlock()
	from, to := si.takeInosLocked(op), si.takeInosLocked(np)
	for rest, n := range from {
		si.inos[np+rest] = n
	}
	if exchange {
		for rest, n := range to {
			si.inos[op+rest] = n
		}
	}
}

// removeInos forgets the numbers of p and of every path below it (an
// unlinked file or a removed directory): a file made there later is
// another file, with a new number.
func (si *sbInfo) removeInos(p string) {
	si.mu.Lock()
	si.takeInosLocked(p)
	si.mu.Unlock()
}

// takeInosLocked removes from inos the entries of p and of the paths
// below it and returns them keyed by what follows p ("" for p itself).
// Precondition: si.mu held.
func (si *sbInfo) takeInosLocked(p string) map[string]uint64 {
	out := make(map[string]uint64)
	if n, ok := si.inos[p]; ok {
		out[""] = n
		delete(si.inos, p)
	}
	prefix := p + "/"
	if p == "." {
		return out
	}
	for k, n := range si.inos {
		if strings.HasPrefix(k, prefix) {
			out[k[len(p):]] = n
			delete(si.inos, k)
		}
	}
	return out
}

// refresh copies a into the inode (the type is the caller's business).
// The device number is not copied: setup sets it once, since a file
// keeps it while it keeps its type and inode number (what revalidate
// and getattr check before they refresh), and refresh runs without
// i_rwsem, which Inode.SetRdev (a plain field) needs.
func refresh(in *vfs.Inode, a *hattr) {
	in.SetMode(in.Mode()&vfs.S_IFMT | a.mode&^vfs.S_IFMT)
	in.SetSize(a.size)
	in.SetTimes(a.atime, a.mtime, a.ctime)
	in.SetNlink(a.nlink)
	in.SetBlocks(a.blocks)
	if a.full {
		in.SetUID(a.uid)
		in.SetGID(a.gid)
	}
}

// linuxMode is the Linux st_mode of an io/fs mode.
func linuxMode(m fs.FileMode) uint32 { return vfs.StMode(m) }

// goMode is the io/fs permission mode of Linux permission bits, for
// billy's Chmod and OpenFile.
func goMode(mode uint32) fs.FileMode { return vfs.FileMode(mode & vfs.S_IALLUGO) }
