package billyfs

import (
	"math"
	"os"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// dirInfo is a directory's entries in memory: by name for lookup, and
// in slots for readdir, as ext2 keeps them in the directory's blocks. A
// new name takes the first free slot (ext2_add_link: the first record
// with room), a removed one frees its slot (ext2_delete_entry), and a
// name that stays keeps its slot: rename over an existing name and
// RENAME_EXCHANGE rewrite the entry where it is (ext2_set_link). A
// listing's position is a slot (pos 2 + i for slot i), so it ends: an
// entry renamed behind the reader fills the first free slot, which after
// the first such rename is behind the reader too. Protected by the
// directory's i_rwsem: exclusive for changes, shared for lookup and
// readdir.
type dirInfo struct {
	byName map[string]*dirEnt
	slots  []*dirEnt // nil: free; never ends with a free slot
	// free counts the free slots; firstFree is at or below the first.
	free      int
	firstFree int
	// logRecs counts the records of the directory's log on the store,
	// logEnd its length in bytes; log is the log file, kept open from
	// the first change until eviction.
	logRecs int
	logEnd  int64
	log     billy.File
}

type dirEnt struct {
	name string
	ino  uint64
	typ  uint8
	slot int
}

// bogoDirentSize is what a directory's size grows by per entry.
const bogoDirentSize = 20

// dirFirstPos is the position of slot 0 ("." and ".." are 0 and 1).
const dirFirstPos = 2

func newDirInfo() *dirInfo {
	return &dirInfo{byName: map[string]*dirEnt{}}
}

func (di *dirInfo) size() int64 { return int64(len(di.byName)+2) * bogoDirentSize }

// loadDir reads a directory's log from the store.
func loadDir(si *sbInfo, ino uint64) (*dirInfo, error) {
	b, err := readWhole(si.fs, dirPath(ino))
	if err != nil {
		return nil, Errno(err)
	}
	di := newDirInfo()
	di.logRecs = replayDir(b, di.add, di.remove)
	di.logEnd = int64(len(b))
	return di, nil
}

// add links name to ino: in place if the name is there (ext2_set_link),
// else in the first free slot (ext2_add_link).
func (di *dirInfo) add(name string, ino uint64, typ uint8) {
	if e := di.byName[name]; e != nil {
		e.ino, e.typ = ino, typ
		return
	}
	e := &dirEnt{name: name, ino: ino, typ: typ}
	di.byName[name] = e
	if di.free == 0 {
		e.slot = len(di.slots)
		di.slots = append(di.slots, e)
		return
	}
	i := di.firstFree
	for di.slots[i] != nil {
		i++
	}
	e.slot = i
	di.slots[i] = e
	di.free--
	di.firstFree = i + 1
}

func (di *dirInfo) remove(name string) {
	e := di.byName[name]
	if e == nil {
		return
	}
	delete(di.byName, name)
	di.slots[e.slot] = nil
	di.free++
	di.firstFree = min(di.firstFree, e.slot)
	// Free slots at the end go: a listing past the last entry reads
	// nothing either way.
	n := len(di.slots)
	for n > 0 && di.slots[n-1] == nil {
		n--
		di.free--
	}
	clear(di.slots[n:])
	di.slots = di.slots[:n]
	if di.free == 0 {
		di.firstFree = n
	}
	if cap(di.slots) > 64 && len(di.slots) < cap(di.slots)/4 {
		di.slots = append([]*dirEnt(nil), di.slots...)
	}
}

// dirEOD is the position past the last entry: a listing that reached
// the end stays there, as ext2_readdir's does at i_size, so a name
// added after it (ext2 puts it in the last block's free space, before
// i_size) is not listed until the position is set again.
const dirEOD = math.MaxInt32

// iterate is ext2_readdir() after the dots: the entries in the slots
// from ctx.Pos on, each with the position of the next entry as d_off
// (the last one's dirEOD).
func (di *dirInfo) iterate(ctx *vfs.DirContext) {
	if ctx.Pos >= dirEOD {
		return
	}
	i := di.live(max(ctx.Pos-dirFirstPos, 0))
	for i < len(di.slots) {
		e := di.slots[i]
		j := di.live(int64(i) + 1)
		next := int64(dirEOD)
		if j < len(di.slots) {
			next = int64(j) + dirFirstPos
		}
		if !ctx.Emit(e.name, e.ino, e.typ, next) {
			return
		}
		ctx.Pos = next
		i = j
	}
	ctx.Pos = dirEOD
}

// live returns the first slot at or after i that holds an entry,
// len(slots) if none.
func (di *dirInfo) live(i int64) int {
	for i < int64(len(di.slots)) && di.slots[i] == nil {
		i++
	}
	return int(min(i, int64(len(di.slots))))
}

// Directory changes reach the store at once (as with -o dirsync): each
// appends its records to the directory's log before the change is made
// in memory, so a failed write changes nothing, and a directory entry on
// the store always names an inode whose record is there (newInode writes
// it first). See RATIONALE.md.

// logChange appends records to directory dir's log, compacting the log
// when it has grown to more than twice its live entries plus 64 records
// (a small directory is not rewritten at every change). The caller
// holds dir's i_rwsem exclusive and applies the change to di after.
//
// It returns two errors. err: the records did not reach the store, and
// the caller changes nothing. flushErr: under -o dirsync, the records
// are on the store but flushing them failed; the next mount replays
// them, so the caller makes the change in memory all the same and
// reports flushErr after it, as ext2_add_link and ext2_delete_entry
// change the directory's page and then report ext2_handle_dirsync's
// error: memory and store agree. Either marks the filesystem with
// errors (storeErr).
func logChange(dir *vfs.Inode, recs ...dirRecord) (flushErr, err error) {
	si := info(dir.SB())
	flushErr, err = appendLog(dir, recs)
	si.noteError(flushErr)
	return flushErr, si.noteError(err)
}

// appendLog is logChange's write, then (-o dirsync) its flush.
func appendLog(dir *vfs.Inode, recs []dirRecord) (flushErr, err error) {
	si := info(dir.SB())
	di := node(dir).dir
	var b []byte
	for i := range recs {
		b = recs[i].append(b)
	}
	if err := si.check(); err != nil {
		return nil, err
	}
	if di.log == nil {
		f, err := si.fs.OpenFile(dirPath(dir.Ino()), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return nil, Errno(err)
		}
		di.log = f
	}
	if err := writeFull(di.log, b, di.logEnd); err != nil {
		// Take back a part that reached the store: a whole record of
		// a change that failed must not be replayed.
		di.log.Truncate(di.logEnd)
		return nil, err
	}
	di.logEnd += int64(len(b))
	di.logRecs += len(recs)
	if vfs.IsDirSync(dir) {
		// -o dirsync: the change is durable before the call returns
		// (a host file's fsync; ext2_commit_chunk's sync write).
		if s, ok := di.log.(interface{ Sync() error }); ok {
			return Errno(s.Sync()), nil
		}
	}
	return nil, nil
}

// dropStale unhashes the dentries of a change whose records reached the
// store but whose flush failed (logChange's flushErr), and returns
// flushErr. The VFS keeps its dentries as they were when the operation
// fails (vfs_unlink calls d_delete, vfs_rename d_move, only on success),
// but the directory changed: a removed or moved name must not stay in
// the dcache, or a later unlink of it would drop a link count twice. The
// next lookup asks the directory.
func dropStale(t *vfs.Task, flushErr error, ds ...*vfs.Dentry) error {
	if flushErr != nil {
		for _, d := range ds {
			vfs.DDrop(t, d)
		}
	}
	return flushErr
}

// closeLog closes a directory's log file (at eviction).
func (di *dirInfo) closeLog() {
	if di.log != nil {
		di.log.Close()
		di.log = nil
	}
}

// compact rewrites a directory's log as one add record per entry, when
// the log holds more than twice as many records as entries. Called
// after a change is applied; a failure leaves the long log, which is
// still right. On a store not rewritten in place (a host directory) the
// new log is made durable before it is renamed over the old one: a
// host filesystem may keep the rename and lose the file's data in a
// power cut (ext4 without auto_da_alloc, xfs), which would leave the
// directory empty.
func compact(dir *vfs.Inode) {
	si := info(dir.SB())
	di := node(dir).dir
	live := len(di.byName)
	if di.logRecs <= 2*live+64 {
		return
	}
	var b []byte
	for _, e := range di.slots {
		if e != nil {
			r := dirRecord{op: dirAdd, typ: e.typ, ino: e.ino, name: e.name}
			b = r.append(b)
		}
	}
	tmp := tmpPath(dirPath(dir.Ino()))
	if err := si.createFile(tmp, b, !si.inPlace); err != nil {
		si.dropTmp(tmp)
		return
	}
	if err := si.check(); err != nil {
		return
	}
	di.closeLog()
	if err := si.fs.Rename(tmp, dirPath(dir.Ino())); err != nil {
		si.dropTmp(tmp)
		return
	}
	di.logRecs = live
	di.logEnd = int64(len(b))
}

func addRec(name string, in *vfs.Inode) dirRecord {
	return dirRecord{op: dirAdd, typ: vfs.DTType(in.Mode()), ino: in.Ino(), name: name}
}

func delRec(name string) dirRecord { return dirRecord{op: dirDel, name: name} }
