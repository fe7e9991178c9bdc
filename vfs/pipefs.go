package vfs

import (
	"sync"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// pipefs (fs/pipe.c): the internal filesystem the inodes of anonymous
// pipes live on. Each VFS mounts it once, on its first pipe2, with a
// kernel-internal mount (kern_mount): no mount table shows it, and
// nothing can reach its inodes by name. Their dentries name themselves
// "pipe:[ino]" (->d_dname), which is what readlink of /proc/<pid>/fd/N
// shows.

// PIPEFS_MAGIC is pipefs's f_type (include/uapi/linux/magic.h).
const PIPEFS_MAGIC = 0x50495045

// pipeFSType is pipe_fs_type. boot registers it, so /proc/filesystems
// lists "nodev pipefs" as Linux's does; its superblocks are SB_NOUSER,
// so mount(2) of it, or a bind of a pipe through /proc/<pid>/fd, fails
// with EINVAL. pipe2 mounts it whether or not it is registered.
var pipeFSType = &FileSystemType{
	Name:   "pipefs",
	Mount:  pipefsMount,
	KillSB: KillAnonSuper,
	keys:   fsTypeKeysOf("pipefs"),
}

// RegisterPipeFS is init_pipe_fs()'s register_filesystem(&pipe_fs_type).
func RegisterPipeFS(t *Task, v *VFS) error { return v.RegisterFilesystem(t, pipeFSType) }

// pipefsInfo is a pipefs superblock's s_fs_info: its internal mount,
// pipe_mnt, set once the mount exists; atomic.
type pipefsInfo struct {
	mnt atomic.Pointer[Mount]
}

// pipefsMu serialises the first pipe2s of a VFS, so that one pipefs is
// mounted. Taken with no lock held, around the mount; outside the
// validator.
var pipefsMu sync.Mutex

// pipefsDentryOps is pipefs_dentry_operations.
var pipefsDentryOps = DentryOperations{DName: pipefsDname}

// pipefsDname is pipefs_dname(): "pipe:[<ino>]".
func pipefsDname(t *Task, d *Dentry) string {
	return "pipe:[" + itoa(int64(d.inode.Load().ino)) + "]"
}

// pipefsMount is pipefs_init_fs_context() + init_pseudo(): a superblock
// whose root is a directory nobody can open by name.
func pipefsMount(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
	return MountNodev(t, fst, flags, data, func(t *Task, sb *SuperBlock, data string) error {
		sb.Magic = PIPEFS_MAGIC
		sb.flags.Or(SB_NOUSER)
		sb.FSInfo = &pipefsInfo{}
		sb.SetDentryOps(&pipefsDentryOps)
		in := NewInode(t, sb)
		in.SetModeType(S_IFDIR | 0o600)
		root, err := MakeRoot(t, in)
		if err != nil {
			return err
		}
		sb.SetRoot(root)
		return nil
	})
}

// pipeMnt returns the VFS's pipe_mnt, mounting pipefs on first use.
func (t *Task) pipeMnt() (*Mount, error) {
	if m := t.vfs.findPipeMnt(t); m != nil {
		return m, nil
	}
	pipefsMu.Lock()
	defer pipefsMu.Unlock()
	if m := t.vfs.findPipeMnt(t); m != nil {
		return m, nil
	}
	root, err := t.fstMount(pipeFSType, 0, "pipefs", "")
	if err != nil {
		return nil, err
	}
	root.sb.umount.Unlock(t.o)
	m := t.newMount(root, 0, "pipefs")
	root.sb.FSInfo.(*pipefsInfo).mnt.Store(m)
	return m, nil
}

// findPipeMnt looks for the VFS's pipefs on the superblock list: a born
// superblock of pipeFSType (its s_fs_info was set before SB_BORN) whose
// mount is made.
func (v *VFS) findPipeMnt(t *Task) *Mount {
	v.sbListLock().Lock(t.owner())
	defer v.sbListLock().Unlock(t.owner())
	for sb := v.sbList; sb != nil; sb = sb.sbNext {
		if sb.fsType == pipeFSType && sb.flags.Load()&SB_BORN != 0 {
			if m := sb.FSInfo.(*pipefsInfo).mnt.Load(); m != nil {
				return m
			}
		}
	}
	return nil
}

// getPipeInode is get_pipe_inode(): a new pipefs inode, S_IFIFO 0600 of
// the caller's fsuid and fsgid, with its pipe, one reader and one
// writer. It is born dirty (I_DIRTY), so that its timestamps never put
// it on a writeback list.
func (t *Task) getPipeInode(sb *SuperBlock) (*Inode, *pipeInodeInfo) {
	in := NewInode(t, sb)
	in.InitOwner(t, nil, S_IFIFO|0o600)
	in.FOps = &pipeFifoFops
	in.state.Store(I_DIRTY) // nobody else sees it yet
	p := allocPipeInfo()
	p.files, p.readers, p.writers = 2, 1, 1
	p.rCounter, p.wCounter = 1, 1
	inodePipes.Store(in, p)
	return in, p
}

// Pipe2 is pipe2(2): fds[0] reads the new pipe, fds[1] writes it. flags
// O_CLOEXEC (both descriptors) and O_NONBLOCK (both descriptions);
// anything else is EINVAL, O_DIRECT (packet mode) and O_NOTIFICATION_PIPE
// included. ENFILE at fs.file-max, EMFILE at RLIMIT_NOFILE.
func (t *Task) Pipe2(flags int) (fds [2]int, err error) {
	if t.checking() {
		defer t.opDone(t.sysEnter("pipe2"))
	}
	if flags&^(O_CLOEXEC|O_NONBLOCK) != 0 {
		return fds, EINVAL
	}
	files, err := t.createPipeFiles(flags)
	if err != nil {
		return fds, err
	}
	cloexec := flags&O_CLOEXEC != 0
	r, err := t.getUnusedFD(0, cloexec)
	if err != nil {
		fput(t, files[0])
		fput(t, files[1])
		return fds, err
	}
	w, err := t.getUnusedFD(0, cloexec)
	if err != nil {
		t.putUnusedFD(r)
		fput(t, files[0])
		fput(t, files[1])
		return fds, err
	}
	t.fdInstall(r, files[0])
	t.fdInstall(w, files[1])
	return [2]int{r, w}, nil
}

// createPipeFiles is create_pipe_files(): the pipefs inode, its dentry
// (d_alloc_pseudo: unhashed, named by ->d_dname) and two descriptions
// of it, [1] O_WRONLY made first, then [0] O_RDONLY; both streams.
func (t *Task) createPipeFiles(flags int) ([2]*File, error) {
	var res [2]*File
	mnt, err := t.pipeMnt()
	if err != nil {
		return res, err
	}
	if err := t.mayAllocFile(); err != nil {
		return res, err
	}
	sb := mnt.sb
	in, p := t.getPipeInode(sb)
	d, err := dAlloc(t, sb, nil, QStr{})
	if err != nil {
		inodePipes.Delete(in)
		freePipeInfo(p)
		iput(t, in)
		return res, err
	}
	DInstantiate(t, d, in)
	res[1] = t.allocPipeFile(Path{mntget(mnt), d}, in, p, O_WRONLY|flags&O_NONBLOCK)
	if err := t.mayAllocFile(); err != nil {
		// The reader never was: its share of the pipe goes, then the
		// writer's release frees the pipe and its path the inode.
		putPipeInfo(t, in, p)
		fput(t, res[1])
		return [2]*File{}, err
	}
	res[0] = t.allocPipeFile(Path{mntget(mnt), dget(d)}, in, p, O_RDONLY|flags&O_NONBLOCK)
	return res, nil
}

// allocPipeFile is alloc_file_pseudo()/alloc_file_clone() for a pipe: a
// description of p at path (whose references it takes over) with flags
// O_RDONLY or O_WRONLY and O_NONBLOCK, stream_open'd.
func (t *Task) allocPipeFile(path Path, in *Inode, p *pipeInodeInfo, flags int) *File {
	fmode := uint32(FMODE_READ)
	if flags&O_ACCMODE == O_WRONLY {
		fmode = FMODE_WRITE
	}
	f := t.allocFile(path, in, fmode)
	streamOpen(f)
	f.flags.Store(uint32(flags))
	f.count.Store(1)
	f.posLock.Init(classFPos, 0)
	f.fop = &pipeFifoFops
	f.Private = p
	if fmode == FMODE_READ {
		in.readcount.Add(1) // i_readcount_inc; fputFinal drops it
	}
	return f
}
