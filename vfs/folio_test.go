package vfs

import (
	"math/rand"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

// pcEnv is a VFS with lock validation on, a minimal filesystem type
// "pctest" mounted at the root, and a task.
func pcEnv(t testing.TB) (*VFS, *Task, *SuperBlock) {
	t.Helper()
	return pcEnvWith(t, Options{Lockdep: true})
}

// pcEnvWith is pcEnv on a VFS made with opts.
func pcEnvWith(t testing.TB, opts Options) (*VFS, *Task, *SuperBlock) {
	t.Helper()
	v := New(opts)
	tk := v.NewTask("pctest", RootCred)
	fst := &FileSystemType{
		Name: "pctest",
		Mount: func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
			return MountNodev(t, fst, flags, data, func(t *Task, sb *SuperBlock, data string) error {
				root := NewInode(t, sb)
				root.SetModeType(S_IFDIR | 0o755)
				root.SetNlink(2)
				d, err := MakeRoot(t, root)
				if err != nil {
					return err
				}
				sb.SetRoot(d)
				return nil
			})
		},
		KillSB: KillLitterSuper,
	}
	if err := v.RegisterFilesystem(tk, fst); err != nil {
		t.Fatal(err)
	}
	if err := v.MountRoot(tk, "pctest", ""); err != nil {
		t.Fatal(err)
	}
	return v, tk, tk.Root().Mnt.SB()
}

func pcInode(t *Task, sb *SuperBlock) *Inode {
	in := NewInode(t, sb)
	in.SetModeType(S_IFREG | 0o644)
	return in
}

func pcNoReports(t *testing.T, v *VFS) {
	t.Helper()
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
}

// TestXarray checks the page index against a map under random stores,
// erases and mark changes: lookups, marked and unmarked range scans,
// holes, and that emptied nodes are freed.
func TestXarray(t *testing.T) {
	for _, tc := range []struct {
		name  string
		span  int64 // indices drawn from [0, span)
		steps int
	}{
		{"single page", 1, 200},
		{"one leaf", 64, 2000},
		{"two levels", 4096, 5000},
		{"sparse far", 1 << 40, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			var xa xarray
			model := map[int64]*Folio{}
			marks := [xaMarks]map[int64]bool{{}, {}, {}}
			for step := 0; step < tc.steps; step++ {
				idx := rng.Int63n(tc.span)
				if tc.span > 4096 && rng.Intn(2) == 0 {
					idx = rng.Int63n(200) // cluster near 0 too
				}
				switch op := rng.Intn(10); {
				case op < 4:
					if model[idx] == nil {
						f := &Folio{index: idx}
						xa.store(idx, f)
						model[idx] = f
					}
				case op < 6:
					xa.erase(idx)
					delete(model, idx)
					for m := range marks {
						delete(marks[m], idx)
					}
				case op < 8:
					if model[idx] != nil {
						m := rng.Intn(xaMarks)
						xa.setMark(idx, m)
						marks[m][idx] = true
					}
				default:
					m := rng.Intn(xaMarks)
					if model[idx] != nil {
						xa.clearMark(idx, m)
						delete(marks[m], idx)
					}
				}
				if got := xa.load(idx); got != model[idx] {
					t.Fatalf("step %d: load(%d) = %p, want %p", step, idx, got, model[idx])
				}
			}
			var want []int64
			for idx := range model {
				want = append(want, idx)
			}
			sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
			var got []int64
			xa.find(0, 1<<62, -1, func(idx int64, f *Folio) bool {
				if f != model[idx] {
					t.Fatalf("find: %d gives a different folio", idx)
				}
				got = append(got, idx)
				return true
			})
			if !equalInts(got, want) {
				t.Fatalf("find all: got %v, want %v", got, want)
			}
			for m := range xaMarks {
				var wm []int64
				for _, idx := range want {
					if marks[m][idx] {
						wm = append(wm, idx)
					}
					if xa.getMark(idx, m) != marks[m][idx] {
						t.Fatalf("getMark(%d, %d) = %v", idx, m, !marks[m][idx])
					}
				}
				var gm []int64
				xa.find(0, 1<<62, m, func(idx int64, f *Folio) bool { gm = append(gm, idx); return true })
				if !equalInts(gm, wm) {
					t.Fatalf("find mark %d: got %v, want %v", m, gm, wm)
				}
				if xa.anyMark(m) != (len(wm) > 0) {
					t.Fatalf("anyMark(%d) = %v with %d marked", m, xa.anyMark(m), len(wm))
				}
			}
			// nextHole from every present index.
			for _, idx := range want {
				h := xa.nextHole(idx, 1<<62)
				for i := idx; i < h; i++ {
					if model[i] == nil {
						t.Fatalf("nextHole(%d) = %d skips hole %d", idx, h, i)
					}
				}
				if model[h] != nil {
					t.Fatalf("nextHole(%d) = %d, which is present", idx, h)
				}
			}
			for _, idx := range want {
				xa.erase(idx)
			}
			if xa.head.Load() != nil || xa.single.Load() != nil {
				t.Fatalf("empty xarray keeps nodes: %d", xa.nodeCount())
			}
		})
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestXarrayMarkedSkip: a tagged scan of a large mostly-clean index
// visits only the tagged subtrees (the folios it calls back for are the
// tagged ones, and the nodes it loads are few).
func TestXarrayMarkedSkip(t *testing.T) {
	var xa xarray
	const n = 1 << 16
	for i := int64(0); i < n; i++ {
		xa.store(i, &Folio{index: i})
	}
	tagged := []int64{5, 4097, 60000}
	for _, i := range tagged {
		xa.setMark(i, PAGECACHE_TAG_DIRTY)
	}
	var got []int64
	xa.find(0, n, PAGECACHE_TAG_DIRTY, func(idx int64, f *Folio) bool { got = append(got, idx); return true })
	if !equalInts(got, tagged) {
		t.Fatalf("tagged scan: %v, want %v", got, tagged)
	}
	// From the middle, stopping after one.
	got = got[:0]
	xa.find(100, n, PAGECACHE_TAG_DIRTY, func(idx int64, f *Folio) bool { got = append(got, idx); return false })
	if !equalInts(got, []int64{4097}) {
		t.Fatalf("tagged scan from 100: %v", got)
	}
}

// TestFolioMetadataCost: page metadata (the Folio and its share of the
// page index) stays under 2% of the cached data (81.92 bytes a page),
// measured on a 256 MiB mapping.
func TestFolioMetadataCost(t *testing.T) {
	var xa xarray
	const pages = 256 << 20 / PAGE_SIZE
	for i := int64(0); i < pages; i++ {
		xa.store(i, &Folio{index: i})
	}
	folio := unsafe.Sizeof(Folio{})
	node := unsafe.Sizeof(xaNode{})
	nodes := xa.nodeCount()
	perPage := float64(folio) + float64(nodes)*float64(node)/pages
	t.Logf("Folio %d bytes, xaNode %d bytes, %d nodes: %.1f bytes of metadata per 4096-byte page (%.2f%%)",
		folio, node, nodes, perPage, 100*perPage/PAGE_SIZE)
	if perPage > 0.02*PAGE_SIZE {
		t.Fatalf("metadata %.1f bytes per page, over 2%% of %d", perPage, PAGE_SIZE)
	}
}

// TestFolioLock: the bit lock excludes, wakes its waiters, and tells the
// validator (held while locked; a bad unlock is reported).
func TestFolioLock(t *testing.T) {
	v, tk, _ := pcEnv(t)
	f := folioAlloc(nil)
	other := tk.Fork("other") // before the lock: fork returns with none held
	FolioLock(tk, f)
	if !f.Locked() || !FolioHeldBy(tk, f) {
		t.Fatalf("locked folio: flags %v held %v", FolioFlagNames(f.Flags()), FolioHeldBy(tk, f))
	}
	if FolioTrylock(other, f) {
		t.Fatal("trylock of a locked folio succeeded")
	}
	FolioUnlock(tk, f)
	if f.Locked() || FolioHeldBy(tk, f) {
		t.Fatal("unlocked folio still locked")
	}

	// Many tasks increment a counter under the lock.
	const workers, rounds = 4, 300
	counter := 0
	var wg sync.WaitGroup
	for w := range workers {
		wt := tk.Fork("locker")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				FolioLock(wt, f)
				c := counter
				runtime.Gosched()
				counter = c + 1
				FolioUnlock(wt, f)
			}
			_ = w
		}()
	}
	wg.Wait()
	if counter != workers*rounds {
		t.Fatalf("counter %d, want %d", counter, workers*rounds)
	}

	// folio_wait_writeback sleeps until the end of writeback.
	f.flags.Or(PG_writeback)
	done := make(chan struct{})
	go func() {
		FolioWaitWriteback(tk.Fork("waiter"), f)
		close(done)
	}()
	for f.flags.Load()&PG_waiters == 0 {
		runtime.Gosched()
	}
	f.flags.And(^uint32(PG_writeback))
	folioWake(f)
	<-done
	pcNoReports(t, v)

	// Unlocking a folio the task does not hold is a bad unlock.
	FolioUnlock(tk, f)
	found := false
	for _, r := range v.Validator().Reports() {
		found = found || r.Kind == lock.BadUnlock
	}
	if !found {
		t.Fatal("unlock of an unheld folio lock not reported")
	}
}

// TestFolioStateCounters follows folios through insert, dirty, writeback
// and removal and checks flags, tags and the VFS's counters at each step.
func TestFolioStateCounters(t *testing.T) {
	for _, tc := range []struct {
		name      string
		swap      bool
		dirty     func(*Task, *AddressSpace, *Folio) bool
		wantDirty int64 // NR_FILE_DIRTY after dirtying 3
		wantShmem int64
		wantTag   bool
	}{
		{"file", false, FilemapDirtyFolio, 3, 0, true},
		{"shmem", true, NoopDirtyFolio, 0, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			in := pcInode(tk, sb)
			m := in.Mapping()
			m.AOps = &AddressSpaceOperations{DirtyFolio: tc.dirty}
			if tc.swap {
				m.SetFlags(AS_SWAPBACKED)
			}
			var folios []*Folio
			for _, idx := range []int64{0, 7, 100} {
				f, err := FilemapGrabFolio(tk, m, idx, FGP_CREAT|FGP_LOCK)
				if err != nil {
					t.Fatal(err)
				}
				// References: the caller's, the cache's and the
				// task's lru_add batch's (folio_add_lru).
				if !f.Locked() || f.Uptodate() || f.Mapping() != m || f.Refcount() != 3 || f.Flags()&PG_lru != 0 {
					t.Fatalf("new folio %d: flags %v mapping %p refs %d", idx, FolioFlagNames(f.Flags()), f.Mapping(), f.Refcount())
				}
				FolioMarkUptodate(f)
				if !FolioMarkDirty(tk, f) || FolioMarkDirty(tk, f) {
					t.Fatal("folio_mark_dirty: first should report clean, second dirty")
				}
				FolioUnlock(tk, f)
				folios = append(folios, f)
			}
			st := v.MemStat()
			if m.NrPages() != 3 || st.FilePages != 3 || st.Dirty != tc.wantDirty || st.Shmem != tc.wantShmem || st.Inactive != 3 {
				t.Fatalf("after dirtying: nrpages %d, %+v", m.NrPages(), st)
			}
			if m.Tagged(PAGECACHE_TAG_DIRTY) != tc.wantTag {
				t.Fatalf("dirty tag %v, want %v", m.Tagged(PAGECACHE_TAG_DIRTY), tc.wantTag)
			}
			if tc.wantTag {
				batch := make([]*Folio, 8)
				n, _ := FindGetFoliosTag(m, 0, 1<<40, PAGECACHE_TAG_DIRTY, batch)
				if n != 3 {
					t.Fatalf("dirty folios found: %d", n)
				}
				for _, f := range batch[:n] {
					FolioPut(f)
				}
				if in.State()&I_DIRTY_PAGES == 0 {
					t.Fatal("inode not I_DIRTY_PAGES")
				}
			}
			// Second access activates.
			f := folios[1]
			FolioMarkAccessed(tk, f)
			FolioMarkAccessed(tk, f)
			if f.Flags()&PG_active == 0 || v.MemStat().Active != 1 {
				t.Fatalf("two accesses: flags %v, %+v", FolioFlagNames(f.Flags()), v.MemStat())
			}
			// Writeback of folio 7.
			FolioLock(tk, f)
			if !FolioClearDirtyForIO(tk, f) {
				t.Fatal("clear_dirty_for_io: not dirty")
			}
			FolioStartWriteback(tk, f)
			FolioUnlock(tk, f)
			if !f.Writeback() || f.Dirty() || m.FolioTagged(7, PAGECACHE_TAG_DIRTY) || !m.FolioTagged(7, PAGECACHE_TAG_WRITEBACK) {
				t.Fatalf("under writeback: flags %v", FolioFlagNames(f.Flags()))
			}
			if st := v.MemStat(); st.Writeback != 1 || st.Dirty != max(tc.wantDirty-1, 0) {
				t.Fatalf("under writeback: %+v", st)
			}
			FolioEndWriteback(tk, f)
			if f.Writeback() || m.Tagged(PAGECACHE_TAG_WRITEBACK) || v.MemStat().Writeback != 0 {
				t.Fatalf("after writeback: flags %v %+v", FolioFlagNames(f.Flags()), v.MemStat())
			}
			// Remove all.
			for _, f := range folios {
				FolioLock(tk, f)
				filemapRemoveFolio(tk, m, f)
				FolioUnlock(tk, f)
				if f.Mapping() != nil || f.Refcount() != 1 || f.Flags()&PG_lru != 0 {
					t.Fatalf("removed folio: mapping %p refs %d flags %v", f.Mapping(), f.Refcount(), FolioFlagNames(f.Flags()))
				}
				FolioPut(f)
			}
			if st := v.MemStat(); m.NrPages() != 0 || st != (MemStat{}) {
				t.Fatalf("after removal: nrpages %d %+v", m.NrPages(), st)
			}
			if FilemapGetFolio(m, 7) != nil {
				t.Fatal("removed folio still found")
			}
			pcNoReports(t, v)
		})
	}
}

// TestFolioEvents: every state change reaches the trace bus once, in
// order, with the bits changed and the flags after.
func TestFolioEvents(t *testing.T) {
	v, tk, sb := pcEnv(t)
	m := pcInode(tk, sb).Mapping()
	l := v.TraceBus().Subscribe(64)
	defer l.Close()
	f, err := FilemapGrabFolio(tk, m, 3, FGP_CREAT|FGP_LOCK)
	if err != nil {
		t.Fatal(err)
	}
	FolioMarkUptodate(f)
	FilemapDirtyFolio(tk, m, f)
	FolioClearDirtyForIO(tk, f)
	FolioStartWriteback(tk, f)
	FolioEndWriteback(tk, f)
	filemapRemoveFolio(tk, m, f)
	FolioUnlock(tk, f)
	want := []string{"page.add 0", "page.flag_set uptodate", "page.flag_set dirty", "page.flag_clear dirty",
		"page.flag_set writeback", "page.flag_clear writeback", "page.remove 0"}
	checkPageEvents(t, l, 3, want)
}

// checkPageEvents reads l's page events (add, remove, flag set and
// clear), which must all be of index, and compares them, as "kind bits",
// with want.
func checkPageEvents(t *testing.T, l *trace.Listener, index uint64, want []string) {
	t.Helper()
	evs := make([]trace.Event, 64)
	n := l.Read(evs)
	var got []string
	for _, e := range evs[:n] {
		if e.Kind != trace.PageAdd && e.Kind != trace.PageRemove && e.Kind != trace.PageFlagSet && e.Kind != trace.PageFlagClear {
			continue
		}
		if e.Index != index {
			t.Errorf("event %v for index %d", e.Kind, e.Index)
		}
		s := e.Kind.String()
		if e.Bits == 0 {
			s += " 0"
		} else {
			s += " " + strings.Join(FolioFlagNames(uint32(e.Bits)), ",")
		}
		got = append(got, s)
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
}
