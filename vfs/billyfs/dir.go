package billyfs

import (
	"os"
	"sort"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// dirInfo is a directory's entries in memory: by name for lookup, and
// in the order they entered for readdir, each with an offset it keeps
// while it stays (so a listing in progress neither skips nor repeats an
// entry that stays, as libfs's simple_offset). Protected by the
// directory's i_rwsem: exclusive for changes, shared for lookup and
// readdir.
type dirInfo struct {
	byName map[string]*dirEnt
	ents   []*dirEnt // by offset, including entries gone since the last tidy
	holes  int
	next   int64 // the next offset
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
	off  int64
	gone bool // removed; kept in ents until enough are
}

// bogoDirentSize is what a directory's size grows by per entry.
const bogoDirentSize = 20

func newDirInfo() *dirInfo {
	return &dirInfo{byName: map[string]*dirEnt{}, next: 2}
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

func (di *dirInfo) add(name string, ino uint64, typ uint8) {
	if old := di.byName[name]; old != nil {
		di.remove(name)
	}
	e := &dirEnt{name: name, ino: ino, typ: typ, off: di.next}
	di.next++
	di.byName[name] = e
	di.ents = append(di.ents, e)
}

// at returns the index in ents of the first entry at offset >= off.
func (di *dirInfo) at(off int64) int {
	return sort.Search(len(di.ents), func(i int) bool { return di.ents[i].off >= off })
}

func (di *dirInfo) remove(name string) {
	e := di.byName[name]
	if e == nil {
		return
	}
	delete(di.byName, name)
	e.gone = true
	di.holes++
	if di.holes > 32 && di.holes > len(di.ents)/2 {
		live := di.ents[:0]
		for _, x := range di.ents {
			if !x.gone {
				live = append(live, x)
			}
		}
		clear(di.ents[len(live):])
		di.ents = live
		di.holes = 0
	}
}

// iterate emits the entries at offsets >= ctx.Pos.
func (di *dirInfo) iterate(ctx *vfs.DirContext) {
	for i := di.at(ctx.Pos); i < len(di.ents); i++ {
		e := di.ents[i]
		if e.gone {
			continue
		}
		if !ctx.Emit(e.name, e.ino, e.typ, e.off+1) {
			return
		}
		ctx.Pos = e.off + 1
	}
}

// Directory changes reach the store at once (as with -o dirsync): each
// appends its records to the directory's log before the change is made
// in memory, so a failed write changes nothing, and a directory entry on
// the store always names an inode whose record is there (newInode writes
// it first). See RATIONALE.md.

// logChange appends records to directory dir's log, compacting the log
// when it has grown to more than twice its live entries. The caller
// holds dir's i_rwsem exclusive and applies the change to di after.
func logChange(dir *vfs.Inode, recs ...dirRecord) error {
	si := info(dir.SB())
	di := node(dir).dir
	var b []byte
	for i := range recs {
		b = recs[i].append(b)
	}
	if err := si.check(); err != nil {
		return err
	}
	if di.log == nil {
		f, err := si.fs.OpenFile(dirPath(dir.Ino()), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return Errno(err)
		}
		di.log = f
	}
	if err := writeFull(di.log, b, di.logEnd); err != nil {
		// Take back a part that reached the store: a whole record of
		// a change that failed must not be replayed.
		di.log.Truncate(di.logEnd)
		return err
	}
	di.logEnd += int64(len(b))
	di.logRecs += len(recs)
	if vfs.IsDirSync(dir) {
		// -o dirsync: the change is durable before the call returns
		// (a host file's fsync; ext2_commit_chunk's sync write).
		if s, ok := di.log.(interface{ Sync() error }); ok {
			if err := s.Sync(); err != nil {
				return Errno(err)
			}
		}
	}
	return nil
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
// still right.
func compact(dir *vfs.Inode) {
	si := info(dir.SB())
	di := node(dir).dir
	live := len(di.byName)
	if di.logRecs <= 2*live+64 {
		return
	}
	var b []byte
	for _, e := range di.ents {
		if !e.gone {
			r := dirRecord{op: dirAdd, typ: e.typ, ino: e.ino, name: e.name}
			b = r.append(b)
		}
	}
	tmp := tmpPath(dirPath(dir.Ino()))
	if err := si.createFile(tmp, b, false); err != nil {
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
