package procfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMaps: /proc/PID/maps lists a task's mappings in address order as
// Linux prints them, seen by the task itself and by another; munmap
// takes a line away.
func TestMaps(t *testing.T) {
	_, tk := setup(t)
	must(t, tk.Mkdir("/tmp/m", 0o755))
	fd, err := tk.Open("/tmp/m/a file", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	must(t, err)
	_, err = tk.Write(fd, make([]byte, 3*vfs.PAGE_SIZE))
	must(t, err)
	var st vfs.Stat
	must(t, tk.Fstat(fd, &st))
	sh, err := tk.Mmap(fd, 0, 2*vfs.PAGE_SIZE+1, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	must(t, err)
	pr, err := tk.Mmap(fd, vfs.PAGE_SIZE, vfs.PAGE_SIZE, vfs.PROT_READ|vfs.PROT_EXEC, vfs.MAP_PRIVATE)
	must(t, err)
	dev := fmt.Sprintf("%02x:%02x %d", vfs.Major(st.Dev), vfs.Minor(st.Dev), st.Ino)
	line := func(s string) string { return s + strings.Repeat(" ", 73-len(s)) + "/tmp/m/a file\n" }
	want := line("7f0000000000-7f0000003000 rw-s 00000000 "+dev) +
		line("7f0000004000-7f0000005000 r-xp 00001000 "+dev)
	if got := read(t, tk, "/proc/self/maps"); got != want {
		t.Errorf("/proc/self/maps:\n%s\nwant:\n%s", got, want)
	}
	other := tk.VFS().NewTask("other", vfs.RootCred)
	if got := read(t, other, fmt.Sprintf("/proc/%d/maps", tk.PID())); got != want {
		t.Errorf("/proc/PID/maps read by another task:\n%s", got)
	}
	must(t, tk.Munmap(sh))
	if got := read(t, tk, "/proc/self/maps"); got != line("7f0000004000-7f0000005000 r-xp 00001000 "+dev) {
		t.Errorf("after munmap:\n%s", got)
	}
	must(t, tk.Munmap(pr))
	if got := read(t, tk, "/proc/self/maps"); got != "" {
		t.Errorf("no mappings: %q", got)
	}
	must(t, tk.Close(fd))
}
