package billyfs

import (
	"encoding/binary"
	"hash/crc32"
	"strconv"
)

// The on-store layout (see the package doc). Every record ends in a
// CRC-32 (IEEE) of the bytes before it, so that a record torn by a crash
// of the store's host reads as damaged (EIO), never as other data.

const (
	superPath = "super"
	inodeDir  = "i"
	dataDir   = "f"
	dirDir    = "d"
	orphanDir = "orphan"

	superMagic = "BLFS"
	inodeMagic = "BLFI"
	// layoutVersion changes when a record's shape does.
	layoutVersion = 1

	// superClean marks a superblock record written by a clean unmount.
	superClean = 1

	// inoBatch is how many inode numbers a superblock record reserves
	// ahead: numbers are never reused, and after a crash the next mount
	// starts above every number the last one may have used.
	inoBatch = 1024

	// rootIno is the root directory's inode number (EXT2_ROOT_INO).
	rootIno = 2
)

func hexIno(ino uint64) string { return strconv.FormatUint(ino, 16) }

func inodePath(ino uint64) string  { return inodeDir + "/" + hexIno(ino) }
func dataPath(ino uint64) string   { return dataDir + "/" + hexIno(ino) }
func dirPath(ino uint64) string    { return dirDir + "/" + hexIno(ino) }
func orphanPath(ino uint64) string { return orphanDir + "/" + hexIno(ino) }

// superRecord is the superblock on the store.
type superRecord struct {
	flags   uint32 // superClean
	nextIno uint64 // numbers below it may be in use
	inodes  uint64 // inodes in use (valid when clean)
	blocks  uint64 // pages in use (valid when clean)
}

const superLen = 4 + 4 + 4 + 8 + 8 + 8 + 4

func (r *superRecord) encode() []byte {
	b := make([]byte, 0, superLen)
	b = append(b, superMagic...)
	b = binary.LittleEndian.AppendUint32(b, layoutVersion)
	b = binary.LittleEndian.AppendUint32(b, r.flags)
	b = binary.LittleEndian.AppendUint64(b, r.nextIno)
	b = binary.LittleEndian.AppendUint64(b, r.inodes)
	b = binary.LittleEndian.AppendUint64(b, r.blocks)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// decode reads a superblock record; ok is false for a damaged one or one
// of another layout version.
func (r *superRecord) decode(b []byte) bool {
	if len(b) != superLen || string(b[:4]) != superMagic || !crcOK(b) {
		return false
	}
	if binary.LittleEndian.Uint32(b[4:]) != layoutVersion {
		return false
	}
	r.flags = binary.LittleEndian.Uint32(b[8:])
	r.nextIno = binary.LittleEndian.Uint64(b[12:])
	r.inodes = binary.LittleEndian.Uint64(b[20:])
	r.blocks = binary.LittleEndian.Uint64(b[28:])
	return true
}

func crcOK(b []byte) bool {
	n := len(b) - 4
	return n >= 0 && crc32.ChecksumIEEE(b[:n]) == binary.LittleEndian.Uint32(b[n:])
}

// extent is a run of pages the data file holds: [start, start+len).
type extent struct {
	start, len int64
}

// inodeRecord is one inode's metadata on the store.
type inodeRecord struct {
	ino                        uint64
	mode, uid, gid, nlink      uint32
	size                       int64
	atime, mtime, ctime, btime int64
	rdev                       uint64
	flags                      uint32
	link                       string // a symlink's target
	xattrs                     map[string][]byte
	extents                    []extent // the pages written to the data file
}

func (r *inodeRecord) encode() []byte {
	b := make([]byte, 0, 96+len(r.link)+16*len(r.extents))
	le := binary.LittleEndian
	b = append(b, inodeMagic...)
	b = le.AppendUint16(b, layoutVersion)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint64(b, r.ino)
	b = le.AppendUint32(b, r.mode)
	b = le.AppendUint32(b, r.uid)
	b = le.AppendUint32(b, r.gid)
	b = le.AppendUint32(b, r.nlink)
	b = le.AppendUint64(b, uint64(r.size))
	b = le.AppendUint64(b, uint64(r.atime))
	b = le.AppendUint64(b, uint64(r.mtime))
	b = le.AppendUint64(b, uint64(r.ctime))
	b = le.AppendUint64(b, uint64(r.btime))
	b = le.AppendUint64(b, r.rdev)
	b = le.AppendUint32(b, r.flags)
	b = le.AppendUint32(b, uint32(len(r.link)))
	b = append(b, r.link...)
	names := make([]string, 0, len(r.xattrs))
	for k := range r.xattrs {
		names = append(names, k)
	}
	sortStrings(names)
	b = le.AppendUint32(b, uint32(len(names)))
	for _, k := range names {
		v := r.xattrs[k]
		b = le.AppendUint16(b, uint16(len(k)))
		b = append(b, k...)
		b = le.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	b = le.AppendUint32(b, uint32(len(r.extents)))
	for _, e := range r.extents {
		b = le.AppendUint64(b, uint64(e.start))
		b = le.AppendUint64(b, uint64(e.len))
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// reader reads little-endian fields and remembers running short.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u16() uint16 {
	if p := r.take(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if p := r.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// decode reads an inode record; ok is false for a damaged one.
func (rec *inodeRecord) decode(b []byte) bool {
	if len(b) < 8 || string(b[:4]) != inodeMagic || !crcOK(b) {
		return false
	}
	r := &reader{b: b[4 : len(b)-4]}
	if r.u16() != layoutVersion {
		return false
	}
	r.u16()
	rec.ino = r.u64()
	rec.mode = r.u32()
	rec.uid = r.u32()
	rec.gid = r.u32()
	rec.nlink = r.u32()
	rec.size = int64(r.u64())
	rec.atime = int64(r.u64())
	rec.mtime = int64(r.u64())
	rec.ctime = int64(r.u64())
	rec.btime = int64(r.u64())
	rec.rdev = r.u64()
	rec.flags = r.u32()
	rec.link = string(r.take(int(r.u32())))
	n := int(r.u32())
	if n > len(b) {
		return false
	}
	for i := 0; i < n && !r.bad; i++ {
		k := string(r.take(int(r.u16())))
		v := r.take(int(r.u32()))
		if rec.xattrs == nil {
			rec.xattrs = map[string][]byte{}
		}
		rec.xattrs[k] = append([]byte{}, v...)
	}
	n = int(r.u32())
	if n > len(b)/16 {
		return false
	}
	rec.extents = make([]extent, 0, n)
	for i := 0; i < n && !r.bad; i++ {
		rec.extents = append(rec.extents, extent{int64(r.u64()), int64(r.u64())})
	}
	return !r.bad && len(r.b) == 0
}

// Directory logs: a directory's entries are the replay of its log, a
// sequence of records
//
//	crc32 u32 (of what follows), op u8, type u8, name length u16,
//	ino u64, name
//
// where op is dirAdd or dirDel. Replay stops at the first damaged or
// incomplete record (the tail a crash may leave). A log with more
// records than twice its live entries is rewritten whole (compacted).
const (
	dirAdd = 1
	dirDel = 2

	dirRecHeader = 4 + 1 + 1 + 2 + 8
)

type dirRecord struct {
	op   uint8
	typ  uint8
	ino  uint64
	name string
}

func (d *dirRecord) append(b []byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, d.op, d.typ)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(d.name)))
	b = binary.LittleEndian.AppendUint64(b, d.ino)
	b = append(b, d.name...)
	binary.LittleEndian.PutUint32(b[start:], crc32.ChecksumIEEE(b[start+4:]))
	return b
}

// replayDir applies a directory log to ents (name -> entry) and returns
// how many records it held.
func replayDir(b []byte, add func(name string, ino uint64, typ uint8), del func(name string)) int {
	n := 0
	for len(b) >= dirRecHeader {
		l := int(binary.LittleEndian.Uint16(b[6:]))
		if len(b) < dirRecHeader+l {
			break
		}
		rec := b[:dirRecHeader+l]
		if crc32.ChecksumIEEE(rec[4:]) != binary.LittleEndian.Uint32(rec) {
			break
		}
		name := string(rec[dirRecHeader:])
		switch rec[4] {
		case dirAdd:
			add(name, binary.LittleEndian.Uint64(rec[8:]), rec[5])
		case dirDel:
			del(name)
		}
		n++
		b = b[len(rec):]
	}
	return n
}
