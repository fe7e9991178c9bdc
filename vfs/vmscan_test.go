package vfs_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// rcMapping returns the mapping of the file open as fd (and drops the
// path reference).
func (e *rcEnv) mapping(fd int) *AddressSpace {
	e.TB.Helper()
	p, _, ok := e.Root.FDFile(e.Root, fd)
	if !ok {
		e.TB.Fatalf("fd %d not open", fd)
	}
	m := p.Dentry.Inode().Mapping()
	p.Put(e.Root)
	return m
}

func (e *rcEnv) open(name string) int {
	e.TB.Helper()
	fd, err := e.Root.Open("/r/"+name, O_CREAT|O_RDWR, 0o644)
	e.Must(err)
	return fd
}

func (e *rcEnv) pwrite(fd int, data []byte, off int64) {
	e.TB.Helper()
	n, err := e.Root.Pwrite(fd, data, off)
	e.Must(err)
	if n != len(data) {
		e.TB.Fatalf("short write %d of %d", n, len(data))
	}
}

func (e *rcEnv) pread(fd int, n int, off int64) []byte {
	e.TB.Helper()
	b := make([]byte, n)
	got, err := e.Root.Pread(fd, b, off)
	e.Must(err)
	return b[:got]
}

// folioFlags returns the flags of the folio at idx (0 and false if
// absent).
func folioFlags(m *AddressSpace, idx int64) (uint32, bool) {
	f := FilemapGetFolio(m, idx)
	if f == nil {
		return 0, false
	}
	defer FolioPut(f)
	return f.Flags(), true
}

// TestSecondReferenceActivates: a page read in enters the inactive list;
// the first access sets PG_referenced, the second moves it to the active
// list (mark_page_accessed), and reclaim's aging moves it back.
func TestSecondReferenceActivates(t *testing.T) {
	e := newRCEnv(t, 0)
	fd := e.open("a")
	e.pwrite(fd, bytes.Repeat([]byte{'a'}, 2*PAGE_SIZE), 0)
	e.Root.Sync()
	e.Must(e.V.DropCaches(e.Root, 1))
	m := e.mapping(fd)
	if m.NrPages() != 0 {
		t.Fatalf("drop_caches left %d pages", m.NrPages())
	}
	fd2, fd3 := e.open("a"), e.open("a")
	steps := []struct {
		what             string
		do               func()
		referenced, actv bool
		active, inactive int64
	}{
		// Each read through its own descriptor: filemap_read does not
		// mark a folio again for a read that starts in the folio the
		// description's previous read ended in (ra->prev_pos).
		{"first read", func() { e.pread(fd, 10, 0) }, true, false, 0, 2},
		{"second read", func() { e.pread(fd2, 10, 0) }, false, true, 1, 1},
		{"third read", func() { e.pread(fd3, 10, 0) }, true, true, 1, 1},
	}
	for _, s := range steps {
		s.do()
		fl, ok := folioFlags(m, 0)
		if !ok {
			t.Fatalf("%s: page 0 not cached", s.what)
		}
		if got := fl&PG_referenced != 0; got != s.referenced {
			t.Errorf("%s: referenced %v, want %v (%v)", s.what, got, s.referenced, FolioFlagNames(fl))
		}
		if got := fl&PG_active != 0; got != s.actv {
			t.Errorf("%s: active %v, want %v (%v)", s.what, got, s.actv, FolioFlagNames(fl))
		}
		if st := e.V.MemStat(); st.Active != s.active || st.Inactive != s.inactive {
			t.Errorf("%s: active %d inactive %d, want %d %d", s.what, st.Active, st.Inactive, s.active, s.inactive)
		}
	}
	e.Must(e.Root.Close(fd))
	e.Must(e.Root.Close(fd2))
	e.Must(e.Root.Close(fd3))
}

// TestReclaimKeepsBudget: writers and readers over many files on rcfs
// under a budget of 256 KiB (64 pages), far less than the 2 MiB they
// write. Reclaim keeps the memory charged within the budget plus the
// documented slack, and loses no dirty byte: every file reads back as a
// model of the writes says, through the cache and, after sync, from the
// disk.
func TestReclaimKeepsBudget(t *testing.T) {
	const budget = 256 << 10
	e := newRCEnv(t, budget)
	v := e.V
	const (
		writers = 3
		files   = 8
		fileLen = 24 * PAGE_SIZE
		rounds  = 300
	)
	// The model: one byte array per file; each writer owns its files.
	model := make([][]byte, writers*files)
	for i := range model {
		model[i] = make([]byte, fileLen)
	}
	// The slack: one page per task allocating at the same moment, plus
	// the dentries and inodes charged without direct reclaim (a few per
	// file).
	slack := int64(writers+1)*PAGE_SIZE + int64(writers*files+8)*(DentryCost+InodeCost)
	var maxUsed int64
	var mu sync.Mutex
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			u := v.MemUsed()
			mu.Lock()
			maxUsed = max(maxUsed, u)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		tk := e.Root.Fork(fmt.Sprintf("w%d", w))
		go func(w int, tk *Task) {
			defer wg.Done()
			defer tk.Exit()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for r := 0; r < rounds; r++ {
				k := w*files + rng.IntN(files)
				fd, err := tk.Open(fmt.Sprintf("/r/f%d", k), O_CREAT|O_RDWR, 0o644)
				if err != nil {
					errs <- err
					return
				}
				off := rng.IntN(fileLen - 1)
				n := 1 + rng.IntN(min(fileLen-off, 3*PAGE_SIZE))
				buf := make([]byte, n)
				for i := range buf {
					buf[i] = byte('a' + rng.IntN(26))
				}
				if _, err := tk.Pwrite(fd, buf, int64(off)); err != nil {
					errs <- fmt.Errorf("pwrite: %w", err)
					tk.Close(fd)
					return
				}
				copy(model[k][off:], buf)
				// Read another part back and check it against the model.
				ro := rng.IntN(fileLen - PAGE_SIZE)
				got := make([]byte, PAGE_SIZE)
				if _, err := tk.Pread(fd, got, int64(ro)); err != nil {
					errs <- fmt.Errorf("pread: %w", err)
					tk.Close(fd)
					return
				}
				want := model[k][ro : ro+PAGE_SIZE]
				if !bytes.Equal(trimZeros(got), trimZeros(want)) && !bytes.Equal(got, want) {
					errs <- fmt.Errorf("f%d at %d: read differs from the model", k, ro)
				}
				tk.Close(fd)
			}
		}(w, tk)
	}
	wg.Wait()
	close(stop)
	sampler.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rs := v.ReclaimStats()
	t.Logf("budget %d, max charged %d (slack %d); %+v; %+v", budget, maxUsed, slack, v.MemStat(), rs)
	if maxUsed > budget+slack {
		t.Errorf("charged %d bytes, over the budget %d + slack %d", maxUsed, budget, slack)
	}
	if rs.Stolen == 0 {
		t.Errorf("reclaim freed nothing: %+v", rs)
	}
	// Every byte: through the cache, then from the disk after sync.
	check := func(stage string) {
		for k := range model {
			fd, err := e.Root.Open(fmt.Sprintf("/r/f%d", k), O_RDONLY, 0)
			if err == ENOENT {
				if !bytes.Equal(model[k], make([]byte, fileLen)) {
					t.Errorf("%s: f%d missing", stage, k)
				}
				continue
			}
			e.Must(err)
			got := e.pread(fd, fileLen, 0)
			e.Must(e.Root.Close(fd))
			want := bytes.TrimRight(model[k], "\x00")
			if !bytes.Equal(bytes.TrimRight(got, "\x00"), want) {
				t.Errorf("%s: f%d differs from the model", stage, k)
			}
		}
	}
	check("cache")
	e.Root.Sync()
	e.Must(v.DropCaches(e.Root, 3))
	check("disk")
	e.fs.mu.Lock()
	lost := e.fs.lostPages
	e.fs.mu.Unlock()
	if lost != 0 {
		t.Errorf("%d inodes evicted with dirty pages", lost)
	}
}

// trimZeros drops trailing zeros: the model's unwritten tail and a
// short read past EOF compare equal.
func trimZeros(b []byte) []byte { return bytes.TrimRight(b, "\x00") }

// TestKswapdWritesDirtyPages: with free memory below the low watermark
// and the budget full of dirty pages, kswapd writes them back itself
// (->writepage with for_reclaim; the flusher is not involved: the dirty
// thresholds are above the budget) and frees them on a later pass, until
// free memory is above the high watermark. Nothing is lost.
func TestKswapdWritesDirtyPages(t *testing.T) {
	const budget = 256 << 10
	e := newRCEnv(t, budget)
	v := e.V
	e.Must(v.SetDirtyTunable("dirty_bytes", 4*budget))
	e.Must(v.SetDirtyTunable("dirty_background_bytes", 2*budget))
	low, high := v.Watermarks()
	fd := e.open("big")
	var data []byte
	// Dirty pages until free memory is under the low watermark, but not
	// so far that an allocation must reclaim itself.
	for budget-v.MemUsed() >= low {
		pg := bytes.Repeat([]byte{byte(len(data) / PAGE_SIZE)}, PAGE_SIZE)
		e.pwrite(fd, pg, int64(len(data)))
		data = append(data, pg...)
	}
	vt.WaitFor(t, "kswapd to end", func() bool { return !v.KswapdRunning() })
	rs := v.ReclaimStats()
	if e.fs.count("reclaim") == 0 || rs.Pageout == 0 || e.fs.count("flusher") != 0 {
		t.Errorf("->writepage calls %v, want reclaim's only; %+v", e.fs.writepages, rs)
	}
	if rs.DirectReclaims != 0 || rs.Stolen == 0 {
		t.Errorf("%+v: want pages freed by kswapd alone", rs)
	}
	if free := budget - v.MemUsed(); free < high {
		t.Errorf("free %d below the high watermark %d after kswapd", free, high)
	}
	if got := e.pread(fd, len(data), 0); !bytes.Equal(got, data) {
		t.Errorf("file differs after reclaim")
	}
	e.Must(e.Root.Close(fd))
}

func usedAndWmarks(v *VFS) (used, low, high int64) {
	low, high = v.Watermarks()
	return v.MemUsed(), low, high
}

// TestReclaimTmpfsOnlyENOMEM: tmpfs pages are never freed (no swap): a
// VFS whose budget holds nothing else fails the allocation with ENOMEM
// instead of dropping data, while tmpfs's own size= is not reached.
func TestReclaimTmpfsOnlyENOMEM(t *testing.T) {
	const budget = 256 << 10
	e := newRCEnv(t, budget)
	v := e.V
	e.Must(e.Root.Mkdir("/t", 0o777))
	e.Must(e.Root.Mount("tmpfs", "/t", "tmpfs", 0, "size=64m"))
	fd, err := e.Root.Open("/t/f", O_CREAT|O_RDWR, 0o644)
	e.Must(err)
	page := bytes.Repeat([]byte{'x'}, PAGE_SIZE)
	var werr error
	written := 0
	for i := 0; i < 2*budget/PAGE_SIZE; i++ {
		if _, werr = e.Root.Pwrite(fd, page, int64(i*PAGE_SIZE)); werr != nil {
			break
		}
		written++
	}
	if werr != ENOMEM {
		t.Fatalf("write past the budget: %v after %d pages, want ENOMEM", werr, written)
	}
	if u := v.MemUsed(); u > budget {
		t.Errorf("charged %d over the budget %d", u, budget)
	}
	// Everything written is still there.
	got := e.pread(fd, written*PAGE_SIZE, 0)
	if !bytes.Equal(got, bytes.Repeat(page, written)) {
		t.Errorf("tmpfs data changed after ENOMEM")
	}
	if rs := v.ReclaimStats(); rs.OOM == 0 {
		t.Errorf("no ENOMEM counted: %+v", rs)
	}
	e.Must(e.Root.Close(fd))
	e.Must(e.Root.Unlink("/t/f"))
	e.Must(e.Root.Umount2("/t", 0))
}

// TestDropCaches: what drop_caches 1, 2 and 3 free and what they leave:
// dirty, locked and writeback pages stay; dentries and inodes in use
// stay; a bad value is EINVAL and frees nothing.
func TestDropCaches(t *testing.T) {
	type state struct{ clean, dirty, locked, writeback bool }
	cases := []struct {
		mode        int64
		err         error
		cleanGone   bool
		dentryGone  bool // the unused dentry of /r/unused
		inUseRemain bool // the open file's dentry stays either way
	}{
		{mode: 1, cleanGone: true},
		{mode: 2, dentryGone: true},
		{mode: 3, cleanGone: true, dentryGone: true},
		{mode: 4},
		{mode: 0, err: EINVAL},
		{mode: 5, err: EINVAL},
		{mode: -1, err: EINVAL},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.mode), func(t *testing.T) {
			e := newRCEnv(t, 0)
			v := e.V
			fd := e.open("f")
			// Pages 0..3: clean, dirty, locked (clean), under writeback.
			e.pwrite(fd, bytes.Repeat([]byte{'c'}, 4*PAGE_SIZE), 0)
			// An unused dentry and inode: /r/unused, closed.
			ufd := e.open("unused")
			e.pwrite(ufd, []byte("u"), 0)
			e.Must(e.Root.Close(ufd))
			e.Root.Sync()
			m := e.mapping(fd)
			e.pwrite(fd, []byte("dirty"), PAGE_SIZE)
			e.fs.holdWrites()
			e.pwrite(fd, []byte("wb"), 3*PAGE_SIZE)
			wbc := &WritebackControl{SyncMode: WB_SYNC_NONE, NrToWrite: 1, RangeStart: 3 * PAGE_SIZE, RangeEnd: 4*PAGE_SIZE - 1}
			e.Must(FilemapFdatawriteWBC(e.Root, m, wbc))
			locker := v.NewTask("locker", RootCred)
			lf := FilemapLockFolio(locker, m, 2)
			if lf == nil {
				t.Fatal("page 2 not cached")
			}
			before := v.DentryState()
			err := v.DropCaches(e.Root, c.mode)
			FolioUnlock(locker, lf)
			FolioPut(lf)
			locker.Exit()
			if err != c.err {
				t.Fatalf("drop_caches %d: %v, want %v", c.mode, err, c.err)
			}
			want := state{clean: !c.cleanGone, dirty: true, locked: true, writeback: true}
			var got state
			_, got.clean = folioFlags(m, 0)
			_, got.dirty = folioFlags(m, 1)
			_, got.locked = folioFlags(m, 2)
			fl, wbCached := folioFlags(m, 3)
			got.writeback = wbCached && fl&PG_writeback != 0
			if got != want {
				t.Errorf("pages cached %+v, want %+v", got, want)
			}
			after := v.DentryState()
			if c.dentryGone && after.NrUnused >= before.NrUnused {
				t.Errorf("unused dentries %d -> %d", before.NrUnused, after.NrUnused)
			}
			if !c.dentryGone && after.NrDentry != before.NrDentry {
				t.Errorf("dentries %d -> %d without mode 2", before.NrDentry, after.NrDentry)
			}
			e.fs.releaseWrites()
			vt.WaitFor(t, "writeback", func() bool { return v.MemStat().Writeback == 0 })
			e.Root.Sync()
			if got := string(e.pread(fd, 5, PAGE_SIZE)); got != "dirty" {
				t.Errorf("dirty page read back %q", got)
			}
			if got := string(e.pread(fd, 2, 3*PAGE_SIZE)); got != "wb" {
				t.Errorf("writeback page read back %q", got)
			}
			if d, err := e.ReadFile("/r/unused"); err != nil || d != "u" {
				t.Errorf("unused file read back %q %v", d, err)
			}
			e.Must(e.Root.Close(fd))
		})
	}
}

// TestDirtyThrottle: a writer over dirty_bytes is throttled in
// balance_dirty_pages until writeback catches up: with the device's
// completions held back, the write does not return; when they complete,
// it does, and the dirty and writeback pages are at or below the limit.
func TestDirtyThrottle(t *testing.T) {
	e := newRCEnv(t, 0)
	v := e.V
	e.Must(v.SetDirtyTunable("dirty_bytes", 8*PAGE_SIZE))
	e.fs.holdWrites()
	fd := e.open("f")
	done := make(chan error, 1)
	tk := e.Root.Fork("writer")
	go func() {
		_, err := tk.Pwrite(fd, bytes.Repeat([]byte{'w'}, 32*PAGE_SIZE), 0)
		done <- err
	}()
	// The writer is over the limit and waits: the flusher has started
	// the writeback (background threshold exceeded) and it cannot end.
	vt.WaitFor(t, "the writer to be throttled", func() bool { return v.ReclaimStats().DirtyThrottled > 0 })
	vt.WaitFor(t, "writeback to start", func() bool { return v.MemStat().Writeback > 0 })
	select {
	case err := <-done:
		t.Fatalf("write returned (%v) while writeback could not progress", err)
	case <-time.After(3 * maxPauseForTest):
	}
	if st := v.MemStat(); st.Dirty+st.Writeback <= 8 {
		t.Fatalf("throttled below the limit: %+v", st)
	}
	e.fs.releaseWrites()
	select {
	case err := <-done:
		e.Must(err)
	case <-time.After(20 * time.Second):
		t.Fatal("writer still throttled after writeback completed")
	}
	tk.Exit()
	if st := v.MemStat(); st.Dirty+st.Writeback > 8+1 {
		t.Errorf("writer returned with %d dirty + %d writeback pages over the limit 8", st.Dirty, st.Writeback)
	}
	e.Root.Sync()
	if got := e.pread(fd, 32*PAGE_SIZE, 0); !bytes.Equal(got, bytes.Repeat([]byte{'w'}, 32*PAGE_SIZE)) {
		t.Error("data differs")
	}
	e.Must(e.Root.Close(fd))
}

// maxPauseForTest is balance_dirty_pages's longest pause.
const maxPauseForTest = 200 * time.Millisecond

// TestShrinkSlab: kswapd prunes unused dentries and inodes of rcfs when
// they fill the budget, and leaves the ones in use.
func TestShrinkSlab(t *testing.T) {
	const budget = 256 << 10
	e := newRCEnv(t, budget)
	v := e.V
	keep := e.open("keep")
	n := 0
	// Until the budget is full or kswapd has begun to free: an inode
	// used once goes on its first scan, so a kswapd that keeps pace
	// with the files may never let the budget fill.
	for v.MemUsed() < budget && v.ReclaimStats().SlabFreed == 0 {
		fd := e.open(fmt.Sprintf("file-%04d", n))
		e.Must(e.Root.Close(fd))
		n++
		if n > 10000 {
			t.Fatal("the budget never filled")
		}
	}
	// A lookup of the rest (negative dentries) pushes on.
	for i := 0; i < 64; i++ {
		if _, err := e.Root.Open("/r/missing-"+strings.Repeat("x", i%8)+fmt.Sprint(i), O_RDONLY, 0); err != ENOENT {
			t.Fatalf("missing: %v", err)
		}
	}
	vt.WaitFor(t, "kswapd", func() bool { return v.ReclaimStats().SlabFreed > 0 && !v.KswapdRunning() })
	low, _ := v.Watermarks()
	if free := budget - v.MemUsed(); free < low {
		t.Errorf("free %d below the low watermark %d after kswapd", free, low)
	}
	if _, err := e.Root.Pwrite(keep, []byte("still here"), 0); err != nil {
		t.Errorf("the open file: %v", err)
	}
	e.Must(e.Root.Close(keep))
	t.Logf("%d files, %+v, %+v", n, v.DentryState(), v.ReclaimStats())
}

// TestReclaimHammer: under a 192 KiB budget, one task per file writes and
// truncates it, readers read everything, and another task keeps running
// drop_caches and sync, while kswapd, direct reclaim, the flusher and
// the shrinkers work (with the lock validator on). No error, no report,
// no inode evicted dirty, and every file ends as its owner's model says.
func TestReclaimHammer(t *testing.T) {
	const budget = 192 << 10
	e := newRCEnv(t, budget)
	v := e.V
	const (
		files   = 6
		fileLen = 20 * PAGE_SIZE
		rounds  = 150
	)
	models := make([][]byte, files)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for k := 0; k < files; k++ {
		wg.Add(1)
		tk := e.Root.Fork(fmt.Sprintf("owner%d", k))
		go func(k int, tk *Task) {
			defer wg.Done()
			defer tk.Exit()
			rng := rand.New(rand.NewPCG(uint64(k), 11))
			var model []byte
			for r := 0; r < rounds; r++ {
				fd, err := tk.Open(fmt.Sprintf("/r/h%d", k), O_CREAT|O_RDWR, 0o644)
				if err != nil {
					fail(err)
					return
				}
				if rng.IntN(5) == 0 {
					size := rng.IntN(fileLen)
					if err := tk.Ftruncate(fd, int64(size)); err != nil {
						fail(fmt.Errorf("ftruncate: %w", err))
					}
					if size < len(model) {
						model = model[:size]
					} else {
						model = append(model, make([]byte, size-len(model))...)
					}
				} else {
					off := rng.IntN(fileLen - 1)
					buf := bytes.Repeat([]byte{byte('A' + rng.IntN(26))}, 1+rng.IntN(min(fileLen-off, 2*PAGE_SIZE)))
					if _, err := tk.Pwrite(fd, buf, int64(off)); err != nil {
						fail(fmt.Errorf("pwrite: %w", err))
					}
					if end := off + len(buf); end > len(model) {
						model = append(model, make([]byte, end-len(model))...)
					}
					copy(model[off:], buf)
				}
				tk.Close(fd)
			}
			models[k] = model
		}(k, tk)
	}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	for r := 0; r < 2; r++ {
		bg.Add(1)
		tk := e.Root.Fork(fmt.Sprintf("reader%d", r))
		go func(tk *Task) {
			defer bg.Done()
			defer tk.Exit()
			buf := make([]byte, 3*PAGE_SIZE)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
					runtime.Gosched() // wasm: let the others run
				}
				fd, err := tk.Open(fmt.Sprintf("/r/h%d", i%files), O_RDONLY, 0)
				if err == ENOENT {
					continue
				}
				if err != nil {
					fail(err)
					return
				}
				if _, err := tk.Pread(fd, buf, int64(i%5)*PAGE_SIZE); err != nil {
					fail(fmt.Errorf("pread: %w", err))
				}
				tk.Close(fd)
			}
		}(tk)
	}
	bg.Add(1)
	dropper := e.Root.Fork("dropper")
	go func() {
		defer bg.Done()
		defer dropper.Exit()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if i%4 == 3 {
				dropper.Sync()
			} else if err := v.DropCaches(dropper, int64(1+i%3)); err != nil {
				fail(err)
			}
		}
	}()
	wg.Wait()
	close(stop)
	bg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	check := func(stage string) {
		for k, model := range models {
			got, err := e.ReadFile(fmt.Sprintf("/r/h%d", k))
			e.Must(err)
			if got != string(model) {
				t.Errorf("%s: h%d: %d bytes, model %d; differs", stage, k, len(got), len(model))
			}
		}
	}
	check("cache")
	e.Root.Sync()
	e.Must(v.DropCaches(e.Root, 3))
	check("disk")
	e.fs.mu.Lock()
	lost := e.fs.lostPages
	e.fs.mu.Unlock()
	if lost != 0 {
		t.Errorf("%d inodes evicted with dirty pages", lost)
	}
	t.Logf("%+v; %+v", v.MemStat(), v.ReclaimStats())
}

// TestActiveAging: with every page active, the inactive list is low and
// shrink_active_list moves the coldest active pages back to it (PG_active
// cleared, counters moved); a page aged so is activated again by two more
// accesses.
func TestActiveAging(t *testing.T) {
	e := newRCEnv(t, 0)
	v := e.V
	fd := e.open("a")
	e.pwrite(fd, bytes.Repeat([]byte{'a'}, 8*PAGE_SIZE), 0)
	e.Root.Sync()
	e.Must(v.DropCaches(e.Root, 1))
	m := e.mapping(fd)
	for i := 0; i < 2; i++ {
		for p := 0; p < 8; p++ {
			e.pread(fd, 1, int64(p)*PAGE_SIZE)
		}
	}
	if st := v.MemStat(); st.Active != 8 || st.Inactive != 0 || !v.InactiveIsLowForTest() {
		t.Fatalf("after two reads of each page: %+v, inactive low %v", st, v.InactiveIsLowForTest())
	}
	if n := v.ShrinkActiveListForTest(e.Root, 3); n != 3 {
		t.Fatalf("aged %d, want 3", n)
	}
	if st := v.MemStat(); st.Active != 5 || st.Inactive != 3 {
		t.Errorf("after aging 3: %+v", st)
	}
	aged := 0
	for p := int64(0); p < 8; p++ {
		fl, _ := folioFlags(m, p)
		if fl&PG_active == 0 {
			aged++
			if fl&PG_lru == 0 {
				t.Errorf("page %d off the LRU", p)
			}
		}
	}
	if aged != 3 || v.ReclaimStats().Deactivated != 3 {
		t.Errorf("%d pages inactive, %+v", aged, v.ReclaimStats())
	}
	// The coldest went first: page 0 was the first activated.
	if fl, _ := folioFlags(m, 0); fl&PG_active != 0 {
		t.Errorf("page 0 still active: %v", FolioFlagNames(fl))
	}
	// Two accesses: a read of page 1 between them, since a read that
	// starts in the page the previous one ended in does not mark it.
	e.pread(fd, 1, 0)
	e.pread(fd, 1, PAGE_SIZE)
	e.pread(fd, 1, 0)
	if fl, _ := folioFlags(m, 0); fl&PG_active == 0 {
		t.Errorf("page 0 not activated again: %v", FolioFlagNames(fl))
	}
	e.Must(e.Root.Close(fd))
}

// TestKswapdShutdown: Shutdown stops kswapd and waits for it; afterwards
// it is never started again, and allocations still reclaim in the
// allocating task.
func TestKswapdShutdown(t *testing.T) {
	const budget = 256 << 10
	e := newRCEnv(t, budget)
	v := e.V
	fd := e.open("f")
	pg := bytes.Repeat([]byte{'s'}, PAGE_SIZE)
	for i := 0; v.ReclaimStats().KswapdRuns == 0; i++ {
		e.pwrite(fd, pg, int64(i)*PAGE_SIZE)
		if i > 2*budget/PAGE_SIZE {
			t.Fatal("kswapd never woken")
		}
	}
	e.Root.Sync()
	v.Shutdown()
	if v.KswapdRunning() {
		t.Fatal("kswapd runs after Shutdown")
	}
	runs := v.ReclaimStats().KswapdRuns
	for i := 0; i < 2*budget/PAGE_SIZE; i++ {
		e.pwrite(fd, pg, int64(i)*PAGE_SIZE)
	}
	e.Root.Sync()
	if rs := v.ReclaimStats(); rs.KswapdRuns != runs || rs.DirectReclaims == 0 {
		t.Errorf("after Shutdown: %+v (kswapd runs were %d)", rs, runs)
	}
	if u := v.MemUsed(); u > budget {
		t.Errorf("charged %d over the budget %d", u, budget)
	}
	e.Must(e.Root.Close(fd))
}
