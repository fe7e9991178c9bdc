package procfs_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/lock"
)

// lockdepClass is one class block of /proc/lockdep, parsed.
type lockdepClass struct {
	addr   string
	fd, bd int
	usage  string
	after  []string // names of the " -> " lines
	afterA []string // their addresses
}

// parseLockdep parses /proc/lockdep into classes by name, failing the
// test on any line not in l_show's format.
func parseLockdep(t *testing.T, s string) (map[string]*lockdepClass, []string) {
	t.Helper()
	if !strings.HasPrefix(s, "all lock classes:\n") {
		t.Fatalf("/proc/lockdep does not start with the header: %q", s)
	}
	classes := map[string]*lockdepClass{}
	var order []string
	var cur *lockdepClass
	for _, l := range strings.Split(strings.TrimPrefix(s, "all lock classes:\n"), "\n") {
		switch {
		case l == "":
			cur = nil
		case strings.HasPrefix(l, " -> ["):
			end := strings.Index(l, "] ")
			if cur == nil || end < 0 {
				t.Fatalf("stray dependency line %q", l)
			}
			cur.afterA = append(cur.afterA, l[len(" -> ["):end])
			cur.after = append(cur.after, l[end+2:])
		default:
			// "%p FD:%5ld BD:%5ld %s: name", at fixed columns.
			if len(l) < 42 || l[16:20] != " FD:" || l[25:29] != " BD:" || l[34] != ' ' || l[39:41] != ": " || cur != nil {
				t.Fatalf("bad class line %q", l)
			}
			fd, err1 := strconv.Atoi(strings.TrimSpace(l[20:25]))
			bd, err2 := strconv.Atoi(strings.TrimSpace(l[29:34]))
			if _, err := strconv.ParseUint(l[:16], 16, 64); err != nil || err1 != nil || err2 != nil {
				t.Fatalf("bad class line %q", l)
			}
			name := l[41:]
			c := &lockdepClass{addr: l[:16], fd: fd, bd: bd, usage: l[35:39]}
			if _, dup := classes[name]; dup {
				t.Fatalf("class %s listed twice", name)
			}
			classes[name] = c
			order = append(order, name)
			cur = c
		}
	}
	return classes, order
}

// parseStats parses /proc/lockdep_stats: label -> value.
func parseStats(t *testing.T, s string) (map[string]int, []string) {
	t.Helper()
	out := map[string]int{}
	var labels []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		// " %-31s%11lu"
		if len(l) != 32+11 || l[0] != ' ' {
			t.Fatalf("bad stats line %q", l)
		}
		label := strings.TrimSpace(l[:32])
		n, err := strconv.Atoi(strings.TrimSpace(l[32:]))
		if err != nil || !strings.HasSuffix(label, ":") {
			t.Fatalf("bad stats line %q", l)
		}
		out[label] = n
		labels = append(labels, label)
	}
	return out, labels
}

// bootLockdep boots a VFS with the validator on; with clean, the test
// fails if the validator reports anything.
func bootLockdep(t *testing.T, clean bool) (*vfs.VFS, *vfs.Task) {
	t.Helper()
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	if clean {
		t.Cleanup(func() {
			if r := v.Validator().Reports(); len(r) > 0 {
				t.Errorf("lock validator: %v", r)
			}
		})
	}
	return v, tk
}

func TestLockdepRenameAcrossDirectories(t *testing.T) {
	_, tk := bootLockdep(t, true)
	must(t, tk.Mkdir("/tmp/a", 0o755))
	must(t, tk.Mkdir("/tmp/b", 0o755))
	fd, err := tk.Open("/tmp/a/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must(t, err)
	must(t, tk.Close(fd))

	const (
		renameKey = "&type->s_vfs_rename_key#tmpfs"
		parent    = "&type->i_mutex_dir_key#tmpfs/1" // I_MUTEX_PARENT
		parent2   = "&type->i_mutex_dir_key#tmpfs/5" // I_MUTEX_PARENT2
		writers   = "sb_writers#tmpfs"
	)
	// lock_rename of two unrelated directories: s_vfs_rename_mutex, then
	// the source's parent, then the target's, all inside
	// mnt_want_write's sb_writers.
	edges := []struct{ from, to string }{
		{writers, renameKey},
		{renameKey, parent},
		{renameKey, parent2},
		{parent, parent2},
	}
	before, _ := parseLockdep(t, read(t, tk, "/proc/lockdep"))
	for _, e := range edges {
		if c := before[e.from]; c != nil && contains(c.after, e.to) {
			t.Fatalf("%s -> %s already there before the rename", e.from, e.to)
		}
	}
	must(t, tk.Rename("/tmp/a/f", "/tmp/b/f"))
	after, order := parseLockdep(t, read(t, tk, "/proc/lockdep"))
	for _, e := range edges {
		c := after[e.from]
		if c == nil || !contains(c.after, e.to) {
			t.Errorf("after rename: no %s -> %s", e.from, e.to)
		}
	}
	for _, tc := range []struct {
		name, usage string
	}{
		{renameKey, "+.+."}, // a mutex: write columns only
		{parent, "+.+."},
		{parent2, "+.+."},
		{writers, ".+.+"}, // sb_start_write takes the percpu rwsem for read
	} {
		if c := after[tc.name]; c == nil || c.usage != tc.usage {
			t.Errorf("%s: usage %+v, want %q", tc.name, c, tc.usage)
		}
	}
	checkLockdepGraph(t, after, order)
}

// checkLockdepGraph checks /proc/lockdep against itself: each " -> "
// names a listed class at that class's address, and FD and BD count the
// classes reachable forwards and backwards, the class included.
func checkLockdepGraph(t *testing.T, classes map[string]*lockdepClass, order []string) {
	t.Helper()
	back := map[string][]string{}
	for _, name := range order {
		c := classes[name]
		for i, to := range c.after {
			tc := classes[to]
			if tc == nil {
				t.Errorf("%s -> %s: not a listed class", name, to)
				continue
			}
			if tc.addr != c.afterA[i] {
				t.Errorf("%s -> [%s] %s: the class is at %s", name, c.afterA[i], to, tc.addr)
			}
			back[to] = append(back[to], name)
		}
	}
	fwd := func(n string) []string { return classes[n].after }
	bwd := func(n string) []string { return back[n] }
	for _, name := range order {
		c := classes[name]
		if got := reach(name, fwd); got != c.fd {
			t.Errorf("%s: FD %d, %d classes reachable", name, c.fd, got)
		}
		if got := reach(name, bwd); got != c.bd {
			t.Errorf("%s: BD %d, reachable from %d classes", name, c.bd, got)
		}
	}
}

func reach(from string, next func(string) []string) int {
	seen := map[string]bool{from: true}
	stack := []string{from}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, m := range next(n) {
			if !seen[m] {
				seen[m] = true
				stack = append(stack, m)
			}
		}
	}
	return len(seen)
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// wantStatsLabels are the lines of /proc/lockdep_stats, in order.
var wantStatsLabels = []string{
	"lock-classes:", "direct dependencies:", "indirect dependencies:",
	"all direct dependencies:", "max locking depth:", "max bfs queue depth:",
	"debug_locks:",
}

func TestLockdepStatsEqualValidator(t *testing.T) {
	v, tk := bootLockdep(t, true)
	must(t, tk.Mkdir("/tmp/x", 0o755))
	must(t, tk.Mkdir("/tmp/y", 0o755))
	fd, err := tk.Open("/tmp/x/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	must(t, err)
	_, err = tk.Write(fd, []byte("data"))
	must(t, err)
	must(t, tk.Close(fd))
	must(t, tk.Rename("/tmp/x/f", "/tmp/y/g"))

	// Background work (the flusher) may add classes between two reads:
	// compare once two reads of the file agree.
	for try := 0; ; try++ {
		s1 := read(t, tk, "/proc/lockdep_stats")
		ld := read(t, tk, "/proc/lockdep")
		vs := v.Validator().Stats()
		s2 := read(t, tk, "/proc/lockdep_stats")
		if s1 != s2 && try < 100 {
			continue
		}
		st, labels := parseStats(t, s1)
		if strings.Join(labels, "|") != strings.Join(wantStatsLabels, "|") {
			t.Fatalf("lines %q, want %q", labels, wantStatsLabels)
		}
		classes, order := parseLockdep(t, ld)
		sumFD, direct := 0, 0
		for _, c := range classes {
			sumFD += c.fd
			direct += len(c.after)
		}
		for _, tc := range []struct {
			label string
			want  int
		}{
			{"lock-classes:", vs.Classes},
			{"lock-classes:", len(order)},
			{"direct dependencies:", vs.Edges},
			{"direct dependencies:", direct},
			{"indirect dependencies:", sumFD},
			{"all direct dependencies:", vs.Edges},
			{"debug_locks:", 1},
		} {
			if st[tc.label] != tc.want {
				t.Errorf("%s %d, want %d", tc.label, st[tc.label], tc.want)
			}
		}
		// The rename held sb_writers, s_vfs_rename_mutex and two i_rwsem.
		if st["max locking depth:"] < 4 {
			t.Errorf("max locking depth %d, want at least 4", st["max locking depth:"])
		}
		if st["max bfs queue depth:"] < 1 {
			t.Errorf("max bfs queue depth %d after searches", st["max bfs queue depth:"])
		}
		return
	}
}

// ABBA classes: created once (classes are static).
var (
	classABBAa = lock.NewClass("test_abba_a", lock.KindMutex)
	classABBAb = lock.NewClass("test_abba_b", lock.KindMutex)
)

func TestLockdepABBAReport(t *testing.T) {
	v, tk := bootLockdep(t, false)
	val := v.Validator()
	var a, b lock.Mutex
	a.Init(classABBAa, 0)
	b.Init(classABBAb, 0)
	o := lock.NewOwner("abba", val)
	defer val.Forget(o)
	// The edge that closed a reported cycle stays in the graph (the
	// validator keeps running, and a later cycle through it is another
	// bug), so after the report both classes reach both.
	steps := []struct {
		first, second *lock.Mutex
		reports       int
		both          bool // b -> a is in the graph
	}{
		{&a, &b, 0, false}, // learns a -> b
		{&b, &a, 1, true},  // closes the cycle: reported, b -> a added
		{&b, &a, 1, true},  // the same cycle is not reported again
	}
	for i, s := range steps {
		s.first.Lock(o)
		s.second.Lock(o)
		s.second.Unlock(o)
		s.first.Unlock(o)
		if n := len(val.Reports()); n != s.reports {
			t.Fatalf("step %d: %d reports, want %d", i, n, s.reports)
		}
		classes, _ := parseLockdep(t, read(t, tk, "/proc/lockdep"))
		ca, cb := classes["test_abba_a"], classes["test_abba_b"]
		if ca == nil || cb == nil {
			t.Fatalf("step %d: classes missing from /proc/lockdep", i)
		}
		if !contains(ca.after, "test_abba_b") || contains(cb.after, "test_abba_a") != s.both {
			t.Errorf("step %d: a -> %v, b -> %v; want b -> a %v", i, ca.after, cb.after, s.both)
		}
		wantBD, wantFD := 1, 1 // a's backward and b's forward: themselves alone
		if s.both {
			wantBD, wantFD = 2, 2
		}
		if ca.fd != 2 || ca.bd != wantBD || cb.fd != wantFD || cb.bd != 2 {
			t.Errorf("step %d: a FD %d BD %d, b FD %d BD %d", i, ca.fd, ca.bd, cb.fd, cb.bd)
		}
		// vfscope's validator keeps running after a report (Linux's
		// lockdep turns itself off): debug_locks stays 1.
		st, _ := parseStats(t, read(t, tk, "/proc/lockdep_stats"))
		if st["debug_locks:"] != 1 {
			t.Errorf("step %d: debug_locks %d, want 1", i, st["debug_locks:"])
		}
	}
	if r := val.Reports(); r[0].Kind != lock.CircularDependency {
		t.Errorf("report %v, want a circular dependency", r[0].Kind)
	}
}

func TestLockdepOff(t *testing.T) {
	if os.Getenv("VFSCOPE_LOCKDEP") == "1" {
		t.Skip("VFSCOPE_LOCKDEP=1 turns the validator on for every VFS")
	}
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Validator() != nil {
		t.Fatal("validator on")
	}
	must(t, tk.Mkdir("/tmp/d", 0o755))
	if got := read(t, tk, "/proc/lockdep"); got != "all lock classes:\n" {
		t.Errorf("/proc/lockdep %q", got)
	}
	st, labels := parseStats(t, read(t, tk, "/proc/lockdep_stats"))
	if strings.Join(labels, "|") != strings.Join(wantStatsLabels, "|") {
		t.Fatalf("lines %q", labels)
	}
	for _, l := range labels {
		if st[l] != 0 {
			t.Errorf("%s %d with the validator off", l, st[l])
		}
	}
}
