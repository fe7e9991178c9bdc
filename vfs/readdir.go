package vfs

// Directory entry types (DT_*).
const (
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12
)

// DTType is the DT_* value of a mode (fs_umode_to_dtype).
func DTType(mode uint32) uint8 { return uint8(mode & S_IFMT >> 12) }

// Dirent is one entry getdents64 returns: d_off is the position to
// continue from after it.
type Dirent struct {
	Ino  uint64
	Off  int64
	Type uint8
	Name string
}

// direntSize is the size of a struct linux_dirent64 for name: the
// 19-byte header, the name, its NUL, rounded to 8.
func direntSize(name string) int { return (19 + len(name) + 1 + 7) &^ 7 }

// getdentsPrealloc bounds the entries Getdents reserves room for up
// front: the slice grows with the entries it returns, never with the
// size the caller passes.
const getdentsPrealloc = 64

// Getdents is getdents64(2) with a buffer of size bytes: the entries that
// fit, from the descriptor's position. EINVAL if not even one fits (a
// negative size included). Like filldir64, which copies each entry into
// the user's buffer as it goes, the memory it uses follows the entries
// returned, not size: a huge size on a small directory costs nothing.
func (t *Task) Getdents(fd int, size int) ([]Dirent, error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("getdents64"))
	}
	f, fl, err := t.fdgetPos(fd)
	if err != nil {
		return nil, err
	}
	defer t.fdputFlags(f, fl)
	var out []Dirent
	if size > 0 {
		out = make([]Dirent, 0, min(size/32, getdentsPrealloc))
	}
	used := 0
	tooSmall := false
	ctx := DirContext{Pos: f.pos.Load()}
	ctx.Emit = func(name string, ino uint64, typ uint8, next int64) bool {
		n := direntSize(name)
		if used+n > size {
			if used == 0 {
				tooSmall = true
			}
			return false
		}
		used += n
		out = append(out, Dirent{Ino: ino, Off: next, Type: typ, Name: name})
		ctx.Pos = next
		return true
	}
	err = t.iterateDir(f, &ctx)
	if err == nil && tooSmall {
		err = EINVAL
	}
	f.pos.Store(ctx.Pos)
	if err != nil && len(out) > 0 {
		err = nil
	}
	return out, err
}

// iterateDir is iterate_dir(): ->iterate_shared under the directory's
// i_rwsem held shared, then the atime; ENOENT once the directory is
// removed.
func (t *Task) iterateDir(f *File, ctx *DirContext) error {
	if f.mode&FMODE_PATH != 0 {
		return EBADF
	}
	in := f.inode
	if f.fop == nil || f.fop.Iterate == nil {
		return ENOTDIR
	}
	in.rwsem.RLock(t.o)
	// A removed directory is not read, and its atime stays: iterate_dir
	// calls file_accessed only under !IS_DEADDIR.
	if in.state.Load()&S_DEAD != 0 {
		in.rwsem.RUnlock(t.o)
		return ENOENT
	}
	err := t.fopIterate(f, ctx)
	in.rwsem.RUnlock(t.o)
	t.fileAccessed(f)
	return err
}

// DirEmitDots is dir_emit_dots(): "." at position 0 and ".." at 1.
func DirEmitDots(f *File, ctx *DirContext) bool { return DirEmitDotsNext(f, ctx, 2) }

// DirEmitDotsNext is DirEmitDots for a filesystem whose entries do not
// start at position 2: next is ".."'s d_off, the position of the entry
// that follows it (filldir64 writes each entry's d_off when the next
// one is emitted).
func DirEmitDotsNext(f *File, ctx *DirContext, next int64) bool {
	d := f.path.Dentry
	if ctx.Pos == 0 {
		if !ctx.Emit(".", d.inode.Load().ino, DT_DIR, 1) {
			return false
		}
		ctx.Pos = 1
	}
	if ctx.Pos == 1 {
		p := d.parent.Load()
		if !ctx.Emit("..", p.inode.Load().ino, DT_DIR, next) {
			return false
		}
		ctx.Pos = 2
	}
	return true
}
