package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// showFilesystems is filesystems_proc_show() (fs/filesystems.c): one
// line per registered type, in registration order, "nodev" first for
// those that need no block device.
func showFilesystems(t *vfs.Task, b *strings.Builder) error {
	for _, fst := range t.VFS().Filesystems(t) {
		if fst.FSFlags&vfs.FS_REQUIRES_DEV == 0 {
			b.WriteString("nodev")
		}
		b.WriteByte('\t')
		b.WriteString(fst.Name)
		b.WriteByte('\n')
	}
	return nil
}

// writeLongs is proc_doulongvec_minmax()'s output: the values separated
// by tabs, then a newline.
func writeLongs(b *strings.Builder, vals ...int64) {
	for i, v := range vals {
		if i > 0 {
			b.WriteByte('\t')
		}
		b.WriteString(strconv.FormatInt(v, 10))
	}
	b.WriteByte('\n')
}

// showDentryState is /proc/sys/fs/dentry-state (struct dentry_stat_t):
// nr_dentry, nr_unused, age_limit, want_pages, nr_negative, dummy.
func showDentryState(t *vfs.Task, b *strings.Builder) error {
	s := t.VFS().DentryState()
	writeLongs(b, s.NrDentry, s.NrUnused, s.AgeLimit, s.WantPages, s.NrNegative, 0)
	return nil
}

// showInodeNr is /proc/sys/fs/inode-nr: the first two longs of struct
// inodes_stat_t, nr_inodes and nr_unused.
func showInodeNr(t *vfs.Task, b *strings.Builder) error {
	s := t.VFS().InodeState()
	writeLongs(b, s.NrInodes, s.NrFreeInodes)
	return nil
}

// showInodeState is /proc/sys/fs/inode-state: all seven longs of struct
// inodes_stat_t, nr_inodes, nr_unused and five dummies.
func showInodeState(t *vfs.Task, b *strings.Builder) error {
	s := t.VFS().InodeState()
	writeLongs(b, s.NrInodes, s.NrFreeInodes, 0, 0, 0, 0, 0)
	return nil
}

// mangle is mangle() of fs/proc_namespace.c: seq_escape() with
// " \t\n\\", each such byte as a three-digit octal escape.
func mangle(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\\':
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		default:
			b.WriteByte(c)
		}
	}
}

// showSBOpts is show_sb_opts(): the superblock flags /proc/mounts shows.
// (SB_MANDLOCK's ",mand" has no vfscope flag.)
func showSBOpts(b *strings.Builder, f uint32) {
	for _, o := range []struct {
		bit  uint32
		name string
	}{{vfs.SB_SYNCHRONOUS, ",sync"}, {vfs.SB_DIRSYNC, ",dirsync"}, {vfs.SB_LAZYTIME, ",lazytime"}} {
		if f&o.bit != 0 {
			b.WriteString(o.name)
		}
	}
}

// showMntOpts is show_mnt_opts(): the per-mount flags.
func showMntOpts(b *strings.Builder, f uint32) {
	for _, o := range []struct {
		bit  uint32
		name string
	}{{vfs.MNT_NOSUID, ",nosuid"}, {vfs.MNT_NODEV, ",nodev"}, {vfs.MNT_NOEXEC, ",noexec"},
		{vfs.MNT_NOATIME, ",noatime"}, {vfs.MNT_NODIRATIME, ",nodiratime"}, {vfs.MNT_RELATIME, ",relatime"}} {
		if f&o.bit != 0 {
			b.WriteString(o.name)
		}
	}
}

func devName(m *vfs.ProcMount) string {
	if m.Source == "" {
		return "none"
	}
	return m.Source
}

// showMounts is show_vfsmnt(): "SOURCE MOUNTPOINT TYPE OPTIONS 0 0",
// the options being rw or ro (the mount's or the superblock's), the
// superblock flags, the mount flags, then ->show_options.
func showMounts(t *vfs.Task, root vfs.Path, b *strings.Builder) error {
	ms := t.ProcMounts(root)
	for i := range ms {
		m := &ms[i]
		mangle(b, devName(m))
		b.WriteByte(' ')
		mangle(b, m.Mountpoint)
		b.WriteByte(' ')
		mangle(b, m.FSType)
		if m.MntFlags&vfs.MNT_READONLY != 0 || m.SBFlags&vfs.SB_RDONLY != 0 {
			b.WriteString(" ro")
		} else {
			b.WriteString(" rw")
		}
		showSBOpts(b, m.SBFlags)
		showMntOpts(b, m.MntFlags)
		b.WriteString(m.ShowOptions)
		b.WriteString(" 0 0\n")
	}
	return nil
}

// showMountinfo is show_mountinfo(): "ID PARENT MAJ:MIN ROOT MOUNTPOINT
// MOUNTOPTS - TYPE SOURCE SUPEROPTS". vfscope has no mount propagation,
// so no optional fields stand before the separator.
func showMountinfo(t *vfs.Task, root vfs.Path, b *strings.Builder) error {
	ms := t.ProcMounts(root)
	for i := range ms {
		m := &ms[i]
		b.WriteString(strconv.Itoa(int(m.ID)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(int(m.ParentID)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(int(vfs.Major(m.Dev))))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(vfs.Minor(m.Dev))))
		b.WriteByte(' ')
		mangle(b, m.Root)
		b.WriteByte(' ')
		mangle(b, m.Mountpoint)
		if m.MntFlags&vfs.MNT_READONLY != 0 {
			b.WriteString(" ro")
		} else {
			b.WriteString(" rw")
		}
		showMntOpts(b, m.MntFlags)
		b.WriteString(" - ")
		mangle(b, m.FSType)
		b.WriteByte(' ')
		mangle(b, devName(m))
		if m.SBFlags&vfs.SB_RDONLY != 0 {
			b.WriteString(" ro")
		} else {
			b.WriteString(" rw")
		}
		showSBOpts(b, m.SBFlags)
		b.WriteString(m.ShowOptions)
		b.WriteByte('\n')
	}
	return nil
}
