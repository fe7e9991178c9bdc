package procfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// showMaps is show_map() for /proc/PID/maps: one line per mapping, in
// address order: "START-END PERMS OFFSET MAJ:MIN INODE", padded to column
// 73, then the file's path (a newline in it escaped as \012). Addresses are where vfscope places mappings
// (vfs.Mapping.Start); they name them but address nothing.
func showMaps(t, task *vfs.Task, b *strings.Builder) error {
	for _, vma := range t.MappingsOf(task) {
		line := b.Len()
		hex := func(v int64, width int) {
			s := strconv.FormatInt(v, 16)
			for i := len(s); i < width; i++ {
				b.WriteByte('0')
			}
			b.WriteString(s)
		}
		end := vma.Start() + (vma.Len()+vfs.PAGE_SIZE-1)&^(vfs.PAGE_SIZE-1)
		hex(vma.Start(), 8)
		b.WriteByte('-')
		hex(end, 8)
		b.WriteByte(' ')
		prot := vma.Prot()
		for _, p := range []struct {
			bit int
			c   byte
		}{{vfs.PROT_READ, 'r'}, {vfs.PROT_WRITE, 'w'}, {vfs.PROT_EXEC, 'x'}} {
			if prot&p.bit != 0 {
				b.WriteByte(p.c)
			} else {
				b.WriteByte('-')
			}
		}
		if vma.Flags()&vfs.MAP_TYPE == vfs.MAP_PRIVATE {
			b.WriteByte('p')
		} else {
			b.WriteByte('s')
		}
		b.WriteByte(' ')
		hex(vma.Pgoff()*vfs.PAGE_SIZE, 8)
		b.WriteByte(' ')
		in := vma.File().Inode()
		dev := in.SB().Dev()
		hex(int64(vfs.Major(dev)), 2)
		b.WriteByte(':')
		hex(int64(vfs.Minor(dev)), 2)
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(in.Ino(), 10))
		for n := b.Len() - line; n < 73; n++ {
			b.WriteByte(' ')
		}
		// seq_file_path(m, file, "\n"): only a newline is escaped.
		b.WriteString(strings.ReplaceAll(t.DPath(vma.File().Path()), "\n", "\\012"))
		b.WriteByte('\n')
	}
	return nil
}
