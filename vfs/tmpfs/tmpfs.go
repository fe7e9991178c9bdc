// Package tmpfs is vfscope's tmpfs: a filesystem whose directories live
// in the dcache (every positive dentry is pinned, as in Linux's shmem and
// ramfs) and whose file data lives in memory, page by page.
//
// Options (mount -o): size= (bytes, with k, m or g, or a percentage
// of the VFS's memory budget, which plays the part of RAM), nr_blocks=
// (pages), nr_inodes=, mode=, uid=, gid=, huge=never, noswap, inode64,
// and casefold (names compare under Unicode simple case folding, without
// normalisation; Linux's tmpfs sets this per directory with chattr +F,
// see RATIONALE.md). Without size= and
// nr_inodes= a tmpfs gets Linux's defaults: half the budget's pages, and
// as many inodes; size=0 and nr_inodes=0 mean no limit.
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
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/lock"
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
	noswap    bool
	// inode64 says the option was given (at mount or a remount since):
	// shown then, as Linux shows it for full_inums. The numbers are
	// 64-bit either way.
	inode64 bool
}

// seen* say which limits a list of options set (SHMEM_SEEN_*).
const (
	seenBlocks = 1 << iota
	seenInodes
)

// bogoInodeSize is BOGO_INODE_SIZE: what an inode takes of the space
// nr_inodes= allows (max_inodes * bogoInodeSize bytes, free_ispace in
// Linux), which extended attributes share (simple_xattr_space).
const bogoInodeSize = 1024

// sbInfo is struct shmem_sb_info.
type sbInfo struct {
	// mu protects opts (which a remount changes, with the limits of
	// blocks and inodes) and slab. A leaf lock, outside the lock model
	// (a LeafMutex: inode allocation takes it on every create).
	mu   lock.LeafMutex
	opts options
	// defBlocks and defInodes are the limits of a tmpfs mounted without
	// size= and nr_inodes= (shmem_default_max_blocks and
	// shmem_default_max_inodes of the budget); immutable.
	defBlocks, defInodes int64
	// blocks counts the pages in use against size=; ispace the bytes
	// of inode space in use against nr_inodes= (bogoInodeSize per
	// inode, plus the extended attributes' simple_xattr_space).
	// Lock-free (limitedCounter), their limits set under mu.
	blocks, ispace limitedCounter
	// slab is the part of the current inode slab not handed out yet
	// (allocInode).
	slab []shmemInode
}

// defaultMaxBlocks is shmem_default_max_blocks(): half of "RAM", which
// for a VFS is its memory budget (memTotal bytes), in pages.
func defaultMaxBlocks(memTotal int64) int64 { return memTotal / pageSize / 2 }

// defaultMaxInodes is shmem_default_max_inodes(): min(RAM pages without
// highmem, RAM pages / 2); the VFS has no highmem.
func defaultMaxInodes(memTotal int64) int64 { return memTotal / pageSize / 2 }

// maxOptionInodes is the largest nr_inodes= (ULONG_MAX / BOGO_INODE_SIZE
// in Linux; here the byte count of inode space must fit an int64).
const maxOptionInodes = math.MaxInt64 / bogoInodeSize

// parseOptions is shmem_parse_one() over a comma-separated list; it
// returns which limits the list set (seen*). On a remount only size,
// nr_blocks, nr_inodes and huge change (the others are accepted and
// ignored, as shmem_reconfigure does). size= takes bytes (with k, m,
// g...) or a percentage of memory, which for a VFS is its budget
// (MemTotal, memTotal bytes). huge= takes only never: the VFS has no
// huge pages, as a kernel without CONFIG_TRANSPARENT_HUGEPAGE, whose
// shmem_parse_one rejects the other values ("Unsupported parameter").
func parseOptions(data string, o *options, remount bool, memTotal int64) (int, error) {
	seen := 0
	if data == "" {
		return 0, nil
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
				return 0, vfs.EINVAL
			}
			o.maxBlocks = n/pageSize + min(n%pageSize, 1)
			seen |= seenBlocks
		case "nr_blocks":
			n, ok := vfs.ParseSize(val)
			if !hasVal || !ok {
				return 0, vfs.EINVAL
			}
			o.maxBlocks = n
			seen |= seenBlocks
		case "nr_inodes":
			n, ok := vfs.ParseSize(val)
			if !hasVal || !ok || n > maxOptionInodes {
				return 0, vfs.EINVAL
			}
			o.maxInodes = n
			seen |= seenInodes
		case "mode":
			// fsparam_u32oct (kstrtouint base 8), then masked with 07777.
			m, ok := vfs.ParseUint32(val, 8)
			if !hasVal || !ok {
				return 0, vfs.EINVAL
			}
			if !remount {
				o.mode = m & 0o7777
			}
		case "uid", "gid":
			// fsparam_uid, fsparam_gid: kstrtouint base 0 (010 is 8,
			// 0x10 is 16), and -1 maps to no id.
			n, ok := vfs.ParseUint32(val, 0)
			if !hasVal || !ok || n == vfs.NoID {
				return 0, vfs.EINVAL
			}
			if !remount {
				if key == "uid" {
					o.uid = n
				} else {
					o.gid = n
				}
			}
		case "huge":
			if !hasVal || val != "never" {
				return 0, vfs.EINVAL
			}
		case "noswap":
			// vfscope never swaps: noswap says what is so. Linux takes it
			// at mount only ("Cannot disable swap on remount").
			if hasVal || remount && !o.noswap {
				return 0, vfs.EINVAL
			}
			o.noswap = true
		case "inode64":
			// 64-bit inode numbers, which are vfscope's with or
			// without it (as CONFIG_TMPFS_INODE64's default); inode32
			// is refused (see RATIONALE.md). Given, it is shown.
			if hasVal {
				return 0, vfs.EINVAL
			}
			o.inode64 = true
		case "casefold":
			if hasVal && !strings.HasPrefix(val, "utf8") {
				return 0, vfs.EINVAL
			}
			if remount {
				return 0, vfs.EINVAL
			}
			o.casefold = true
		default:
			return 0, vfs.EINVAL
		}
	}
	return seen, nil
}

func mount(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
	return vfs.MountNodev(t, fst, flags, data, fillSuper)
}

// fillSuper is shmem_fill_super().
func fillSuper(t *vfs.Task, sb *vfs.SuperBlock, data string) error {
	mem := sb.VFS().MemBudget()
	info := &sbInfo{opts: options{mode: 0o1777}, defBlocks: defaultMaxBlocks(mem), defInodes: defaultMaxInodes(mem)}
	seen, err := parseOptions(data, &info.opts, false, mem)
	if err != nil {
		return err
	}
	if seen&seenBlocks == 0 {
		info.opts.maxBlocks = info.defBlocks
	}
	if seen&seenInodes == 0 {
		info.opts.maxInodes = info.defInodes
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
		st.Ffree = uint64(max(i.ispace.max.Load()-i.ispace.used.Load(), 0) / bogoInodeSize)
	}
	return nil
}

// remount is shmem_reconfigure(): size and nr_inodes may change, not
// below what is in use, and a limit cannot be put on what has none
// ("Cannot retroactively limit size", EINVAL); a limit of 0 removes one.
func remount(t *vfs.Task, sb *vfs.SuperBlock, flags *uint32, data string) error {
	i := info(sb)
	i.mu.Lock()
	defer i.mu.Unlock()
	o := i.opts
	seen, err := parseOptions(data, &o, true, sb.VFS().MemBudget())
	if err != nil {
		return err
	}
	if seen&seenBlocks != 0 && o.maxBlocks > 0 {
		if i.opts.maxBlocks == 0 || o.maxBlocks < i.blocks.used.Load() {
			return vfs.EINVAL
		}
	}
	if seen&seenInodes != 0 && o.maxInodes > 0 {
		if i.opts.maxInodes == 0 || o.maxInodes*bogoInodeSize < i.ispace.used.Load() {
			return vfs.EINVAL
		}
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
	if o.maxBlocks != i.defBlocks {
		w.WriteString(",size=" + strconv.FormatInt(o.maxBlocks*(pageSize>>10), 10) + "k")
	}
	if o.maxInodes != i.defInodes {
		w.WriteString(",nr_inodes=" + strconv.FormatInt(o.maxInodes, 10))
	}
	if o.mode != 0o1777 {
		w.WriteString(fmt.Sprintf(",mode=%03o", o.mode))
	}
	if o.uid != 0 {
		w.WriteString(",uid=" + strconv.FormatUint(uint64(o.uid), 10))
	}
	if o.gid != 0 {
		w.WriteString(",gid=" + strconv.FormatUint(uint64(o.gid), 10))
	}
	// Linux shows ",inode64" for full_inums after gid=, and on a
	// kernel with CONFIG_TMPFS_INODE64=y on every tmpfs. vfscope shows
	// it only when given, as a kernel without that option does (Debian's
	// and this project's reference host): its /proc/mounts keeps the
	// lines such a kernel prints for a tmpfs mounted without it.
	if o.inode64 {
		w.WriteString(",inode64")
	}
	if o.casefold {
		w.WriteString(",casefold")
	}
	if o.noswap {
		w.WriteString(",noswap")
	}
	return nil
}

// parseSizeOption parses size='s value: a size in bytes (vfs.ParseSize)
// or, with a trailing %, that share of memTotal, as shmem_parse_one
// takes a share of the machine's RAM; the share is read by memparse too
// (010% is 8%, 1k% is 1024%).
func parseSizeOption(val string, memTotal int64) (int64, bool) {
	pct, isPct := strings.CutSuffix(val, "%")
	if !isPct {
		return vfs.ParseSize(val)
	}
	n, ok := vfs.ParseSize(pct)
	if !ok || n > math.MaxInt64/max(memTotal, 1) {
		return 0, false
	}
	return n * memTotal / 100, true
}

// setLimits copies opts' limits to the counters; under mu.
func (i *sbInfo) setLimits() {
	i.blocks.max.Store(i.opts.maxBlocks)
	i.ispace.max.Store(i.opts.maxInodes * bogoInodeSize)
}

// reserveInode and friends account against nr_inodes and size
// (shmem_reserve_inode, shmem_free_inode).
func (i *sbInfo) reserveInode() error         { return i.ispace.reserve(bogoInodeSize) }
func (i *sbInfo) releaseInode()               { i.ispace.release(bogoInodeSize) }
func (i *sbInfo) reserveBlocks(n int64) error { return i.blocks.reserve(n) }
func (i *sbInfo) releaseBlocks(n int64)       { i.blocks.release(n) }

// evictInode is shmem_evict_inode(): give back the pages, the space of
// the extended attributes (to nr_inodes= when there is one, and to the
// memory budget) and the inode.
func evictInode(t *vfs.Task, in *vfs.Inode) {
	if in.Mapping().NrPages() > 0 {
		vfs.TruncateInodePagesFinal(t, in.Mapping())
	}
	recalc(in, 0)
	si := info(in.SB())
	if vfs.IsLnk(in.Mode()) && longSymlink(in.Link) {
		si.releaseBlocks(1) // the long body's page (symlink)
	}
	if xs := xattrsSpace(in); xs > 0 {
		if si.ispace.max.Load() > 0 {
			si.ispace.release(xs)
		}
		in.SB().VFS().UnchargeKmem(xs)
	}
	si.releaseInode()
}
