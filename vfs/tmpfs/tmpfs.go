// Package tmpfs is vfscope's tmpfs: a filesystem whose directories live
// in the dcache (every positive dentry is pinned, as in Linux's shmem and
// ramfs) and whose file data lives in memory, page by page.
//
// Options (mount -o): size= (bytes, with k, m or g), nr_inodes=, mode=,
// uid=, gid=, and casefold (names compare without regard to ASCII case;
// Linux's tmpfs sets this per directory with chattr +F, see RATIONALE.md).
// Bad options fail the mount with EINVAL and change nothing.
//
// Lock order (inside the VFS's, see package vfs):
//
//	inode's i_rwsem (the VFS takes it around every method that changes a
//	directory or a file)
//	  sbInfo.mu (the mount options and their limits; the inode slab)
//
// The blocks and inodes in use are counted without a lock
// (limitedCounter), as Linux's percpu_counter is; so is each file's
// count of charged pages (tnode.alloced, see alloced.go), which stands
// for shmem_inode_info's info->lock.
//
// A directory's offset map (dirInfo) is protected by the directory's
// i_rwsem: exclusive for changes, shared for readdir. A file's data is
// its page cache (shmem): pages in the inode's mapping, written under
// i_rwsem exclusive through ->write_begin/->write_end, read without
// i_rwsem under each folio's lock, never written back (they stay dirty
// and count as Shmem).
package tmpfs

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/vfscope/vfscope/vfs"
)

// TMPFS_MAGIC is the statfs f_type of tmpfs.
const TMPFS_MAGIC = 0x01021994

const pageSize = 4096

// Type is the tmpfs filesystem type; Register adds it to a VFS.
func Type() *vfs.FileSystemType {
	return &vfs.FileSystemType{Name: "tmpfs", FSFlags: vfs.FS_USERNS_MOUNT, Mount: mount, KillSB: vfs.KillLitterSuper}
}

// Register registers tmpfs with v.
func Register(t *vfs.Task, v *vfs.VFS) error { return v.RegisterFilesystem(t, Type()) }

// options are the mount options.
type options struct {
	maxBlocks int64 // pages; 0: no limit
	maxInodes int64 // 0: no limit
	mode      uint32
	uid, gid  uint32
	casefold  bool
	sizeSet   bool
	inodesSet bool
}

// sbInfo is struct shmem_sb_info.
type sbInfo struct {
	// mu protects opts (which a remount changes, with the limits of
	// blocks and inodes) and slab. A leaf lock.
	mu   sync.Mutex
	opts options
	// blocks counts the pages in use against size=, inodes the inodes
	// against nr_inodes=; lock-free (limitedCounter), their limits set
	// under mu.
	blocks, inodes limitedCounter
	// slab is the part of the current inode slab not handed out yet
	// (allocInode).
	slab []shmemInode
}

// parseOptions is shmem_parse_one() over a comma-separated list. On a
// remount only size and nr_inodes may change. size= takes bytes (with
// k, m, g...) or a percentage of memory, which for a VFS is its budget
// (MemTotal, memTotal bytes).
func parseOptions(data string, o *options, remount bool, memTotal int64) error {
	if data == "" {
		return nil
	}
	for _, opt := range strings.Split(data, ",") {
		if opt == "" {
			continue
		}
		key, val, hasVal := strings.Cut(opt, "=")
		switch key {
		case "size":
			n, ok := parseSizeOption(val, memTotal)
			if !hasVal || !ok {
				return vfs.EINVAL
			}
			o.maxBlocks = (n + pageSize - 1) / pageSize
			o.sizeSet = n != 0
		case "nr_inodes":
			n, ok := vfs.ParseSize(val)
			if !hasVal || !ok {
				return vfs.EINVAL
			}
			o.maxInodes = n
			o.inodesSet = n != 0
		case "mode":
			m, err := strconv.ParseUint(val, 8, 32)
			if !hasVal || err != nil || m > 0o7777 {
				return vfs.EINVAL
			}
			if !remount {
				o.mode = uint32(m)
			}
		case "uid", "gid":
			n, err := strconv.ParseUint(val, 10, 32)
			if !hasVal || err != nil || n == uint64(vfs.NoID) {
				return vfs.EINVAL
			}
			if !remount {
				if key == "uid" {
					o.uid = uint32(n)
				} else {
					o.gid = uint32(n)
				}
			}
		case "casefold":
			if hasVal && !strings.HasPrefix(val, "utf8") {
				return vfs.EINVAL
			}
			if remount {
				return vfs.EINVAL
			}
			o.casefold = true
		default:
			return vfs.EINVAL
		}
	}
	return nil
}

func mount(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
	return vfs.MountNodev(t, fst, flags, data, fillSuper)
}

// fillSuper is shmem_fill_super().
func fillSuper(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
	info := &sbInfo{opts: options{mode: 0o1777}}
	if err := parseOptions(data, &info.opts, false, sb.VFS().MemBudget()); err != nil {
		return err
	}
	info.setLimits()
	sb.FSInfo = info
	sb.Magic = TMPFS_MAGIC
	sb.Blocksize = pageSize
	sb.MaxBytes = 1<<63 - 1
	sb.Ops = superOps
	sb.Xattr = xattrHandlers
	if info.opts.casefold {
		sb.SetDentryOps(casefoldDentryOps)
	}
	in, err := newInode(t, sb, nil, vfs.S_IFDIR|info.opts.mode, 0)
	if err != nil {
		return err
	}
	in.SetUID(info.opts.uid)
	in.SetGID(info.opts.gid)
	root, err := vfs.MakeRoot(t, in)
	if err != nil {
		return err
	}
	sb.SetRoot(root)
	return nil
}

var superOps = &vfs.SuperOperations{
	AllocInode:  allocInode,
	Statfs:      statfs,
	RemountFS:   remount,
	ShowOptions: showOptions,
	EvictInode:  evictInode,
	FreeInode:   freeInode,
	PutSuper:    func(t *vfs.Task, sb *vfs.SuperBlock) {},
}

func info(sb *vfs.SuperBlock) *sbInfo { return sb.FSInfo.(*sbInfo) }

// statfs is shmem_statfs().
func statfs(t *vfs.Task, d *vfs.Dentry, st *vfs.Statfs) error {
	i := info(d.SB())
	i.mu.Lock()
	defer i.mu.Unlock()
	st.Type = TMPFS_MAGIC
	st.Bsize = pageSize
	st.Namelen = vfs.NAME_MAX
	if i.opts.maxBlocks > 0 {
		st.Blocks = uint64(i.opts.maxBlocks)
		st.Bfree = uint64(max(i.opts.maxBlocks-i.blocks.used.Load(), 0))
		st.Bavail = st.Bfree
	}
	if i.opts.maxInodes > 0 {
		st.Files = uint64(i.opts.maxInodes)
		st.Ffree = uint64(max(i.opts.maxInodes-i.inodes.used.Load(), 0))
	}
	return nil
}

// remount is shmem_reconfigure(): size and nr_inodes may change, not
// below what is in use.
func remount(t *vfs.Task, sb *vfs.SuperBlock, flags *uint32, data string) error {
	i := info(sb)
	i.mu.Lock()
	defer i.mu.Unlock()
	o := i.opts
	if err := parseOptions(data, &o, true, sb.VFS().MemBudget()); err != nil {
		return err
	}
	if o.maxBlocks > 0 && o.maxBlocks < i.blocks.used.Load() {
		return vfs.EINVAL
	}
	if o.maxInodes > 0 && o.maxInodes < i.inodes.used.Load() {
		return vfs.EINVAL
	}
	i.opts = o
	i.setLimits()
	return nil
}

// showOptions is shmem_show_options(): what differs from the defaults.
func showOptions(t *vfs.Task, w *strings.Builder, root *vfs.Dentry) error {
	i := info(root.SB())
	i.mu.Lock()
	o := i.opts
	i.mu.Unlock()
	if o.sizeSet {
		w.WriteString(",size=" + strconv.FormatInt(o.maxBlocks*pageSize>>10, 10) + "k")
	}
	if o.inodesSet {
		w.WriteString(",nr_inodes=" + strconv.FormatInt(o.maxInodes, 10))
	}
	if o.mode != 0o1777 {
		w.WriteString(",mode=" + strconv.FormatUint(uint64(o.mode), 8))
	}
	if o.uid != 0 {
		w.WriteString(",uid=" + strconv.FormatUint(uint64(o.uid), 10))
	}
	if o.gid != 0 {
		w.WriteString(",gid=" + strconv.FormatUint(uint64(o.gid), 10))
	}
	if o.casefold {
		w.WriteString(",casefold")
	}
	return nil
}

// parseSizeOption parses size='s value: a size in bytes (vfs.ParseSize)
// or, with a trailing %, that share of memTotal, as shmem_parse_one
// takes a share of the machine's RAM.
func parseSizeOption(val string, memTotal int64) (int64, bool) {
	pct, isPct := strings.CutSuffix(val, "%")
	if !isPct {
		return vfs.ParseSize(val)
	}
	n, err := strconv.ParseInt(pct, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/max(memTotal, 1) {
		return 0, false
	}
	return n * memTotal / 100, true
}

// setLimits copies opts' limits to the counters; under mu.
func (i *sbInfo) setLimits() {
	i.blocks.max.Store(i.opts.maxBlocks)
	i.inodes.max.Store(i.opts.maxInodes)
}

// reserveInode and friends account against nr_inodes and size.
func (i *sbInfo) reserveInode() error         { return i.inodes.reserve(1) }
func (i *sbInfo) releaseInode()               { i.inodes.release(1) }
func (i *sbInfo) reserveBlocks(n int64) error { return i.blocks.reserve(n) }
func (i *sbInfo) releaseBlocks(n int64)       { i.blocks.release(n) }

// evictInode is shmem_evict_inode(): give back the pages and the inode.
func evictInode(t *vfs.Task, in *vfs.Inode) {
	if in.Mapping().NrPages() > 0 {
		vfs.TruncateInodePagesFinal(t, in.Mapping())
	}
	recalc(in, 0)
	info(in.SB()).releaseInode()
}
