package shell_test

import (
	"runtime"
	"strings"
	"testing"
)

// TestMmapHugeLength: the mmap builtin maps a length as mmap(2) does:
// past TASK_SIZE, or with no room left, it is ENOMEM; a sparse file of
// 100 TiB maps whole, and a store to its last page costs that page and
// its page tables, not a table of every 2 MiB of the file.
func TestMmapHugeLength(t *testing.T) {
	for _, c := range []struct {
		name, cmd string
		status    int
		out       string // contained in the output
	}{
		{"TASK_SIZE", "mmap -l 140737488351232 f r 0 1", 1, "Cannot allocate memory"},
		{"past TASK_SIZE", "mmap -l 140737488355328 f r 0 1", 1, "Cannot allocate memory"},
		{"100 TiB sparse", "truncate -s 100T f; mmap f w 109951162777500 end", 0, "store \"end\" at 109951162777500"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w; cd /w; echo hello > f")
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			st := sh.RunString(c.cmd)
			runtime.ReadMemStats(&after)
			if st != c.status || !strings.Contains(out.String(), c.out) {
				t.Errorf("%s: status %d, output %q; want %d, %q", c.cmd, st, out.String(), c.status, c.out)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
				t.Errorf("%s allocated %d MiB", c.cmd, got>>20)
			}
		})
	}
}
