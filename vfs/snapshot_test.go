package vfs_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// checkSnapshot checks what must hold of any snapshot, even one taken
// while the VFS runs: every listed reference resolves, and it encodes in
// the schema.
func checkSnapshot(t *testing.T, s trace.Snapshot) {
	t.Helper()
	if s.Schema != trace.Schema {
		t.Fatalf("schema %q", s.Schema)
	}
	ids := map[uint64]trace.DentrySnap{}
	for _, d := range s.Dentries {
		if _, dup := ids[d.ID]; dup {
			t.Errorf("dentry %d listed twice", d.ID)
		}
		ids[d.ID] = d
	}
	for _, d := range s.Dentries {
		if _, ok := ids[d.Parent]; !ok {
			t.Errorf("dentry %d (%s) has parent %d, not in the snapshot", d.ID, d.Name, d.Parent)
		}
		if d.Bucket < 0 || d.Bucket >= s.Hash.Buckets {
			t.Errorf("dentry %d in bucket %d of %d", d.ID, d.Bucket, s.Hash.Buckets)
		}
	}
	inodes := map[uint64]bool{}
	for _, in := range s.Inodes {
		inodes[in.ID] = true
	}
	for _, m := range s.Pages {
		if !inodes[m.Inode] {
			t.Errorf("pages of inode %d, not in the snapshot", m.Inode)
		}
	}
	if b, err := trace.Marshal(&s); err != nil {
		t.Fatal(err)
	} else {
		var back trace.Snapshot
		if err := trace.DecodeSnapshot(b, &back); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSnapshotQuiescent checks a snapshot of an idle VFS against what
// was done and against the counters.
func TestSnapshotQuiescent(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tk.Mkdir("/d", 0o755))
	fd, err := tk.Creat("/d/f", 0o644)
	must(err)
	_, err = tk.Write(fd, make([]byte, 3*vfs.PAGE_SIZE+10))
	must(err)

	s := v.Snapshot()
	checkSnapshot(t, s)
	byName := map[string]trace.DentrySnap{}
	for _, d := range s.Dentries {
		byName[d.Name] = d
	}
	dd, f := byName["d"], byName["f"]
	if dd.Inode == 0 || !dd.Hashed || f.Parent != dd.ID || f.Inode == 0 || f.Count < 1 {
		t.Errorf("d %+v, f %+v", dd, f)
	}
	inodes := map[uint64]trace.InodeSnap{}
	for _, in := range s.Inodes {
		inodes[in.ID] = in
	}
	if in := inodes[f.Inode]; in.Ino != f.Ino || in.Size != 3*vfs.PAGE_SIZE+10 || in.Nlink != 1 || in.Mode != vfs.S_IFREG|0o644 {
		t.Errorf("inode of f: %+v", in)
	}
	if in := inodes[dd.Inode]; in.Mode&vfs.S_IFMT != vfs.S_IFDIR || in.Nlink != 2 {
		t.Errorf("inode of d: %+v", in)
	}
	// Every hashed dentry is on its bucket's chain, and every chain
	// member is a hashed dentry of that bucket.
	chains := map[uint64]int64{}
	for _, c := range s.Hash.Chains {
		for _, id := range c.Dentries {
			chains[id] = c.Bucket
		}
	}
	for _, d := range s.Dentries {
		b, on := chains[d.ID]
		if d.Hashed != on || (on && b != d.Bucket) {
			t.Errorf("dentry %d (%s): hashed %v bucket %d, on chain %v of bucket %d", d.ID, d.Name, d.Hashed, d.Bucket, on, b)
		}
	}
	// The LRU lists exactly the dentries flagged on it, and the counters
	// agree with a recount of the snapshot.
	onLRU := 0
	for _, l := range s.LRU {
		for _, id := range l.Dentries {
			if !byID(s, id).OnLRU {
				t.Errorf("dentry %d on an LRU list without the flag", id)
			}
			onLRU++
		}
	}
	flagged, negLRU := 0, 0
	for _, d := range s.Dentries {
		if d.OnLRU {
			flagged++
			if d.Inode == 0 {
				negLRU++
			}
		}
	}
	c := s.Counters
	if onLRU != flagged || int64(onLRU) != c.NrUnused || int64(negLRU) != c.NrNegative || int64(len(s.Dentries)) != c.NrDentry {
		t.Errorf("LRU %d, flagged %d, negative on LRU %d, dentries %d; counters %+v", onLRU, flagged, negLRU, len(s.Dentries), c)
	}
	if int64(len(s.Inodes)) != c.NrInodes {
		t.Errorf("%d inodes listed, nr_inodes %d", len(s.Inodes), c.NrInodes)
	}
	// Pages: as many as the page cache counts, those of f within its size.
	pages := int64(0)
	for _, m := range s.Pages {
		pages += int64(len(m.Pages))
		if m.Inode == f.Inode {
			for _, p := range m.Pages {
				if p.Index > 3 || p.Flags&vfs.PG_uptodate == 0 {
					t.Errorf("page %+v of f", p)
				}
			}
		}
	}
	t.Logf("%d pages cached", pages)
	for _, name := range []string{"MemTotal", "MemFree", "MemAvailable", "Cached", "Dirty", "Writeback", "Shmem", "Active(file)", "Inactive(file)"} {
		if _, ok := c.Meminfo[name]; !ok {
			t.Errorf("snapshot meminfo has no %s", name)
		}
	}
	if c.Meminfo["MemTotal"] != v.MemInfo().MemTotal/1024 {
		t.Errorf("MemTotal %d kB, budget %d bytes", c.Meminfo["MemTotal"], v.MemInfo().MemTotal)
	}
	if pages*vfs.PAGE_SIZE/1024 != c.Meminfo["Cached"] {
		t.Errorf("%d pages listed, Cached %d kB", pages, c.Meminfo["Cached"])
	}
	// The task holds nothing between calls; the root mount is listed.
	if len(s.Tasks) == 0 || s.Tasks[0].PID != tk.PID() || len(s.Tasks[0].Held) != 0 {
		t.Errorf("tasks %+v", s.Tasks)
	}
	if len(s.Mounts) == 0 || s.Mounts[0].Path != "/" || s.Mounts[0].Root != byID(s, s.Mounts[0].Root).ID {
		t.Errorf("mounts %+v", s.Mounts)
	}
	must(tk.Close(fd))
}

func byID(s trace.Snapshot, id uint64) trace.DentrySnap {
	for _, d := range s.Dentries {
		if d.ID == id {
			return d
		}
	}
	return trace.DentrySnap{}
}

// TestSnapshotWhileRunning takes snapshots while tasks create, write,
// rename and unlink (run it with -race): each must be well formed, and
// nothing may deadlock or trip the validator.
func TestSnapshotWhileRunning(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		task := tk.Fork(fmt.Sprintf("w%d", w))
		go func(w int, task *vfs.Task) {
			defer wg.Done()
			defer task.Exit()
			dir := fmt.Sprintf("/w%d", w)
			if err := task.Mkdir(dir, 0o755); err != nil {
				errs <- err
				return
			}
			for i := 0; !stop.Load(); i++ {
				a, b := fmt.Sprintf("%s/a%d", dir, i%7), fmt.Sprintf("%s/b%d", dir, i%5)
				if fd, err := task.Creat(a, 0o644); err == nil {
					task.Write(fd, make([]byte, 5000))
					task.Close(fd)
				}
				task.Rename(a, b)
				if i%3 == 0 {
					task.Unlink(b)
				}
				var st vfs.Stat
				task.Stat(dir+"/nothing", &st)
				runtime.Gosched()
			}
		}(w, task)
	}
	for i := 0; i < 30; i++ {
		checkSnapshot(t, v.Snapshot())
		runtime.Gosched()
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if r := v.Validator().Reports(); len(r) > 0 {
		t.Fatalf("validator: %v", r)
	}
	s := v.Snapshot()
	checkSnapshot(t, s)
	b, _ := json.Marshal(s.Counters)
	if s.Counters.NrDentry != int64(len(s.Dentries)) {
		t.Errorf("quiescent again: %d dentries listed, counters %s", len(s.Dentries), b)
	}
}
