package vfs_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// viewModel is what a viewer rebuilds from a snapshot and the events
// that follow it, by the rules of docs/trace-schema.md: every dentry
// and inode event carries the object's fields after the change, every
// page event the page's flags, every mount event the mount's fields.
type viewModel struct {
	seq     uint64
	dentry  map[uint64]trace.DentrySnap
	inode   map[uint64]trace.InodeSnap
	page    map[[2]uint64]uint64 // inode id, index: flags
	mount   map[int32]trace.MountSnap
	applied []trace.Event // the events applied, for a report; not kept if noHistory
	// noHistory: apply does not keep the events (a model fed many).
	noHistory bool
}

func newViewModel(s trace.Snapshot) *viewModel {
	m := &viewModel{seq: s.Seq, dentry: map[uint64]trace.DentrySnap{}, inode: map[uint64]trace.InodeSnap{},
		page: map[[2]uint64]uint64{}, mount: map[int32]trace.MountSnap{}}
	for _, d := range s.Dentries {
		m.dentry[d.ID] = d
	}
	for _, i := range s.Inodes {
		m.inode[i.ID] = i
	}
	for _, ms := range s.Pages {
		for _, p := range ms.Pages {
			m.page[[2]uint64{ms.Inode, p.Index}] = p.Flags
		}
	}
	for _, x := range s.Mounts {
		m.mount[x.ID] = x
	}
	return m
}

func (m *viewModel) apply(e trace.Event) {
	if e.Seq <= m.seq {
		return
	}
	m.seq = e.Seq
	if !m.noHistory {
		m.applied = append(m.applied, e)
	}
	switch e.Kind {
	case trace.DentryKill:
		delete(m.dentry, e.Dentry)
	case trace.DentryAlloc, trace.DentryHash, trace.DentryUnhash, trace.DentryLRUAdd, trace.DentryLRUDel,
		trace.DentryNegative, trace.DentryInstantiate, trace.DentryMove, trace.DentryCount, trace.DentryMounted:
		d := m.dentry[e.Dentry]
		d.ID, d.Name, d.Parent, d.Dev = e.Dentry, e.Name, e.Parent, e.Dev
		d.Inode, d.Ino = e.Inode, e.Ino
		if e.Kind == trace.DentryNegative {
			d.Inode, d.Ino = 0, 0
		}
		d.Flags, d.Count = uint32(e.Flags), e.Count
		m.dentry[e.Dentry] = d
	case trace.InodeEvict:
		delete(m.inode, e.Inode)
		for k := range m.page {
			if k[0] == e.Inode {
				delete(m.page, k)
			}
		}
	case trace.InodeAlloc, trace.InodeState, trace.InodeCount, trace.InodeSize, trace.InodeNlink:
		i := m.inode[e.Inode]
		i.ID, i.Dev, i.Ino, i.Mode, i.Nlink, i.Size = e.Inode, e.Dev, e.Ino, e.Mode, e.Nlink, e.Size
		i.State, i.Count = uint32(e.Flags), int32(e.Count)
		m.inode[e.Inode] = i
	case trace.PageRemove:
		delete(m.page, [2]uint64{e.Inode, e.Index})
	case trace.PageAdd, trace.PageFlagSet, trace.PageFlagClear:
		m.page[[2]uint64{e.Inode, e.Index}] = e.Flags
	case trace.Mount, trace.MountChange:
		m.mount[e.Mount] = trace.MountSnap{ID: e.Mount, Parent: int32(e.Parent), Dev: e.Dev, FSType: e.Op,
			Source: e.Name, Root: e.Dentry, Mountpoint: e.Target, Path: e.Path, Flags: uint32(e.Flags)}
	case trace.Umount:
		delete(m.mount, e.Mount)
	}
}

// diff lists what the model and snapshot s disagree on: the fields of
// dentries, inodes, pages and mounts the events carry.
func (m *viewModel) diff(s trace.Snapshot) []string {
	var out []string
	seen := map[uint64]bool{}
	for _, d := range s.Dentries {
		seen[d.ID] = true
		g, ok := m.dentry[d.ID]
		if !ok {
			out = append(out, fmt.Sprintf("dentry %d %q: not in the model", d.ID, d.Name))
			continue
		}
		type dv struct {
			Name               string
			Parent, Inode, Ino uint64
			Count              int64
			Flags              uint32
		}
		if a, b := (dv{g.Name, g.Parent, g.Inode, g.Ino, g.Count, g.Flags}), (dv{d.Name, d.Parent, d.Inode, d.Ino, d.Count, d.Flags}); a != b {
			out = append(out, fmt.Sprintf("dentry %d %q: model %+v, snapshot %+v", d.ID, d.Name, a, b))
		}
	}
	for id, d := range m.dentry {
		if !seen[id] {
			out = append(out, fmt.Sprintf("dentry %d %q: only in the model", id, d.Name))
		}
	}
	seen = map[uint64]bool{}
	for _, i := range s.Inodes {
		seen[i.ID] = true
		g, ok := m.inode[i.ID]
		if !ok {
			out = append(out, fmt.Sprintf("inode %d ino %d: not in the model", i.ID, i.Ino))
			continue
		}
		type iv struct {
			Ino                uint64
			Mode, Nlink, State uint32
			Size               int64
			Count              int32
		}
		if a, b := (iv{g.Ino, g.Mode, g.Nlink, g.State, g.Size, g.Count}), (iv{i.Ino, i.Mode, i.Nlink, i.State, i.Size, i.Count}); a != b {
			out = append(out, fmt.Sprintf("inode %d: model %+v, snapshot %+v", i.ID, a, b))
		}
	}
	for id, i := range m.inode {
		if !seen[id] {
			out = append(out, fmt.Sprintf("inode %d ino %d: only in the model", id, i.Ino))
		}
	}
	pages := map[[2]uint64]uint64{}
	for _, ms := range s.Pages {
		for _, p := range ms.Pages {
			pages[[2]uint64{ms.Inode, p.Index}] = p.Flags
		}
	}
	for k, f := range pages {
		if g, ok := m.page[k]; !ok || g != f {
			out = append(out, fmt.Sprintf("page %d/%d: model %#x %v (%v), snapshot %#x %v", k[0], k[1],
				g, vfs.FolioFlagNames(uint32(g)), ok, f, vfs.FolioFlagNames(uint32(f))))
		}
	}
	for k := range m.page {
		if _, ok := pages[k]; !ok {
			out = append(out, fmt.Sprintf("page %d/%d: only in the model", k[0], k[1]))
		}
	}
	mseen := map[int32]bool{}
	for _, x := range s.Mounts {
		mseen[x.ID] = true
		if g, ok := m.mount[x.ID]; !ok || g != x {
			out = append(out, fmt.Sprintf("mount %d: model %+v (%v), snapshot %+v", x.ID, g, ok, x))
		}
	}
	for id := range m.mount {
		if !mseen[id] {
			out = append(out, fmt.Sprintf("mount %d: only in the model", id))
		}
	}
	sort.Strings(out)
	return out
}

// TestTraceRebuildsSnapshot runs operations one step at a time and
// checks, after each, that a model built from the first snapshot and
// the events since equals a fresh snapshot: the schema's promise that
// the last event of an object carries its current value. The Linux
// behaviour each step's events follow:
//   - lru: mm/swap.c lru_add_fn sets PG_lru when a batch is drained
//     (the snapshot drains every batch, lru_add_drain_all);
//     folio_mark_accessed's second access activates the folio and
//     clears PG_referenced (folio_activate, folio_clear_referenced);
//   - nlink: fs/libfs.c simple_link, simple_unlink, simple_rmdir and
//     shmem_mknod's inc_nlink of the parent (fs/inode.c set_nlink,
//     inc_nlink, drop_nlink, clear_nlink);
//   - proc: fs/proc/inode.c proc_get_inode fills i_ino and i_mode
//     before the inode is instantiated;
//   - mounts: fs/namespace.c attach_recursive_mnt (d_set_mounted sets
//     DCACHE_MOUNTED), umount_tree, do_move_mount, do_remount and
//     do_reconfigure_mnt (mount(2)), and fs/dcache.c d_move, which
//     moves every mount below the renamed directory with it.
func TestTraceRebuildsSnapshot(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := v.Subscribe(1 << 16)
	defer l.Close()
	m := newViewModel(v.Snapshot())
	page := make([]byte, vfs.PAGE_SIZE)
	var fd int
	steps := []struct {
		name string
		run  func() error
	}{
		{"create and write two pages", func() error {
			var err error
			if fd, err = tk.Open("/tmp/f", vfs.O_CREAT|vfs.O_RDWR, 0o644); err != nil {
				return err
			}
			_, err = tk.Pwrite(fd, append(page, page...), 0)
			return err
		}},
		{"read page 0 (referenced)", func() error { _, err := tk.Pread(fd, page, 0); return err }},
		{"read page 0 again (active)", func() error { _, err := tk.Pread(fd, page, 0); return err }},
		{"truncate to one page", func() error { return tk.Ftruncate(fd, vfs.PAGE_SIZE) }},
		{"mkdir /tmp/d", func() error { return tk.Mkdir("/tmp/d", 0o755) }},
		{"mkdir /tmp/d/e", func() error { return tk.Mkdir("/tmp/d/e", 0o755) }},
		{"link /tmp/f /tmp/d/g", func() error { return tk.Link("/tmp/f", "/tmp/d/g") }},
		{"unlink /tmp/d/g", func() error { return tk.Unlink("/tmp/d/g") }},
		{"rmdir /tmp/d/e", func() error { return tk.Rmdir("/tmp/d/e") }},
		{"rename /tmp/d/e2 /tmp/e2 (across directories)", func() error {
			if err := tk.Mkdir("/tmp/d/e2", 0o755); err != nil {
				return err
			}
			return tk.Rename("/tmp/d/e2", "/tmp/e2")
		}},
		{"open /proc/self/mountinfo", func() error {
			pfd, err := tk.Open("/proc/self/mountinfo", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			return tk.Close(pfd)
		}},
		{"mkdirs", func() error {
			for _, d := range []string{"/m1", "/m2", "/m3", "/m3/sub", "/src"} {
				if err := tk.Mkdir(d, 0o755); err != nil {
					return err
				}
			}
			return nil
		}},
		{"mount -o ro tmpfs /m1", func() error { return tk.Mount("none", "/m1", "tmpfs", vfs.MS_RDONLY, "") }},
		{"mount --bind /src /m2", func() error { return tk.Mount("/src", "/m2", "", vfs.MS_BIND, "") }},
		{"mount --move /m2 /m3/sub", func() error { return tk.Mount("/m2", "/m3/sub", "", vfs.MS_MOVE, "") }},
		{"mount -o remount,rw /m1", func() error { return tk.Mount("none", "/m1", "tmpfs", vfs.MS_REMOUNT, "") }},
		{"mount -o remount,bind,ro /m3/sub", func() error {
			return tk.Mount("none", "/m3/sub", "", vfs.MS_REMOUNT|vfs.MS_BIND|vfs.MS_RDONLY, "")
		}},
		{"rename /m3 /m4", func() error { return tk.Rename("/m3", "/m4") }},
		{"umount -l /m4/sub", func() error { return tk.Umount2("/m4/sub", vfs.MNT_DETACH) }},
		{"umount /m1", func() error { return tk.Umount2("/m1", 0) }},
		{"close", func() error { return tk.Close(fd) }},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		s := v.Snapshot()
		before := len(m.applied)
		for _, e := range drain(l) {
			if e.Kind == trace.Lost {
				t.Fatalf("%s: events lost", st.name)
			}
			if e.Seq <= s.Seq {
				m.apply(e)
			}
		}
		if d := m.diff(s); len(d) > 0 {
			var evs []string
			for _, e := range m.applied[before:] {
				evs = append(evs, fmt.Sprintf("%s %+v", e.Kind, e))
			}
			t.Errorf("%s: the model differs from the snapshot:\n\t%v\nevents:\n\t%v", st.name, d, evs)
		}
		// Each step starts from the snapshot, so that a step's report
		// names what that step's events missed.
		m = newViewModel(s)
	}
}

// TestTracePageFlagsRace: three tasks read the same page at once, two
// reads each, page after page, so that their flag changes (PG_locked,
// PG_referenced, then PG_active with PG_referenced cleared: mm/swap.c
// folio_mark_accessed) race and reach the bus in any order; the last
// event of each page must still carry its current flags (read when the
// event is numbered), so a model of the pages equals the snapshot after.
func TestTracePageFlagsRace(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n, tasks = 512, 3
	buf := make([]byte, vfs.PAGE_SIZE)
	for round := range 6 {
		name := fmt.Sprintf("/tmp/f%d", round)
		fd, err := tk.Open(name, vfs.O_CREAT|vfs.O_RDWR, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if _, err := tk.Pwrite(fd, buf, int64(i)*vfs.PAGE_SIZE); err != nil {
				t.Fatal(err)
			}
		}
		tk.Close(fd)
		l := v.Subscribe(1 << 20)
		m := newViewModel(v.Snapshot())
		start := make([]chan struct{}, n)
		for i := range start {
			start[i] = make(chan struct{})
		}
		var step, done sync.WaitGroup
		for w := range tasks {
			wt := tk.Fork(fmt.Sprint("r", w))
			wfd, err := wt.Open(name, vfs.O_RDONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			done.Add(1)
			go func() {
				defer done.Done()
				b := make([]byte, vfs.PAGE_SIZE)
				for i := range n {
					<-start[i]
					wt.Pread(wfd, b, int64(i)*vfs.PAGE_SIZE)
					wt.Pread(wfd, b, int64(i)*vfs.PAGE_SIZE)
					step.Done()
				}
				wt.Close(wfd)
				wt.Exit()
			}()
		}
		for i := range n {
			step.Add(tasks)
			close(start[i])
			step.Wait()
		}
		done.Wait()
		s := v.Snapshot()
		for _, e := range drain(l) {
			if e.Kind == trace.Lost {
				t.Fatalf("round %d: events lost", round)
			}
			if e.Seq <= s.Seq {
				m.apply(e)
			}
		}
		l.Close()
		var bad []string
		for _, d := range m.diff(s) {
			if len(d) > 4 && d[:4] == "page" {
				bad = append(bad, d)
			}
		}
		if len(bad) > 0 {
			if len(bad) > 5 {
				bad = bad[:5]
			}
			t.Fatalf("round %d: pages differ from the snapshot: %v", round, bad)
		}
	}
}
