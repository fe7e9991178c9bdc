package procfs_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// meminfoNames are Linux's /proc/meminfo lines, in its order, as far as
// vfscope prints them.
var meminfoNames = []string{"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached",
	"Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)",
	"Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped",
	"Shmem", "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables",
	"SecPageTables", "NFS_Unstable", "Bounce", "WritebackTmp", "CommitLimit", "Committed_AS",
	"VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu", "HardwareCorrupted", "AnonHugePages",
	"ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped", "Balloon"}

// meminfo parses /proc/meminfo, checking show_val_kb's format on the way.
func meminfo(t *testing.T, tk *vfs.Task) map[string]int64 {
	t.Helper()
	text := read(t, tk, "/proc/meminfo")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != len(meminfoNames) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(meminfoNames), text)
	}
	re := regexp.MustCompile(`^([A-Za-z_()]+):( +)([0-9]+) kB$`)
	out := map[string]int64{}
	for i, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil || m[1] != meminfoNames[i] {
			t.Fatalf("line %d %q, want %s in show_val_kb's format", i, l, meminfoNames[i])
		}
		// The label and value take 24 columns (16 + 8, or 19 + 5 for
		// HardwareCorrupted) while the value fits.
		if len(m[3]) <= 5 && len(l) != 24+len(" kB") {
			t.Errorf("line %q is %d columns, want 27", l, len(l))
		}
		n, _ := strconv.ParseInt(m[3], 10, 64)
		out[m[1]] = n
	}
	return out
}

// TestMeminfoBudget: MemTotal is the budget; the counters add up.
func TestMeminfoBudget(t *testing.T) {
	cases := []struct {
		budget int64
		total  int64 // kB
	}{
		{0, 256 << 10},
		{64 << 20, 64 << 10},
		{1000 * 1024, 1000},
		{1, vfs.MinMemBudget >> 10},
	}
	for _, c := range cases {
		v, tk, err := boot.New(vfs.Options{MemBudget: c.budget})
		if err != nil {
			t.Fatal(err)
		}
		mi := meminfo(t, tk)
		if mi["MemTotal"] != c.total {
			t.Errorf("budget %d: MemTotal %d kB, want %d", c.budget, mi["MemTotal"], c.total)
		}
		// MemFree is what is not charged, the slab counted as the
		// whole pages Slab shows (up to two pages more than its bytes),
		// so the three lines never add up to more than MemTotal.
		want := (mi["MemTotal"]<<10 - v.MemUsed()) >> 10
		if free := mi["MemFree"]; free > want+1 || free < want-2*vfs.PAGE_SIZE>>10-1 {
			t.Errorf("budget %d: MemFree %d kB, MemTotal %d kB, charged %d bytes", c.budget, free, mi["MemTotal"], v.MemUsed())
		}
		if sum := mi["MemFree"] + mi["Cached"] + mi["Slab"]; mi["MemFree"] > 0 && sum > mi["MemTotal"] {
			t.Errorf("budget %d: MemFree %d + Cached %d + Slab %d = %d kB, more than MemTotal %d kB", c.budget, mi["MemFree"], mi["Cached"], mi["Slab"], sum, mi["MemTotal"])
		}
		if mi["Active"] != mi["Active(file)"] || mi["Inactive"] != mi["Inactive(file)"] {
			t.Errorf("Active/Inactive differ from the file lists: %v", mi)
		}
		// Linux counts slab in pages: Slab is the sum of the other two
		// exactly, KReclaimable is SReclaimable, and all are multiples
		// of 4 kB.
		if mi["Slab"] != mi["SReclaimable"]+mi["SUnreclaim"] || mi["KReclaimable"] != mi["SReclaimable"] {
			t.Errorf("Slab %d != %d + %d, or KReclaimable %d", mi["Slab"], mi["SReclaimable"], mi["SUnreclaim"], mi["KReclaimable"])
		}
		for _, name := range []string{"KReclaimable", "Slab", "SReclaimable", "SUnreclaim"} {
			if mi[name]%(vfs.PAGE_SIZE>>10) != 0 {
				t.Errorf("%s %d kB is not whole pages", name, mi[name])
			}
		}
		// si_mem_available: free memory past the reserve (the high
		// watermark, a 16th of the budget, 8 pages at least), plus
		// between half and all of the freeable cache and slab.
		reserve := max(mi["MemTotal"]/16, 8*vfs.PAGE_SIZE>>10)
		base := mi["MemFree"] - reserve
		freeable := mi["Cached"] - mi["Shmem"] + mi["SReclaimable"]
		if a := mi["MemAvailable"]; a < max(base+freeable/2-1, 0) || a > max(base+freeable+1, 0) {
			t.Errorf("budget %d: MemAvailable %d kB, want MemFree %d - reserve %d + between half and all of %d", c.budget, a, mi["MemFree"], reserve, freeable)
		}
		v.Shutdown()
	}
}

// TestMeminfoBillyfs is the acceptance: 300 kB written to a file
// on billyfs shows as about 300 kB Dirty; after sync, Dirty is 0; after
// drop_caches=3, Cached falls. tmpfs's pages are Shmem and Cached.
func TestMeminfoBillyfs(t *testing.T) {
	v, tk := setup(t)
	defer v.Shutdown()
	must(t, tk.Mkdir("/mnt", 0o755))
	must(t, tk.Mount("none", "/mnt", "billyfs", 0, "store=mem"))
	base := meminfo(t, tk)
	fd, err := tk.Open("/mnt/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must(t, err)
	buf := make([]byte, 300*1024)
	for i := range buf {
		buf[i] = byte(i)
	}
	if n, err := tk.Write(fd, buf); err != nil || n != len(buf) {
		t.Fatalf("write: %d %v", n, err)
	}
	must(t, tk.Close(fd))
	mi := meminfo(t, tk)
	if d := mi["Dirty"] - base["Dirty"]; d < 296 || d > 304 {
		t.Errorf("Dirty grew by %d kB after writing 300 kB", d)
	}
	if c := mi["Cached"] - base["Cached"]; c < 300 {
		t.Errorf("Cached grew by %d kB after writing 300 kB", c)
	}
	tk.Sync()
	mi = meminfo(t, tk)
	if mi["Dirty"] != 0 || mi["Writeback"] != 0 {
		t.Errorf("after sync: Dirty %d kB, Writeback %d kB", mi["Dirty"], mi["Writeback"])
	}
	if _, err := writeFile(tk, "/proc/sys/vm/drop_caches", "3\n"); err != nil {
		t.Fatal(err)
	}
	after := meminfo(t, tk)
	if after["Cached"] > mi["Cached"]-300 {
		t.Errorf("drop_caches: Cached %d kB -> %d kB", mi["Cached"], after["Cached"])
	}
	// tmpfs pages stay, as Shmem (and Cached).
	must(t, tk.Mkdir("/tmp/s", 0o755))
	fd, err = tk.Open("/tmp/s/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must(t, err)
	if _, err := tk.Write(fd, buf[:64*1024]); err != nil {
		t.Fatal(err)
	}
	must(t, tk.Close(fd))
	if _, err := writeFile(tk, "/proc/sys/vm/drop_caches", "3"); err != nil {
		t.Fatal(err)
	}
	mi = meminfo(t, tk)
	if mi["Shmem"] < 64 || mi["Cached"] < mi["Shmem"] || mi["Dirty"] != 0 {
		t.Errorf("64 kB on tmpfs: Shmem %d, Cached %d, Dirty %d", mi["Shmem"], mi["Cached"], mi["Dirty"])
	}
	must(t, tk.Unlink("/tmp/s/f"))
	must(t, tk.Rmdir("/tmp/s"))
	must(t, tk.Umount2("/mnt", 0))
}
