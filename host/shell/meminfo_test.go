package shell_test

import (
	"strconv"
	"strings"
	"testing"
)

// meminfoKB runs `cat /proc/meminfo` in sh and returns the named lines'
// values in kB.
func meminfoKB(t *testing.T, run func(string) string) map[string]int64 {
	t.Helper()
	out := run("cat /proc/meminfo")
	kb := map[string]int64{}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		name, rest, ok := strings.Cut(l, ":")
		f := strings.Fields(rest)
		if !ok || len(f) != 2 || f[1] != "kB" {
			t.Fatalf("meminfo line %q", l)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("meminfo line %q", l)
		}
		kb[name] = n
	}
	return kb
}

// TestShellMeminfo is the acceptance from the shell: after
// writing 300 kB to a file on billyfs, `cat /proc/meminfo` shows Dirty of
// about 300 kB; after `sync`, Dirty is 0 kB; after
// `echo 3 > /proc/sys/vm/drop_caches`, Cached falls.
func TestShellMeminfo(t *testing.T) {
	sh, _, out := newShell(t, "")
	run := func(cmd string) string {
		t.Helper()
		out.Reset()
		if st := sh.RunString(cmd); st != 0 {
			t.Fatalf("%s: status %d: %s", cmd, st, out)
		}
		return out.String()
	}
	run("mkdir /mnt")
	run("mount -t billyfs -o store=mem none /mnt")
	run("truncate -s 300K /tmp/zeros")
	before := meminfoKB(t, run)
	run("cp /tmp/zeros /mnt/f")
	mi := meminfoKB(t, run)
	if d := mi["Dirty"] - before["Dirty"]; d < 296 || d > 304 {
		t.Errorf("Dirty grew by %d kB after writing 300 kB (%d -> %d)", d, before["Dirty"], mi["Dirty"])
	}
	run("sync")
	mi = meminfoKB(t, run)
	if mi["Dirty"] != 0 {
		t.Errorf("after sync: Dirty %d kB", mi["Dirty"])
	}
	run("echo 3 > /proc/sys/vm/drop_caches")
	after := meminfoKB(t, run)
	if after["Cached"] > mi["Cached"]-300 {
		t.Errorf("drop_caches: Cached %d kB -> %d kB", mi["Cached"], after["Cached"])
	}
	// Reading drop_caches is refused even to root; a bad value changes
	// nothing.
	out.Reset()
	if st := sh.RunString("cat /proc/sys/vm/drop_caches"); st == 0 || !strings.Contains(out.String(), "Permission denied") {
		t.Errorf("cat drop_caches: status %d, %q", st, out)
	}
	out.Reset()
	if st := sh.RunString("echo 9 > /proc/sys/vm/drop_caches"); st == 0 || !strings.Contains(out.String(), "Invalid argument") {
		t.Errorf("echo 9 > drop_caches: status %d, %q", st, out)
	}
	run("umount /mnt")
}
