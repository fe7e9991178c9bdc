package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// inoMeminfo is /proc/meminfo's fixed inode number (static entries of
// the reclaim work take numbers from 0xF0000100, apart from root.go's).
const inoMeminfo = 0xF0000100

// showMeminfo is meminfo_proc_show() (fs/proc/meminfo.c): the VFS's
// budget and what is charged against it, one "Name:   value kB" line
// each in Linux's order (vfs.MemInfo.Lines), formatted as show_val_kb.
func showMeminfo(t *vfs.Task, b *strings.Builder) error {
	for _, l := range t.VFS().MemInfo().Lines() {
		writeMeminfoLine(b, l.Name, l.Bytes>>10)
	}
	return nil
}

// writeMeminfoLine is show_val_kb(): the name and colon padded to 16
// columns, the value in kB right-aligned in 8, then " kB". The one line
// Linux prints differently, HardwareCorrupted, has a 19-column label and
// a 5-column value (the same 24 columns).
func writeMeminfoLine(b *strings.Builder, name string, kb int64) {
	label := name + ":"
	width := 8
	if name == "HardwareCorrupted" {
		label += " "
		width = 5
	}
	b.WriteString(label)
	for i := len(label); i < 16; i++ {
		b.WriteByte(' ')
	}
	v := strconv.FormatInt(kb, 10)
	for i := len(v); i < width; i++ {
		b.WriteByte(' ')
	}
	b.WriteString(v)
	b.WriteString(" kB\n")
}
