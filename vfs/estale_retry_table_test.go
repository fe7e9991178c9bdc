package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// How the filesystem of TestEstaleRetryWhole goes stale.
const (
	// ->lookup answers ESTALE unless asked with LOOKUP_REVAL, as in
	// namei_estale_test.go.
	staleLookup = iota
	// Every operation answers ESTALE (dropping its dentry, as NFS
	// does) unless the last ->lookup was asked with LOOKUP_REVAL: a
	// server that lost the handle the lookup gave.
	staleOp
	// Every operation answers ESTALE, revalidated or not.
	staleAlways
)

// estaleFS is a filesystem whose directory holds f (a file), l (a
// symlink to f) and d (an empty directory), and goes stale as mode says.
type estaleFS struct {
	mode      int
	lookups   []uint32 // the flags of each ->lookup
	opCalls   int      // the operations that were asked
	alias     map[*Inode]*Dentry
	lastReval bool
}

// stale is an operation's answer: ESTALE when the handle of d is stale.
func (fs *estaleFS) stale(t *Task, d *Dentry) error {
	fs.opCalls++
	if fs.mode == staleAlways || fs.mode == staleOp && !fs.lastReval {
		if d != nil {
			DDrop(t, d)
		}
		return ESTALE
	}
	return nil
}

func (fs *estaleFS) mount(e *vt.Env) {
	iops := &InodeOperations{}
	fs.alias = map[*Inode]*Dentry{}
	mk := func(t *Task, dir *Inode, mode uint32) *Inode {
		in := NewInode(t, dir.SB())
		in.InitOwner(t, dir, mode)
		in.Ops = iops
		if IsDir(mode) {
			in.SetNlink(2)
		}
		return in
	}
	iops.Lookup = func(t *Task, dir *Inode, d *Dentry, flags uint32) (*Dentry, error) {
		fs.lookups = append(fs.lookups, flags)
		fs.lastReval = flags&LOOKUP_REVAL != 0
		if fs.mode == staleLookup && !fs.lastReval {
			return nil, ESTALE
		}
		var in *Inode
		switch d.Name() {
		case "f":
			in = mk(t, dir, S_IFREG|0o644)
		case "l":
			in = mk(t, dir, S_IFLNK|0o777)
			in.Link = "f"
		case "d":
			in = mk(t, dir, S_IFDIR|0o755)
		}
		if in != nil {
			fs.alias[in] = d
		}
		DAdd(t, d, in)
		return nil, nil
	}
	create := func(t *Task, dir *Inode, d *Dentry, mode uint32) error {
		if err := fs.stale(t, d); err != nil {
			return err
		}
		DInstantiate(t, d, mk(t, dir, mode))
		return nil
	}
	iops.Create = func(t *Task, dir *Inode, d *Dentry, mode uint32, excl bool) error {
		return create(t, dir, d, mode|S_IFREG)
	}
	iops.Mkdir = func(t *Task, dir *Inode, d *Dentry, mode uint32) error {
		return create(t, dir, d, mode|S_IFDIR)
	}
	iops.Mknod = func(t *Task, dir *Inode, d *Dentry, mode uint32, dev uint64) error {
		return create(t, dir, d, mode)
	}
	iops.Symlink = func(t *Task, dir *Inode, d *Dentry, target string) error {
		return create(t, dir, d, S_IFLNK|0o777)
	}
	iops.Link = func(t *Task, old *Dentry, dir *Inode, d *Dentry) error {
		if err := fs.stale(t, d); err != nil {
			return err
		}
		in := old.Inode()
		Ihold(in)
		in.SetNlink(in.Nlink() + 1)
		DInstantiate(t, d, in)
		return nil
	}
	remove := func(t *Task, dir *Inode, d *Dentry) error {
		if err := fs.stale(t, d); err != nil {
			return err
		}
		d.Inode().SetNlink(0)
		return nil
	}
	iops.Unlink = remove
	iops.Rmdir = remove
	iops.Rename = func(t *Task, oldDir *Inode, old *Dentry, newDir *Inode, new *Dentry, flags uint32) error {
		return fs.stale(t, new)
	}
	iops.Setattr = func(t *Task, d *Dentry, a *Iattr) error {
		if err := fs.stale(t, d); err != nil {
			return err
		}
		SetattrCopy(t, d.Inode(), a)
		return nil
	}
	iops.Getattr = func(t *Task, p Path, st *Stat, mask, flags uint32) error {
		if err := fs.stale(t, p.Dentry); err != nil {
			return err
		}
		GenericFillattr(p.Dentry.Inode(), st)
		return nil
	}
	iops.Readlink = func(t *Task, d *Dentry) (string, error) {
		if err := fs.stale(t, d); err != nil {
			return "", err
		}
		return d.Inode().Link, nil
	}
	// access(2) and chdir(2) ask the server; a walk's search does not.
	iops.Permission = func(t *Task, in *Inode, mask int) error {
		if mask&(MAY_ACCESS|MAY_CHDIR) == 0 {
			return nil
		}
		return fs.stale(t, fs.alias[in])
	}
	sops := &SuperOperations{Statfs: func(t *Task, d *Dentry, st *Statfs) error {
		if err := fs.stale(t, d); err != nil {
			return err
		}
		SimpleStatfs(d.SB(), st)
		return nil
	}}
	fst := &FileSystemType{Name: "estalefs"}
	fst.Mount = func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
		return MountNodev(t, fst, flags, data, func(t *Task, s *SuperBlock, data string) error {
			s.Ops = sops
			return vt.FillRootDir(t, s, 0o755, iops, nil)
		})
	}
	fst.KillSB = KillLitterSuper
	e.Must(e.V.RegisterFilesystem(e.Root, fst))
	e.Must(e.Root.Mkdir("/s", 0o755))
	e.Must(e.Root.Mount("none", "/s", "estalefs", 0, ""))
}

// A path call that meets a stale file handle - in its walk, in the
// lookup of its last component, or in the operation itself - is made
// once more, whole, with LOOKUP_REVAL passed to every lookup, as Linux's
// retry_estale() callers do (vfs_statx, do_mkdirat, do_mknodat,
// do_symlinkat, do_linkat, do_unlinkat, do_rmdir, do_renameat2,
// do_readlinkat, do_faccessat, do_utimes, do_fchmodat, do_fchownat,
// do_sys_truncate, chdir, chroot, user_statfs); an ESTALE of the retry
// is returned. As in Linux, an ESTALE from filename_create (the new
// name's lookup of mkdir, mknod, symlink and link) is not retried: those
// callers retry only what failed after it.
func TestEstaleRetryWhole(t *testing.T) {
	type row struct {
		name  string
		mode  int
		op    func(tk *Task) error
		want  Errno
		reval bool // the last ->lookup was asked with LOOKUP_REVAL
		ops   int  // the operations asked, if not 0
	}
	var st Stat
	var sfs Statfs
	times := &[2]Timespec{{Sec: 1}, {Sec: 2}}
	calls := []struct {
		name string
		op   func(tk *Task) error
	}{
		{"stat", func(tk *Task) error { return tk.Stat("/s/f", &st) }},
		{"lstat", func(tk *Task) error { return tk.Lstat("/s/l", &st) }},
		{"mkdir", func(tk *Task) error { return tk.Mkdir("/s/x", 0o755) }},
		{"mknod fifo", func(tk *Task) error { return tk.Mknod("/s/x", S_IFIFO|0o644, 0) }},
		{"mknod reg", func(tk *Task) error { return tk.Mknod("/s/x", S_IFREG|0o644, 0) }},
		{"symlink", func(tk *Task) error { return tk.Symlink("f", "/s/x") }},
		{"link", func(tk *Task) error { return tk.Link("/s/f", "/s/x") }},
		{"unlink", func(tk *Task) error { return tk.Unlink("/s/f") }},
		{"rmdir", func(tk *Task) error { return tk.Rmdir("/s/d") }},
		{"rename", func(tk *Task) error { return tk.Rename("/s/f", "/s/g") }},
		{"rename across", func(tk *Task) error { return tk.Rename("/s/f", "/s/d/g") }},
		{"readlink", func(tk *Task) error { _, err := tk.Readlink("/s/l"); return err }},
		{"access", func(tk *Task) error { return tk.Access("/s/f", R_OK) }},
		{"utimensat", func(tk *Task) error { return tk.Utimensat(AT_FDCWD, "/s/f", times, 0) }},
		{"chmod", func(tk *Task) error { return tk.Chmod("/s/f", 0o600) }},
		{"chown", func(tk *Task) error { return tk.Chown("/s/f", 1, 1) }},
		{"truncate", func(tk *Task) error { return tk.Truncate("/s/f", 0) }},
		{"chdir", func(tk *Task) error { return tk.Chdir("/s/d") }},
		{"chroot", func(tk *Task) error { return tk.Chroot("/s/d") }},
		{"statfs", func(tk *Task) error { return tk.Statfs("/s/f", &sfs) }},
	}
	var rows []row
	for _, c := range calls {
		// The operation found the handle stale; the revalidated
		// retry succeeds.
		rows = append(rows, row{name: c.name + "/op stale", mode: staleOp, op: c.op, reval: true, ops: 2})
		// Stale at every try: the retry's ESTALE is returned.
		rows = append(rows, row{name: c.name + "/always stale", mode: staleAlways, op: c.op, want: ESTALE, reval: true, ops: 2})
	}
	rows = append(rows,
		// The lookups found a handle stale: the retry's lookups,
		// walk and last component alike, revalidate.
		row{name: "stat/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Stat("/s/f", &st) }, reval: true},
		row{name: "stat missing/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Stat("/s/x", &st) }, want: ENOENT, reval: true},
		row{name: "lstat/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Lstat("/s/l", &st) }, reval: true},
		row{name: "fstatat below/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Fstatat(AT_FDCWD, "/s/d/x", &st, 0) }, want: ENOENT, reval: true},
		row{name: "unlink/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Unlink("/s/f") }, reval: true},
		row{name: "unlink missing/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Unlink("/s/x") }, want: ENOENT, reval: true},
		row{name: "rmdir/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Rmdir("/s/d") }, reval: true},
		row{name: "rename/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Rename("/s/f", "/s/g") }, reval: true},
		row{name: "rename across/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Rename("/s/f", "/s/d/g") }, reval: true},
		// filename_create's ESTALE stands (the new name's lookup is
		// its last): Linux's do_mkdirat returns it.
		row{name: "mkdir/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Mkdir("/s/x", 0o755) }, want: ESTALE},
		row{name: "symlink/lookup stale", mode: staleLookup, op: func(tk *Task) error { return tk.Symlink("f", "/s/x") }, want: ESTALE},
	)
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e := vt.New(t)
			fs := &estaleFS{mode: r.mode}
			fs.mount(e)
			fs.lookups = nil
			err := r.op(e.Root)
			if ErrnoOf(err) != r.want {
				t.Errorf("%v, want %v", err, r.want)
			}
			if n := len(fs.lookups); n == 0 || fs.lookups[0]&LOOKUP_REVAL != 0 || (fs.lookups[n-1]&LOOKUP_REVAL != 0) != r.reval {
				t.Errorf("->lookup flags %#x, want a first lookup without LOOKUP_REVAL and a last with it: %v", fs.lookups, r.reval)
			}
			if r.ops != 0 && fs.opCalls != r.ops {
				t.Errorf("%d operations asked, want %d", fs.opCalls, r.ops)
			}
		})
	}
}
