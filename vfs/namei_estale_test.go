package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// A walk that meets a stale dentry is made once more with LOOKUP_REVAL,
// as Linux's filename_lookup, filename_parentat and do_filp_open do: the
// caller sees what the revalidating walk gives. The filesystem's
// ->lookup answers ESTALE unless asked with LOOKUP_REVAL (an NFS-like
// server that lost a file handle). Rows name a missing file: the
// revalidating lookup finds it negative. mkdir's walk to the parent
// retries here ("mkdir below"); its last lookup is filename_create's.
func TestEstaleRetriesWithReval(t *testing.T) {
	rows := []struct {
		name string
		op   func(tk *Task) error
		want Errno
	}{
		{"chmod", func(tk *Task) error { return tk.Chmod("/s/x", 0o600) }, ENOENT},
		{"chdir below", func(tk *Task) error { return tk.Chdir("/s/x/y") }, ENOENT},
		{"truncate", func(tk *Task) error { return tk.Truncate("/s/x", 0) }, ENOENT},
		{"open", func(tk *Task) error { return openClose(tk, "/s/x", O_RDONLY) }, ENOENT},
		{"open O_PATH", func(tk *Task) error { return openClose(tk, "/s/x", O_PATH) }, ENOENT},
		{"open O_CREAT", func(tk *Task) error { return openClose(tk, "/s/x", O_CREAT|O_RDWR) }, 0},
		{"open O_CREAT|O_EXCL", func(tk *Task) error { return openClose(tk, "/s/x", O_CREAT|O_EXCL|O_RDWR) }, 0},
		{"open O_CREAT below", func(tk *Task) error { return openClose(tk, "/s/x/y", O_CREAT|O_RDWR) }, ENOENT},
		{"mkdir below", func(tk *Task) error { return tk.Mkdir("/s/x/y", 0o755) }, ENOENT},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e := vt.New(t)
			var seen []uint32
			mustAll := func(d *Dentry) { PinDentry(d) }
			iops := &InodeOperations{}
			iops.Lookup = func(t *Task, dir *Inode, d *Dentry, flags uint32) (*Dentry, error) {
				seen = append(seen, flags)
				if flags&LOOKUP_REVAL == 0 {
					return nil, ESTALE
				}
				DAdd(t, d, nil)
				return nil, nil
			}
			iops.Create = func(t *Task, dir *Inode, d *Dentry, mode uint32, excl bool) error {
				in := NewInode(t, dir.SB())
				in.InitOwner(t, dir, mode|S_IFREG)
				DInstantiate(t, d, in)
				mustAll(d)
				return nil
			}
			iops.Mkdir = func(t *Task, dir *Inode, d *Dentry, mode uint32) error {
				in := NewInode(t, dir.SB())
				in.InitOwner(t, dir, mode|S_IFDIR)
				in.SetNlink(2)
				in.Ops = iops
				DInstantiate(t, d, in)
				mustAll(d)
				return nil
			}
			fst := &FileSystemType{Name: "stalefs"}
			fst.Mount = func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
				return MountNodev(t, fst, flags, data, func(t *Task, s *SuperBlock, data string) error {
					return vt.FillRootDir(t, s, 0o755, iops, nil)
				})
			}
			fst.KillSB = KillLitterSuper
			e.Must(e.V.RegisterFilesystem(e.Root, fst))
			e.Must(e.Root.Mkdir("/s", 0o755))
			e.Must(e.Root.Mount("none", "/s", "stalefs", 0, ""))
			err := r.op(e.Root)
			if ErrnoOf(err) != r.want {
				t.Errorf("%s: %v, want %v", r.name, err, r.want)
			}
			if len(seen) < 2 || seen[0]&LOOKUP_REVAL != 0 || seen[len(seen)-1]&LOOKUP_REVAL == 0 {
				t.Errorf("%s: ->lookup flags %#x, want a first lookup without LOOKUP_REVAL and a last with it", r.name, seen)
			}
		})
	}
}

func openClose(tk *Task, path string, flags int) error {
	fd, err := tk.Open(path, flags, 0o644)
	if err != nil {
		return err
	}
	return tk.Close(fd)
}
