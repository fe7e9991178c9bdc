package vfs_test

import (
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// iafs is a flat filesystem whose files record the Iattr each ->setattr
// gets and the File each ->open made, for TestSetattrFile.
type iafs struct {
	mu     sync.Mutex // protects opened and got; a leaf lock
	opened *File      // the last File ->open was given
	got    []Iattr    // every ->setattr's Iattr, in order
}

func (p *iafs) register(e *vt.Env) {
	fops := &FileOperations{
		Open: func(t *Task, in *Inode, f *File) error {
			p.mu.Lock()
			p.opened = f
			p.mu.Unlock()
			return nil
		},
		Llseek: GenericFileLlseek,
	}
	setattr := func(t *Task, d *Dentry, a *Iattr) error {
		p.mu.Lock()
		p.got = append(p.got, *a)
		p.mu.Unlock()
		SetattrCopy(t, d.Inode(), a)
		if a.Valid&ATTR_SIZE != 0 {
			d.Inode().SetSize(a.Size)
		}
		return nil
	}
	dirOps := &InodeOperations{
		Lookup: func(t *Task, dir *Inode, d *Dentry, flags uint32) (*Dentry, error) {
			DAdd(t, d, nil)
			return nil, nil
		},
		Create: func(t *Task, dir *Inode, d *Dentry, mode uint32, excl bool) error {
			in := NewInode(t, dir.SB())
			in.InitOwner(t, dir, mode|S_IFREG)
			in.Ops = &InodeOperations{Setattr: setattr}
			in.FOps = fops
			DInstantiate(t, d, in)
			PinDentry(d)
			return nil
		},
	}
	fst := &FileSystemType{
		Name: "iafs",
		Mount: func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
			return MountNodev(t, fst, flags, data, func(t *Task, sb *SuperBlock, data string) error {
				sb.MaxBytes = 1 << 40
				return vt.FillRootDir(t, sb, 0o777, dirOps, nil)
			})
		},
		KillSB: KillLitterSuper,
	}
	e.Must(e.V.RegisterFilesystem(e.Root, fst))
	e.Must(e.Root.Mkdir("/ia", 0o755))
	e.Must(e.Root.Mount("none", "/ia", "iafs", 0, ""))
	fd, err := e.Root.Open("/ia/f", O_CREAT|O_WRONLY, 0o644)
	e.Must(err)
	e.Must(e.Root.Close(fd))
}

// TestSetattrFile: a truncation through an open file (ftruncate) hands
// ->setattr that file as ATTR_FILE and Iattr.File, as Linux's
// do_truncate sets ia_file from its filp; truncate(2) by name and a
// chmod hand none.
func TestSetattrFile(t *testing.T) {
	var p *iafs
	setup := func(e *vt.Env) { p = &iafs{}; p.register(e) }
	// last checks the last ->setattr: whether it had ATTR_FILE, and that
	// File is the file of the last open exactly when it did.
	last := func(wantFile bool) func(e *vt.Env) {
		return func(e *vt.Env) {
			p.mu.Lock()
			defer p.mu.Unlock()
			if len(p.got) == 0 {
				e.TB.Fatal("no ->setattr")
			}
			a := p.got[len(p.got)-1]
			hasFile := a.Valid&ATTR_FILE != 0
			if hasFile != wantFile {
				e.TB.Errorf("ATTR_FILE %v, want %v (valid %#x)", hasFile, wantFile, a.Valid)
			}
			if wantFile && (a.File == nil || a.File != p.opened) {
				e.TB.Errorf("Iattr.File %p, want the open file %p", a.File, p.opened)
			}
			if !wantFile && a.File != nil {
				e.TB.Errorf("Iattr.File %p without ATTR_FILE", a.File)
			}
		}
	}
	vt.Run(t, []vt.Case{
		{Name: "ftruncate", Setup: setup, Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/ia/f", O_RDWR, 0)
			if err != nil {
				return err
			}
			defer e.T.Close(fd)
			return e.T.Ftruncate(fd, 3)
		}, Check: last(true)},
		{Name: "open O_TRUNC", Setup: setup, Op: func(e *vt.Env) error {
			// handle_truncate passes the file it opened (do_truncate's filp).
			fd, err := e.T.Open("/ia/f", O_WRONLY|O_TRUNC, 0)
			if err != nil {
				return err
			}
			return e.T.Close(fd)
		}, Check: last(true)},
		{Name: "truncate by name", Setup: setup, Op: func(e *vt.Env) error {
			return e.T.Truncate("/ia/f", 3)
		}, Check: last(false)},
		{Name: "fchmod", Setup: setup, Op: func(e *vt.Env) error {
			fd, err := e.T.Open("/ia/f", O_RDWR, 0)
			if err != nil {
				return err
			}
			defer e.T.Close(fd)
			return e.T.Fchmod(fd, 0o600)
		}, Check: last(false)},
	})
}
