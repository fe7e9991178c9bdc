package procfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMmapProcFiles: mmap(2) of /proc files fails as on Linux. The
// entries made by proc_create_single and proc_create_seq have
// proc_reg_file_ops, whose ->mmap (proc_reg_mmap, fs/proc/inode.c) is EIO
// for an entry without proc_mmap; the /proc/<pid> files (seq_file
// operations of fs/proc/base.c) and /proc/sys (proc_sys_file_operations,
// fs/proc/proc_sysctl.c) have no ->mmap: do_mmap gives ENODEV. A host
// kernel answers the same for each path, shared and private.
func TestMmapProcFiles(t *testing.T) {
	_, tk := setup(t)
	cases := []struct {
		path string
		want error
	}{
		{"/proc/meminfo", vfs.EIO},
		{"/proc/filesystems", vfs.EIO},
		{"/proc/locks", vfs.EIO},
		{"/proc/self/maps", vfs.ENODEV},
		{"/proc/self/mountinfo", vfs.ENODEV},
		{"/proc/mounts", vfs.ENODEV},
		{"/proc/sys/fs/inode-nr", vfs.ENODEV},
		{"/proc/sys/fs/dentry-state", vfs.ENODEV},
	}
	for _, c := range cases {
		fd, err := tk.Open(c.path, vfs.O_RDONLY, 0)
		if err != nil {
			t.Errorf("open %s: %v", c.path, err)
			continue
		}
		for _, flags := range []int{vfs.MAP_PRIVATE, vfs.MAP_SHARED} {
			vma, err := tk.Mmap(fd, 0, vfs.PAGE_SIZE, vfs.PROT_READ, flags)
			if err != c.want {
				t.Errorf("mmap %s (flags %#x) = %v, want %v", c.path, flags, err, c.want)
			}
			if err == nil {
				must(t, tk.Munmap(vma))
			}
		}
		must(t, tk.Close(fd))
	}
	if n := len(tk.Mappings()); n != 0 {
		t.Errorf("%d mappings left", n)
	}
}
