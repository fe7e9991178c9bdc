package vfs_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// counted is what one count or size event says about one object.
type counted struct {
	kind  trace.Kind
	count int64
	size  int64
	op    string
}

func (c counted) String() string {
	switch c.kind {
	case trace.InodeSize:
		return fmt.Sprintf("%s %d", c.kind, c.size)
	case trace.InodeCount:
		if c.op != "" {
			return fmt.Sprintf("%s %d %s", c.kind, c.count, c.op)
		}
	}
	return fmt.Sprintf("%s %d", c.kind, c.count)
}

// countsOf picks the dentry.count events of dentry d and the inode.count
// and inode.size events of inode in, in order.
func countsOf(evs []trace.Event, d, in uint64) []string {
	var out []string
	for _, e := range evs {
		switch {
		case e.Kind == trace.DentryCount && e.Dentry == d,
			(e.Kind == trace.InodeCount || e.Kind == trace.InodeSize) && e.Inode == in:
			out = append(out, counted{e.Kind, e.Count, e.Size, e.Op}.String())
		}
	}
	return out
}

// TestTraceCounts checks that each change of a file's d_count, i_count
// and i_size gives one event carrying the value after it, and that what
// changes none (dup, a lock-free stat, a write inside the file, a
// truncate to the same size, fallocate with FALLOC_FL_KEEP_SIZE) gives
// none.
func TestTraceCounts(t *testing.T) {
	for _, opts := range []vfs.Options{{}, {Trace: true}} {
		t.Run(fmt.Sprintf("trace=%v", opts.Trace), func(t *testing.T) {
			testTraceCounts(t, opts)
		})
	}
}

func testTraceCounts(t *testing.T, opts vfs.Options) {
	v, tk, err := boot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := tk.Creat("/f", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Write(fd, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := tk.Close(fd); err != nil {
		t.Fatal(err)
	}
	l := v.Subscribe(1 << 12)
	defer l.Close()
	var dID, iID uint64
	for _, d := range v.Snapshot().Dentries {
		if d.Name == "f" {
			dID, iID = d.ID, d.Inode
		}
	}
	if dID == 0 || iID == 0 {
		t.Fatal("no dentry f in the snapshot")
	}

	var fd1, fd2, fd3 int
	steps := []struct {
		name string
		run  func() error
		want []string
	}{
		// tmpfs pins its positive dentries (one reference), so an
		// open file's dentry goes 1 -> 2 -> 3 and back.
		{"open O_APPEND", func() (err error) { fd1, err = tk.Open("/f", vfs.O_RDWR|vfs.O_APPEND, 0); return }, []string{"dentry.count 2"}},
		{"open again", func() (err error) { fd2, err = tk.Open("/f", vfs.O_RDWR, 0); return }, []string{"dentry.count 3"}},
		{"dup", func() (err error) { fd3, err = tk.Dup(fd2); return }, nil},
		{"stat (lock-free walk)", func() error { var st vfs.Stat; return tk.Stat("/f", &st) }, nil},
		{"append 10000 bytes to 1", func() error { _, err := tk.Write(fd1, make([]byte, 10000)); return err },
			[]string{"inode.size 4096", "inode.size 8192", "inode.size 10001"}},
		{"write inside", func() error { _, err := tk.Pwrite(fd2, []byte("y"), 5); return err }, nil},
		{"ftruncate to 5000", func() error { return tk.Ftruncate(fd1, 5000) }, []string{"inode.size 5000"}},
		// truncate(2) holds a reference on the path while it works.
		{"truncate to 5000 again", func() error { return tk.Truncate("/f", 5000) }, []string{"dentry.count 4", "dentry.count 3"}},
		{"fallocate KEEP_SIZE", func() error { return tk.Fallocate(fd1, vfs.FALLOC_FL_KEEP_SIZE, 0, 20000) }, nil},
		{"fallocate to 12288", func() error { return tk.Fallocate(fd1, 0, 8192, 4096) }, []string{"inode.size 12288"}},
		{"close the dup", func() error { return tk.Close(fd3) }, nil},
		{"close the second", func() error { return tk.Close(fd2) }, []string{"dentry.count 2"}},
		{"close the first", func() error { return tk.Close(fd1) }, []string{"dentry.count 1"}},
		// link: ihold for the new name; unlink of it: unlink's own
		// reference on the victim, then the name's and unlink's go.
		{"link /f /g", func() error { return tk.Link("/f", "/g") }, []string{"dentry.count 2", "inode.count 2", "dentry.count 1"}},
		{"unlink /g", func() error { return tk.Unlink("/g") }, []string{"inode.count 3", "inode.count 2", "inode.count 1"}},
		{"truncate to 0", func() error { return tk.Truncate("/f", 0) }, []string{"dentry.count 2", "inode.size 0", "dentry.count 1"}},
	}
	for _, s := range steps {
		drain(l)
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got := countsOf(drain(l), dID, iID)
		if fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Errorf("%s: events %q, want %q", s.name, got, s.want)
		}
	}
	if l.Lost() != 0 {
		t.Errorf("lost %d events", l.Lost())
	}
}

// replica is what a view keeps of the counts and sizes: a snapshot's,
// moved forward by events, as the playground's model does.
type replica struct {
	dcount map[uint64]int64
	icount map[uint64]int64
	isize  map[uint64]int64
}

func newReplica(s trace.Snapshot) *replica {
	r := &replica{map[uint64]int64{}, map[uint64]int64{}, map[uint64]int64{}}
	for _, d := range s.Dentries {
		r.dcount[d.ID] = d.Count
	}
	for _, i := range s.Inodes {
		r.icount[i.ID] = int64(i.Count)
		r.isize[i.ID] = i.Size
	}
	return r
}

func (r *replica) apply(e trace.Event) {
	switch e.Kind {
	case trace.DentryKill:
		delete(r.dcount, e.Dentry)
	case trace.DentryAlloc, trace.DentryHash, trace.DentryUnhash, trace.DentryLRUAdd, trace.DentryLRUDel,
		trace.DentryNegative, trace.DentryInstantiate, trace.DentryMove, trace.DentryCount:
		r.dcount[e.Dentry] = e.Count
	case trace.InodeEvict:
		delete(r.icount, e.Inode)
		delete(r.isize, e.Inode)
	case trace.InodeAlloc, trace.InodeState, trace.InodeCount, trace.InodeSize:
		r.icount[e.Inode] = e.Count
		r.isize[e.Inode] = e.Size
	}
}

// check compares the replica with a snapshot taken after the events.
func (r *replica) check(t *testing.T, s trace.Snapshot) {
	t.Helper()
	for _, d := range s.Dentries {
		if c, ok := r.dcount[d.ID]; !ok {
			t.Errorf("dentry %q (%d): in the snapshot, not in the replica", d.Name, d.ID)
		} else if c != d.Count {
			t.Errorf("dentry %q (%d): replica's d_count %d, snapshot's %d", d.Name, d.ID, c, d.Count)
		}
	}
	for _, i := range s.Inodes {
		if c, ok := r.icount[i.ID]; !ok {
			t.Errorf("inode %d: in the snapshot, not in the replica", i.Ino)
		} else if c != int64(i.Count) || r.isize[i.ID] != i.Size {
			t.Errorf("inode %d: replica's i_count %d, i_size %d; snapshot's %d, %d", i.Ino, c, r.isize[i.ID], i.Count, i.Size)
		}
	}
}

// TestTraceReplayCounts applies the events of a workload to the counts
// and sizes of a snapshot and checks that they end where a snapshot
// taken afterwards says: no change of d_count, i_count or i_size goes
// unreported. Then the same with tasks racing on one directory, where
// the order of the events of concurrent changes is not the order of the
// changes (the counts are read when each event is numbered, so the last
// one is right).
func TestTraceReplayCounts(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	l := v.Subscribe(1 << 16)
	defer l.Close()
	before := v.Snapshot()
	must(tk.Mkdir("/a", 0o755))
	must(tk.Mkdir("/b", 0o755))
	fd, err := tk.Creat("/a/f", 0o644)
	must(err)
	_, err = tk.Write(fd, make([]byte, 9000))
	must(err)
	fd2, err := tk.Open("/a/f", vfs.O_RDONLY, 0)
	must(err)
	fd3, err := tk.Dup(fd2)
	must(err)
	must(tk.Rename("/a/f", "/b/f")) // d_move between parents, open
	must(tk.Link("/b/f", "/a/h"))
	must(tk.Symlink("/b/f", "/a/s"))
	var st vfs.Stat
	must(tk.Stat("/a/s", &st))
	if err := tk.Stat("/a/missing", &st); err != vfs.ENOENT {
		t.Fatalf("stat of a missing name: %v", err)
	}
	must(tk.Truncate("/a/h", 100))
	dfd, err := tk.Open("/b", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(err)
	_, err = tk.Getdents(dfd, 4096)
	must(err)
	must(tk.Close(dfd))
	must(tk.Unlink("/b/f")) // still open
	must(tk.Close(fd))
	must(tk.Close(fd3))
	must(tk.Mkdir("/a/d", 0o755))
	must(tk.Rmdir("/a/d"))
	must(v.DropCaches(tk, 2))
	must(tk.Close(fd2))

	r := newReplica(before)
	for _, e := range drain(l) {
		if e.Seq > before.Seq {
			r.apply(e)
		}
	}
	r.check(t, v.Snapshot())

	// Racing tasks: each opens, writes and closes files in one
	// directory, taking and dropping references on it and on them.
	before = v.Snapshot()
	drain(l)
	var wg sync.WaitGroup
	for n := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ct := v.NewTask("racer", nil)
			defer ct.Exit()
			for i := range 50 {
				p := fmt.Sprintf("/a/r%d", i%3)
				fd, err := ct.Open(p, vfs.O_RDWR|vfs.O_CREAT|vfs.O_APPEND, 0o644)
				if err != nil {
					t.Error(err)
					return
				}
				ct.Write(fd, make([]byte, 100*(n+1)))
				ct.Close(fd)
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	if l.Lost() != 0 {
		t.Fatalf("lost %d events", l.Lost())
	}
	r = newReplica(before)
	for _, e := range drain(l) {
		if e.Seq > before.Seq {
			r.apply(e)
		}
	}
	r.check(t, v.Snapshot())
}

// TestTraceDeleteCount: d_delete marks a count of 1 while it makes the
// dentry negative (dcountLocked), and no event or snapshot shows the
// mark: the negative event carries the count 1, as d_count() would read
// under d_lock in Linux.
func TestTraceDeleteCount(t *testing.T) {
	for _, opts := range []vfs.Options{{}, {Trace: true}} {
		t.Run(fmt.Sprintf("trace=%v", opts.Trace), func(t *testing.T) {
			v, tk, err := boot.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Creat("/h", 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := tk.Close(fd); err != nil {
				t.Fatal(err)
			}
			l := v.Subscribe(1 << 12)
			defer l.Close()
			if err := tk.Unlink("/h"); err != nil {
				t.Fatal(err)
			}
			negative := false
			for _, e := range drain(l) {
				if e.Count >= 1<<32 {
					t.Errorf("%v of dentry %d: count %d", e.Kind, e.Dentry, e.Count)
				}
				if e.Kind == trace.DentryNegative && e.Name == "h" {
					negative = true
					if e.Count != 1 {
						t.Errorf("dentry.negative of h: count %d, want 1", e.Count)
					}
				}
			}
			if !negative {
				t.Error("no dentry.negative event for h")
			}
		})
	}
}
