package vfs_test

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

func page(c byte) string { return strings.Repeat(string(c), PAGE_SIZE) }

// TestWritepageContract: write_cache_pages against ->writepage in both
// sync modes, as locking.rst describes them. Each case dirties pages,
// sets the filesystem's behaviour, runs one call, and checks the calls
// ->writepage saw, what reached the disk and what stayed dirty.
func TestWritepageContract(t *testing.T) {
	cases := []struct {
		name string
		// setup runs after /w/f holds pages a, b (dirty).
		setup func(w *wbEnv, fd int)
		call  func(w *wbEnv, fd int) error
		want  []string // ->writepage and ->write_inode calls
		err   error
		disk  string // the file's first two pages on disk afterwards
		dirty int64  // dirty pages left (MemStat)
	}{
		{
			name: "WB_SYNC_NONE writes every dirty page",
			call: func(w *wbEnv, fd int) error {
				return w.T.SyncFileRange(fd, 0, 0, SYNC_FILE_RANGE_WRITE)
			},
			want: []string{"wp f 0 none", "wp f 1 none"},
			disk: page('a') + page('b'),
		},
		{
			name:  "WB_SYNC_NONE: a page that would block is redirtied and skipped",
			setup: func(w *wbEnv, fd int) { w.fs.set(func(fs *wbfs) { fs.wouldBlock = true }) },
			call: func(w *wbEnv, fd int) error {
				return w.T.SyncFileRange(fd, 0, 0, SYNC_FILE_RANGE_WRITE)
			},
			want:  []string{"wp f 0 none redirty", "wp f 1 none redirty"},
			disk:  strings.Repeat("\x00", 2*PAGE_SIZE),
			dirty: 2,
		},
		{
			name:  "WB_SYNC_ALL writes what WB_SYNC_NONE would not",
			setup: func(w *wbEnv, fd int) { w.fs.set(func(fs *wbfs) { fs.wouldBlock = true }) },
			call:  func(w *wbEnv, fd int) error { return w.T.Fdatasync(fd) },
			want:  []string{"wp f 0 all", "wp f 1 all"},
			disk:  page('a') + page('b'),
		},
		{
			name: "WB_SYNC_NONE skips a page under writeback",
			setup: func(w *wbEnv, fd int) {
				// Page 0 goes under writeback that does not complete,
				// and is dirtied again meanwhile.
				gate := make(chan struct{})
				w.fs.set(func(fs *wbfs) { fs.gate = gate })
				w.Must(w.T.SyncFileRange(fd, 0, PAGE_SIZE, SYNC_FILE_RANGE_WRITE))
				_, err := w.T.Pwrite(fd, []byte("A"), 0)
				w.Must(err)
				w.fs.takeLog()
				w.fs.set(func(fs *wbfs) { fs.gate = nil })
				w.TB.Cleanup(func() { close(gate) })
			},
			call: func(w *wbEnv, fd int) error {
				return w.T.SyncFileRange(fd, 0, 0, SYNC_FILE_RANGE_WRITE)
			},
			want:  []string{"wp f 1 none"},
			disk:  strings.Repeat("\x00", PAGE_SIZE) + page('b'),
			dirty: 1,
		},
		{
			name: "WB_SYNC_ALL waits for a page under writeback, then writes it again",
			setup: func(w *wbEnv, fd int) {
				gate := make(chan struct{})
				w.fs.set(func(fs *wbfs) { fs.gate = gate })
				w.Must(w.T.SyncFileRange(fd, 0, PAGE_SIZE, SYNC_FILE_RANGE_WRITE))
				_, err := w.T.Pwrite(fd, []byte("A"), 0)
				w.Must(err)
				w.fs.takeLog()
				w.fs.set(func(fs *wbfs) { fs.gate = nil })
				// The first writeback completes only later; fsync must
				// wait for it before writing page 0 again.
				go func() {
					runtime.Gosched()
					close(gate)
				}()
			},
			call: func(w *wbEnv, fd int) error { return w.T.Fsync(fd) },
			want: []string{"wp f 0 all", "wp f 1 all"},
			disk: "A" + page('a')[1:] + page('b'),
		},
		{
			name:  "WB_SYNC_NONE stops at a write error; the error is returned",
			setup: func(w *wbEnv, fd int) { w.fs.set(func(fs *wbfs) { fs.fail[0] = EIO }) },
			call: func(w *wbEnv, fd int) error {
				return w.T.SyncFileRange(fd, 0, 0, SYNC_FILE_RANGE_WRITE)
			},
			want:  []string{"wp f 0 none err"},
			err:   EIO,
			disk:  strings.Repeat("\x00", 2*PAGE_SIZE),
			dirty: 1,
		},
		{
			name:  "WB_SYNC_ALL writes every page despite an error and returns it",
			setup: func(w *wbEnv, fd int) { w.fs.set(func(fs *wbfs) { fs.fail[0] = ENOSPC }) },
			call:  func(w *wbEnv, fd int) error { return w.T.Fsync(fd) },
			want:  []string{"wp f 0 all err", "wp f 1 all"},
			err:   ENOSPC,
			disk:  strings.Repeat("\x00", PAGE_SIZE) + page('b'),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWBEnv(t)
			fd := w.create("f", page('a')+page('b'))
			if c.setup != nil {
				c.setup(w, fd)
			}
			err := c.call(w, fd)
			if err != c.err {
				t.Fatalf("call: %v, want %v", err, c.err)
			}
			if got := only("wp", w.fs.takeLog()); !reflect.DeepEqual(got, c.want) {
				t.Errorf("calls %q, want %q", got, c.want)
			}
			if got := w.fs.onDisk(w.ino("f"), 2*PAGE_SIZE); got != c.disk {
				t.Errorf("disk holds %.8q..., want %.8q...", got, c.disk)
			}
			if got := w.V.MemStat().Dirty; got != c.dirty {
				t.Errorf("%d dirty pages, want %d", got, c.dirty)
			}
		})
	}
}

// TestDirtyInodeLists follows inodes through b_dirty, b_io and back as
// syncfs writes them, with ->writepage of the first inode blocking so
// that the lists can be seen mid-pass.
func TestDirtyInodeLists(t *testing.T) {
	w := newWBEnv(t)
	a := w.create("a", page('a'))
	w.create("b", page('b'))
	if d, io, more := w.lists(); !reflect.DeepEqual(d, []string{"b", "a"}) || len(io)+len(more) != 0 {
		t.Fatalf("after two writes: dirty %v io %v more %v, want dirty [b a]", d, io, more)
	}
	stall, stalled := make(chan struct{}), make(chan struct{})
	w.fs.set(func(fs *wbfs) { fs.stall, fs.stalled = stall, stalled })
	done := make(chan error)
	syncer := w.Root.Fork("syncer")
	go func() {
		done <- syncer.Syncfs(a)
		syncer.Exit()
	}()
	<-stalled
	// a (the oldest) is being written; both went to b_io.
	if d, io, _ := w.lists(); len(d) != 0 || !reflect.DeepEqual(io, []string{"b", "a"}) {
		t.Errorf("mid-pass: dirty %v io %v, want dirty [] io [b a]", d, io)
	}
	// A new file goes to b_dirty; a written to again stays where it is.
	w.create("c", page('c'))
	_, err := w.T.Pwrite(a, []byte(page('A')), PAGE_SIZE)
	w.Must(err)
	if d, io, _ := w.lists(); !reflect.DeepEqual(d, []string{"c"}) || !reflect.DeepEqual(io, []string{"b", "a"}) {
		t.Errorf("dirtied mid-pass: dirty %v io %v, want dirty [c] io [b a]", d, io)
	}
	close(stall)
	w.Must(<-done)
	if d, io, more := w.lists(); len(d)+len(io)+len(more) != 0 {
		t.Errorf("after syncfs: dirty %v io %v more %v, want all empty", d, io, more)
	}
	log := only("wp", w.fs.takeLog())
	// The first pass (WB_SYNC_NONE) writes a then b, the oldest first;
	// the integrity pass writes what was dirtied meanwhile.
	want := []string{"wp a 0 none", "wp b 0 none", "wp a 1 all", "wp c 0 all"}
	if !sameMultiset(log, want) || log[0] != "wp a 0 none" || log[1] != "wp b 0 none" {
		t.Errorf("calls %q, want %q", log, want)
	}
	if got := w.fs.onDisk(w.ino("a"), 2*PAGE_SIZE); got != page('a')+page('A') {
		t.Errorf("a on disk: %.8q...", got)
	}
	if st := w.V.MemStat(); st.Dirty != 0 || st.Writeback != 0 {
		t.Errorf("after syncfs: %d dirty, %d writeback", st.Dirty, st.Writeback)
	}
}

// only keeps the log lines starting with prefix ("wp": ->writepage).
func only(prefix string, log []string) []string {
	out := []string{}
	for _, l := range log {
		if strings.HasPrefix(l, prefix+" ") {
			out = append(out, l)
		}
	}
	return out
}

func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	n := map[string]int{}
	for _, s := range a {
		n[s]++
	}
	for _, s := range b {
		n[s]--
	}
	for _, c := range n {
		if c != 0 {
			return false
		}
	}
	return true
}

// TestWriteInodeAfterData: an inode whose own fields changed is written
// through ->write_inode after its pages. A write that only moves the
// timestamps (file_update_time: I_DIRTY_SYNC) is skipped by fdatasync
// and written by fsync. A chmod on a filesystem without ->setattr goes
// through simple_setattr, whose mark_inode_dirty sets I_DIRTY_DATASYNC
// too, so fdatasync writes the inode as well. A chmod alone puts the
// inode on b_dirty and sync writes it.
func TestWriteInodeAfterData(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	v, tk, err := boot.New(Options{Lockdep: true, Clock: func() time.Time { return time.Unix(0, now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	e := &vt.Env{TB: t, V: v, Root: tk, T: tk}
	t.Cleanup(e.Check)
	w := mountWBFS(t, e, 0)
	fd := w.create("f", "x")
	w.Must(w.T.Fsync(fd))
	w.fs.takeLog()
	now.Add(int64(time.Second))
	_, err = w.T.Pwrite(fd, []byte("y"), 0)
	w.Must(err)
	w.Must(w.T.Fdatasync(fd))
	if got, want := w.fs.takeLog(), []string{"wp f 0 all"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fdatasync after a write that moved the times: %q, want %q", got, want)
	}
	w.Must(w.T.Fsync(fd))
	if got, want := w.fs.takeLog(), []string{"wi f all"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fsync: %q, want %q", got, want)
	}
	_, err = w.T.Pwrite(fd, []byte("z"), 0)
	w.Must(err)
	w.Must(w.T.Fchmod(fd, 0o640))
	w.Must(w.T.Fdatasync(fd))
	if got, want := w.fs.takeLog(), []string{"wp f 0 all", "wi f all"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fdatasync of data and a chmod: %q, want the page first: %q", got, want)
	}
	w.Must(w.T.Fsync(fd))
	if got := w.fs.takeLog(); len(got) != 0 {
		t.Errorf("fsync of a clean file: %q", got)
	}
	w.Must(w.T.Chmod("/w/f", 0o644))
	if d, _, _ := w.lists(); !reflect.DeepEqual(d, []string{"f"}) {
		t.Errorf("after chmod: dirty %v", d)
	}
	w.T.Sync()
	if got := only("wi", w.fs.takeLog()); len(got) != 1 || !strings.HasPrefix(got[0], "wi f ") {
		t.Errorf("sync after chmod: %q, want one ->write_inode", got)
	}
	if d, _, _ := w.lists(); len(d) != 0 {
		t.Errorf("after sync: dirty %v", d)
	}
	// simple_setattr truncates too (truncate_setsize).
	w.Must(w.T.Ftruncate(fd, 0))
	var st Stat
	w.Must(w.T.Fstat(fd, &st))
	if st.Size != 0 || w.V.MemStat().Dirty != 0 {
		t.Errorf("after ftruncate to 0: size %d, %d dirty pages", st.Size, w.V.MemStat().Dirty)
	}
}

// TestErrseqTwoDescriptions: a write error is reported once to each
// description open when it happened, at fsync or at close, and to none
// opened after an fsync reported it (a report at close marks it seen
// for that description only).
func TestErrseqTwoDescriptions(t *testing.T) {
	cases := []struct {
		name string
		run  func(w *wbEnv, fd1, fd2 int)
	}{
		{"fsync reports once per description", func(w *wbEnv, fd1, fd2 int) {
			wantErr(w, "fsync fd1", w.T.Fsync(fd1), EIO)
			wantErr(w, "fsync fd1 again", w.T.Fsync(fd1), nil)
			wantErr(w, "fdatasync fd2", w.T.Fdatasync(fd2), EIO)
			wantErr(w, "fsync fd2 again", w.T.Fsync(fd2), nil)
			fd3 := openRW(w, "f")
			wantErr(w, "fsync of a description opened after", w.T.Fsync(fd3), nil)
			wantErr(w, "close fd1", w.T.Close(fd1), nil)
		}},
		{"an error the flusher met is reported at fsync and at close", func(w *wbEnv, fd1, fd2 int) {
			w.T.Sync() // sync(2) reports nothing
			wantErr(w, "fsync fd1", w.T.Fsync(fd1), EIO)
			wantErr(w, "close fd2", w.T.Close(fd2), EIO)
			fd3 := openRW(w, "f")
			wantErr(w, "close of a description opened after", w.T.Close(fd3), nil)
		}},
		{"an error nobody was told of reaches the next opener", func(w *wbEnv, fd1, fd2 int) {
			w.Must(w.T.Close(fd2))
			w.T.Sync()
			// fd2 is gone unreported (closed before the error); fd1 and
			// a new description both learn of it.
			fd3 := openRW(w, "f")
			wantErr(w, "fsync fd3", w.T.Fsync(fd3), EIO)
			wantErr(w, "fsync fd1", w.T.Fsync(fd1), EIO)
			fd4 := openRW(w, "f")
			wantErr(w, "fsync fd4", w.T.Fsync(fd4), nil)
		}},
		{"a report at close leaves the error unseen for the next opener", func(w *wbEnv, fd1, fd2 int) {
			// Linux's close reports nothing, so a program that closes,
			// opens again and fsyncs (a checkpointer) hears of the
			// error at that fsync; vfscope's reports at close do not
			// take that from it.
			w.T.Sync()
			wantErr(w, "close fd1", w.T.Close(fd1), EIO)
			wantErr(w, "close fd2", w.T.Close(fd2), EIO)
			fd3 := openRW(w, "f")
			wantErr(w, "fsync fd3", w.T.Fsync(fd3), EIO)
			wantErr(w, "fsync fd3 again", w.T.Fsync(fd3), nil)
			fd4 := openRW(w, "f")
			wantErr(w, "fsync of a description opened after fd3's report", w.T.Fsync(fd4), nil)
		}},
		{"syncfs reports the superblock's error once per description", func(w *wbEnv, fd1, fd2 int) {
			wantErr(w, "syncfs fd1", w.T.Syncfs(fd1), EIO)
			wantErr(w, "syncfs fd1 again", w.T.Syncfs(fd1), nil)
			wantErr(w, "syncfs fd2", w.T.Syncfs(fd2), EIO)
			// The file's own errseq is separate: fsync still reports.
			wantErr(w, "fsync fd1", w.T.Fsync(fd1), EIO)
		}},
		{"a second error after the first was seen is new to everyone", func(w *wbEnv, fd1, fd2 int) {
			wantErr(w, "fsync fd1", w.T.Fsync(fd1), EIO)
			w.fs.set(func(fs *wbfs) { fs.fail[0] = ENOSPC })
			_, err := w.T.Pwrite(fd1, []byte("y"), 0)
			w.Must(err)
			wantErr(w, "fsync fd1", w.T.Fsync(fd1), ENOSPC)
			wantErr(w, "fsync fd2", w.T.Fsync(fd2), ENOSPC)
			wantErr(w, "fsync fd2 again", w.T.Fsync(fd2), nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWBEnv(t)
			fd1 := w.create("f", "")
			fd2 := openRW(w, "f")
			w.fs.set(func(fs *wbfs) { fs.fail[0] = EIO })
			_, err := w.T.Pwrite(fd1, []byte("x"), 0)
			w.Must(err)
			c.run(w, fd1, fd2)
		})
	}
}

func openRW(w *wbEnv, name string) int {
	w.TB.Helper()
	fd, err := w.T.Open("/w/"+name, O_RDWR, 0)
	w.Must(err)
	return fd
}

func wantErr(w *wbEnv, what string, got, want error) {
	w.TB.Helper()
	if got != want {
		w.TB.Errorf("%s: %v, want %v", what, got, want)
	}
}

// TestSyncFileRangeErrors: sync_file_range(2)'s argument checks, in
// Linux's order.
func TestSyncFileRangeErrors(t *testing.T) {
	w := newWBEnv(t)
	fd := w.create("f", "data")
	dir, err := w.T.Open("/w", O_RDONLY, 0)
	w.Must(err)
	null, err := w.T.Open("/dev/null", O_RDWR, 0)
	w.Must(err)
	path, err := w.T.Open("/w/f", O_PATH, 0)
	w.Must(err)
	cases := []struct {
		name        string
		fd          int
		off, nbytes int64
		flags       uint32
		want        error
	}{
		{"bad descriptor", 99, 0, 0, SYNC_FILE_RANGE_WRITE, EBADF},
		{"O_PATH descriptor", path, 0, 0, SYNC_FILE_RANGE_WRITE, EBADF},
		{"bad descriptor before bad flags", 99, 0, 0, 8, EBADF},
		{"unknown flag", fd, 0, 0, 8, EINVAL},
		{"negative offset", fd, -1, 0, SYNC_FILE_RANGE_WRITE, EINVAL},
		{"negative length", fd, 4096, -4097, SYNC_FILE_RANGE_WRITE, EINVAL},
		{"overflowing range", fd, 1 << 62, 1<<63 - 1, SYNC_FILE_RANGE_WRITE, EINVAL},
		{"character device", null, 0, 0, SYNC_FILE_RANGE_WRITE, ESPIPE},
		{"invalid range before ESPIPE", null, -1, 0, SYNC_FILE_RANGE_WRITE, EINVAL},
		{"no flags does nothing", fd, 0, 0, 0, nil},
		{"directory", dir, 0, 0, SYNC_FILE_RANGE_WRITE_AND_WAIT, nil},
		{"write and wait", fd, 0, 4, SYNC_FILE_RANGE_WRITE_AND_WAIT, nil},
	}
	for _, c := range cases {
		if got := w.T.SyncFileRange(c.fd, c.off, c.nbytes, c.flags); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if got := w.fs.onDisk(w.ino("f"), 4); got != "data" {
		t.Errorf("after write and wait: disk %q", got)
	}
}

// TestFsyncErrors: fsync(2)'s descriptor checks.
func TestFsyncErrors(t *testing.T) {
	w := newWBEnv(t)
	null, err := w.T.Open("/dev/null", O_RDWR, 0)
	w.Must(err)
	path, err := w.T.Open("/w", O_PATH, 0)
	w.Must(err)
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"bad descriptor", w.T.Fsync(-1), EBADF},
		{"O_PATH", w.T.Fdatasync(path), EBADF},
		{"syncfs O_PATH", w.T.Syncfs(path), EBADF},
		{"character device without ->fsync", w.T.Fsync(null), EINVAL},
	} {
		if c.err != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}

// TestFlusherExpired: with short tunables the flusher writes an inode
// once it has been dirty longer than dirty_expire_centisecs, with no
// call asking for it, and stops when nothing is left.
func TestFlusherExpired(t *testing.T) {
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 1))
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 1))
	// Let the pass the new period woke (of whatever the root has dirty)
	// end first: f is to be written by a periodic pass.
	vt.WaitFor(t, "the flusher woken by the new period to finish", func() bool { _, running := w.V.FlusherStats(); return !running })
	before, _ := w.V.FlusherStats()
	fd := w.create("f", "expires")
	ino := w.ino("f")
	vt.WaitFor(t, "the flusher to write f", func() bool { return w.fs.onDisk(ino, 7) == "expires" })
	vt.WaitFor(t, "f to leave the lists", func() bool {
		d, io, more := w.lists()
		return len(d)+len(io)+len(more) == 0
	})
	vt.WaitFor(t, "the flusher to stop", func() bool { _, running := w.V.FlusherStats(); return !running })
	st, _ := w.V.FlusherStats()
	if st.Kupdate == before.Kupdate || st.Pages == before.Pages {
		t.Errorf("flusher stats %+v (before f: %+v): want a periodic pass that wrote", st, before)
	}
	if log := only("wp", w.fs.takeLog()); !reflect.DeepEqual(log, []string{"wp f 0 none"}) {
		t.Errorf("flusher calls %q", log)
	}
	w.Must(w.T.Fsync(fd))
	if got := w.fs.takeLog(); len(got) != 0 {
		t.Errorf("fsync after the flusher: %q", got)
	}
}

// TestFlusherNotExpired: data dirtied less than dirty_expire_centisecs
// ago stays dirty through periodic passes.
func TestFlusherNotExpired(t *testing.T) {
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 360000))
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 1))
	// The new period woke the flusher to write everything dirty then
	// (dirty_writeback_centisecs_handler), as on Linux: let that pass
	// end before f is dirtied, or it writes f too.
	vt.WaitFor(t, "the flusher woken by the new period to finish", func() bool { _, running := w.V.FlusherStats(); return !running })
	w.create("f", "young")
	before, _ := w.V.FlusherStats()
	vt.WaitFor(t, "two periodic passes", func() bool {
		st, _ := w.V.FlusherStats()
		return st.Kupdate >= before.Kupdate+2
	})
	if got := w.fs.takeLog(); len(got) != 0 {
		t.Errorf("the flusher wrote young data: %q", got)
	}
	if w.V.MemStat().Dirty != 1 {
		t.Errorf("dirty pages %d, want 1", w.V.MemStat().Dirty)
	}
}

// TestFlusherBackground: above dirty_background_bytes the flusher
// writes (as balance_dirty_pages asks it to) until the dirty pages are
// below the threshold, though nothing has expired.
func TestFlusherBackground(t *testing.T) {
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 360000))
	w.Must(w.V.SetDirtyTunable("dirty_background_bytes", 8*PAGE_SIZE))
	w.Must(w.V.SetDirtyTunable("dirty_bytes", 1<<20*PAGE_SIZE))
	fd := w.create("f", "")
	_, err := w.T.Pwrite(fd, []byte(strings.Repeat("x", 32*PAGE_SIZE)), 0)
	w.Must(err)
	if th := w.V.DirtyLimits(); th.Background != 8 {
		t.Fatalf("background threshold %d pages, want 8", th.Background)
	}
	w.V.StartBackgroundWriteback()
	vt.WaitFor(t, "background writeback", func() bool { return w.V.MemStat().Dirty <= 8 && w.V.MemStat().Writeback == 0 })
	vt.WaitFor(t, "the flusher to stop", func() bool { _, running := w.V.FlusherStats(); return !running })
	st, _ := w.V.FlusherStats()
	if st.Background == 0 {
		t.Errorf("flusher stats %+v: no background pass", st)
	}
}

// TestFlusherShutdown: Shutdown stops a running flusher and leaves no
// goroutine; work queued afterwards does not start it again.
func TestFlusherShutdown(t *testing.T) {
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 360000))
	w.create("f", "x")
	if _, running := w.V.FlusherStats(); !running {
		t.Fatalf("no flusher after dirtying a file")
	}
	w.V.Shutdown()
	if _, running := w.V.FlusherStats(); running {
		t.Fatalf("flusher still running after Shutdown")
	}
	w.V.WakeupFlusherThreads("test")
	if _, running := w.V.FlusherStats(); running {
		t.Errorf("flusher started after Shutdown")
	}
	// Dirty data is still written by sync.
	w.T.Sync()
	if got := w.fs.onDisk(w.ino("f"), 1); got != "x" {
		t.Errorf("sync after Shutdown: disk %q", got)
	}
}

// TestEvictWaitsForWriteback: the last close of an unlinked file evicts
// its inode only after the writer holding it (I_SYNC) is done.
func TestEvictWaitsForWriteback(t *testing.T) {
	w := newWBEnv(t)
	owner := w.Root.Fork("owner")
	fd, err := owner.Open("/w/f", O_CREAT|O_RDWR, 0o644)
	w.Must(err)
	_, err = owner.Write(fd, []byte("x"))
	w.Must(err)
	stall, stalled := make(chan struct{}), make(chan struct{})
	var release sync.Once
	defer release.Do(func() { close(stall) })
	w.fs.set(func(fs *wbfs) { fs.stall, fs.stalled = stall, stalled })
	syncer := w.Root.Fork("syncer")
	synced := make(chan struct{})
	go func() {
		syncer.Sync()
		syncer.Exit()
		close(synced)
	}()
	<-stalled
	w.Must(w.T.Unlink("/w/f"))
	closed := make(chan error)
	go func() {
		closed <- owner.Close(fd)
		owner.Exit()
	}()
	runtime.Gosched()
	select {
	case <-closed:
		t.Fatalf("the inode was evicted while ->writepage held it")
	default:
	}
	for _, l := range w.fs.takeLog() {
		if strings.HasPrefix(l, "evict") {
			t.Fatalf("evicted during writeback: %q", l)
		}
	}
	release.Do(func() { close(stall) })
	if err := <-closed; err != nil {
		t.Errorf("close: %v", err)
	}
	<-synced
	if got := w.fs.takeLog(); len(got) == 0 || got[len(got)-1] != "evict f" {
		t.Errorf("calls after the writeback: %q, want the eviction last", got)
	}
}

// TestDirtyTunables: Linux's defaults, each /proc/sys/vm file's checks,
// and the exclusivity of ratio and bytes; a refused value changes
// nothing.
func TestDirtyTunables(t *testing.T) {
	w := newWBEnv(t)
	v := w.V
	v.SetDirtyTunables(DefaultDirtyTunables)
	if got := v.DirtyTunables(); got != (DirtyTunables{BackgroundRatio: 10, Ratio: 20, ExpireCentisecs: 3000, WritebackCentisecs: 500, DirtytimeExpireSeconds: 43200}) {
		t.Fatalf("defaults %+v", got)
	}
	cases := []struct {
		name  string
		value int64
		want  error
		after DirtyTunables
	}{
		{"dirty_ratio", 101, EINVAL, DefaultDirtyTunables},
		{"dirty_ratio", -1, EINVAL, DefaultDirtyTunables},
		{"dirty_background_ratio", 101, EINVAL, DefaultDirtyTunables},
		{"dirty_bytes", 0, EINVAL, DefaultDirtyTunables},
		{"dirty_bytes", 2*PAGE_SIZE - 1, EINVAL, DefaultDirtyTunables},
		{"dirty_background_bytes", 0, EINVAL, DefaultDirtyTunables},
		{"dirty_expire_centisecs", -1, EINVAL, DefaultDirtyTunables},
		{"dirtytime_expire_seconds", -1, EINVAL, DefaultDirtyTunables},
		{"dirty_nonsense", 1, ENOENT, DefaultDirtyTunables},
		{"dirty_bytes", 2 * PAGE_SIZE, nil, DirtyTunables{BackgroundRatio: 10, Bytes: 2 * PAGE_SIZE, ExpireCentisecs: 3000, WritebackCentisecs: 500, DirtytimeExpireSeconds: 43200}},
		{"dirty_ratio", 30, nil, DirtyTunables{BackgroundRatio: 10, Ratio: 30, ExpireCentisecs: 3000, WritebackCentisecs: 500, DirtytimeExpireSeconds: 43200}},
		{"dirty_background_bytes", 1, nil, DirtyTunables{BackgroundBytes: 1, Ratio: 30, ExpireCentisecs: 3000, WritebackCentisecs: 500, DirtytimeExpireSeconds: 43200}},
		{"dirty_background_ratio", 0, nil, DirtyTunables{Ratio: 30, ExpireCentisecs: 3000, WritebackCentisecs: 500, DirtytimeExpireSeconds: 43200}},
		{"dirty_writeback_centisecs", 0, nil, DirtyTunables{Ratio: 30, ExpireCentisecs: 3000, DirtytimeExpireSeconds: 43200}},
		{"dirtytime_expire_seconds", 0, nil, DirtyTunables{Ratio: 30, ExpireCentisecs: 3000}},
	}
	for _, c := range cases {
		if c.want != nil {
			v.SetDirtyTunables(DefaultDirtyTunables)
		}
		if err := v.SetDirtyTunable(c.name, c.value); err != c.want {
			t.Errorf("%s = %d: %v, want %v", c.name, c.value, err, c.want)
		}
		if got := v.DirtyTunables(); got != c.after {
			t.Errorf("%s = %d: tunables %+v, want %+v", c.name, c.value, got, c.after)
		}
	}
	if err := v.SetDirtyTunables(DirtyTunables{Ratio: 200}); err != EINVAL {
		t.Errorf("SetDirtyTunables out of range: %v", err)
	}
	// Thresholds: ratios of the budget; bytes win; a background
	// threshold not below the dirty one is halved.
	v.SetDirtyTunables(DefaultDirtyTunables)
	pages := DirtyThresholds{}
	th := v.DirtyLimits()
	// 10% and 20% as domain_dirty_limits takes them: 409 and 819 per
	// 4096, so the background threshold is dirty*409/819, to a page.
	if diff := th.Background*819 - th.Dirty*409; th.Dirty <= 0 || diff < -819 || diff > 819 {
		t.Errorf("default thresholds %+v: want background = dirty*409/819 (10%% and 20%%)", th)
	}
	w.Must(v.SetDirtyTunable("dirty_bytes", 100*PAGE_SIZE))
	w.Must(v.SetDirtyTunable("dirty_background_bytes", 200*PAGE_SIZE))
	pages = v.DirtyLimits()
	if pages != (DirtyThresholds{Background: 50, Dirty: 100}) {
		t.Errorf("thresholds %+v, want background 50 (halved), dirty 100", pages)
	}
}

// TestPruneSkipsDirtyInodes: the inode shrinker leaves an unused dirty
// inode alone (inode_lru_isolate), and writeback puts it back on the LRU
// once clean, where the shrinker can take it.
func TestPruneSkipsDirtyInodes(t *testing.T) {
	w := newWBEnv(t)
	in, isNew := IgetLocked(w.Root, w.sb, 1<<40)
	if !isNew {
		t.Fatalf("inode not new")
	}
	in.SetModeType(S_IFREG | 0o644)
	UnlockNewInode(w.Root, in)
	w.fs.set(func(fs *wbfs) { fs.names[in.Ino()] = "orphan" })
	MarkInodeDirty(w.Root, in, I_DIRTY_SYNC)
	Iput(w.Root, in)
	if n := PruneIcacheSB(w.Root, w.sb, 10); n != 0 {
		t.Fatalf("pruned %d inodes; the dirty one must stay", n)
	}
	w.T.Sync()
	if got := only("wi", w.fs.takeLog()); len(got) != 1 || !strings.HasPrefix(got[0], "wi orphan") {
		t.Fatalf("sync: %q, want the orphan's ->write_inode", got)
	}
	if n := PruneIcacheSB(w.Root, w.sb, 10); n != 1 {
		t.Fatalf("pruned %d inodes after sync, want the clean one", n)
	}
	if got := w.fs.takeLog(); !reflect.DeepEqual(got, []string{"evict orphan"}) {
		t.Errorf("after prune: %q", got)
	}
}

// TestWritebackHammer: writers rewrite pages of their own files while
// other tasks fsync, fdatasync, sync_file_range, syncfs and sync, the
// flusher runs with short tunables, and the filesystem now and then
// refuses WB_SYNC_NONE writes. After a final sync every file on disk
// equals what its writer last wrote, nothing is dirty or under
// writeback, and the lists are empty; the validator reports nothing
// (vfstest checks at cleanup).
func TestWritebackHammer(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 1))
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 1))
	const writers, pages, rounds = 3, 6, 60
	model := make([][]byte, writers)
	var wg sync.WaitGroup
	for k := 0; k < writers; k++ {
		name := string(rune('a' + k))
		tk := w.Root.Fork("writer " + name)
		fd, err := tk.Open("/w/"+name, O_CREAT|O_RDWR, 0o644)
		w.Must(err)
		model[k] = make([]byte, pages*PAGE_SIZE)
		wg.Add(1)
		go func(k int, tk *Task, fd int) {
			defer wg.Done()
			defer tk.Exit()
			for r := 0; r < rounds; r++ {
				p := (r*7 + k) % pages
				buf := []byte(strings.Repeat(string(rune('A'+(r%26))), PAGE_SIZE/2))
				off := int64(p*PAGE_SIZE + (r%2)*PAGE_SIZE/2)
				if _, err := tk.Pwrite(fd, buf, off); err != nil {
					t.Errorf("pwrite: %v", err)
					return
				}
				copy(model[k][off:], buf)
				var err error
				switch r % 5 {
				case 0:
					err = tk.Fsync(fd)
				case 1:
					err = tk.Fdatasync(fd)
				case 2:
					err = tk.SyncFileRange(fd, off, PAGE_SIZE, SYNC_FILE_RANGE_WRITE)
				case 3:
					err = tk.SyncFileRange(fd, 0, 0, SYNC_FILE_RANGE_WRITE_AND_WAIT)
				}
				if err != nil {
					t.Errorf("sync call %d: %v", r%5, err)
					return
				}
				runtime.Gosched()
			}
		}(k, tk, fd)
	}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(2)
	go func() {
		defer bg.Done()
		tk := w.Root.Fork("syncer")
		defer tk.Exit()
		fd, err := tk.Open("/w", O_RDONLY, 0)
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				tk.Sync()
			} else if err := tk.Syncfs(fd); err != nil {
				t.Errorf("syncfs: %v", err)
			}
			runtime.Gosched()
		}
	}()
	go func() {
		defer bg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			w.fs.set(func(fs *wbfs) { fs.wouldBlock = i%3 == 0 })
			runtime.Gosched()
			time.Sleep(100 * time.Microsecond)
		}
	}()
	wg.Wait()
	close(stop)
	bg.Wait()
	w.fs.set(func(fs *wbfs) { fs.wouldBlock = false })
	w.T.Sync()
	for k := 0; k < writers; k++ {
		name := string(rune('a' + k))
		if got := w.fs.onDisk(w.ino(name), pages*PAGE_SIZE); got != string(model[k]) {
			t.Errorf("file %s on disk differs from the model", name)
		}
	}
	if st := w.V.MemStat(); st.Dirty != 0 || st.Writeback != 0 {
		t.Errorf("after the final sync: %d dirty, %d writeback", st.Dirty, st.Writeback)
	}
	if d, io, more := w.lists(); len(d)+len(io)+len(more) != 0 {
		t.Errorf("after the final sync: dirty %v io %v more %v", d, io, more)
	}
}

// TestWritepageContractChecked: with lock validation on, a ->writepage
// that returns with the folio locked, or that neither redirties nor sets
// writeback (leaving a clean folio tagged dirty), is reported.
func TestWritepageContractChecked(t *testing.T) {
	for _, c := range []struct{ bug, want string }{
		{"no writeback", "neither redirtied the folio nor set writeback on it"},
		{"keep locked", "returned with the folio still locked"},
		{"correct", ""},
	} {
		t.Run(c.bug, func(t *testing.T) {
			w := newWBEnvUnchecked(t)
			fd := w.create("f", "x")
			w.fs.set(func(fs *wbfs) { fs.bug = c.bug })
			w.Must(w.T.SyncFileRange(fd, 0, 0, SYNC_FILE_RANGE_WRITE))
			if c.bug == "keep locked" {
				w.fs.mu.Lock()
				in := w.fs.inodes["f"]
				w.fs.mu.Unlock()
				fo := FilemapGetFolio(in.Mapping(), 0)
				FolioUnlock(w.T, fo)
				FolioPut(fo)
			}
			got := strings.Join(w.V.LockingViolations(), "\n")
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Errorf("violations %q, want one saying %q", got, c.want)
			}
		})
	}
}

// TestIntegrityPassWritesOnlyTaggedPages: an integrity pass (fsync)
// tags the dirty pages TOWRITE when it starts and writes only those, so
// a writer dirtying more pages meanwhile cannot keep it going
// (tag_pages_for_writeback's livelock avoidance).
func TestIntegrityPassWritesOnlyTaggedPages(t *testing.T) {
	w := newWBEnv(t)
	fd := w.create("f", page('a')+page('b'))
	stall, stalled := make(chan struct{}), make(chan struct{})
	w.fs.set(func(fs *wbfs) { fs.stall, fs.stalled = stall, stalled })
	syncer := w.Root.Fork("fsync")
	done := make(chan error)
	go func() {
		done <- syncer.Fsync(fd)
		syncer.Exit()
	}()
	<-stalled
	// Page 0 is being written; dirty page 5 and page 1 again.
	_, err := w.T.Pwrite(fd, []byte(page('z')), 5*PAGE_SIZE)
	w.Must(err)
	_, err = w.T.Pwrite(fd, []byte("B"), PAGE_SIZE)
	w.Must(err)
	close(stall)
	w.Must(<-done)
	got := only("wp", w.fs.takeLog())
	if want := []string{"wp f 0 all", "wp f 1 all"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fsync wrote %q, want only the pages dirty when it began: %q", got, want)
	}
	if w.V.MemStat().Dirty != 1 {
		t.Errorf("%d dirty pages after fsync, want page 5", w.V.MemStat().Dirty)
	}
	if disk := w.fs.onDisk(w.ino("f"), 2*PAGE_SIZE); disk[PAGE_SIZE] != 'B' {
		t.Errorf("page 1 on disk starts %q; its redirtying before the pass reached it should have been written", disk[PAGE_SIZE])
	}
}

// TestLazytime: on a lazytime mount a timestamp change only marks the
// inode I_DIRTY_TIME (b_dirty_time); fdatasync and the flusher's
// periodic pass leave it, fsync and sync write it, and so does the
// flusher once dirtytime_expire_seconds have passed; an inode whose last
// reference goes with lazy timestamps has them made I_DIRTY_SYNC.
func TestLazytime(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC).UnixNano())
	tick := func() { now.Add(int64(time.Second)) }
	w := newWBEnvLazytime(t, &now)
	fd := w.create("f", "x")
	w.Must(w.T.Fsync(fd))
	w.fs.takeLog()
	in := func() *Inode {
		w.fs.mu.Lock()
		defer w.fs.mu.Unlock()
		return w.fs.inodes["f"]
	}()
	dirtyTime := func() []uint64 { return w.sb.WritebackDirtyTime(w.Root) }

	// A write: pages dirty (b_dirty) and the new mtime only lazily.
	tick()
	_, err := w.T.Pwrite(fd, []byte("y"), 0)
	w.Must(err)
	if st := in.State() & (I_DIRTY | I_DIRTY_TIME); st != I_DIRTY_PAGES|I_DIRTY_TIME {
		t.Fatalf("after a write: state %#x, want I_DIRTY_PAGES|I_DIRTY_TIME", st)
	}
	w.Must(w.T.Fdatasync(fd))
	if got := w.fs.takeLog(); !reflect.DeepEqual(got, []string{"wp f 0 all"}) {
		t.Errorf("fdatasync: %q, want the page only", got)
	}
	if in.State()&I_DIRTY_TIME == 0 {
		t.Errorf("fdatasync wrote the lazy timestamps")
	}
	// The flusher's pass cleans the inode's data state and leaves the
	// unexpired timestamps on b_dirty_time.
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 1))
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 1))
	w.V.WakeupFlusherThreads("test")
	vt.WaitFor(t, "the inode on b_dirty_time", func() bool { return reflect.DeepEqual(dirtyTime(), []uint64{in.Ino()}) })
	if got := w.fs.takeLog(); len(got) != 0 {
		t.Errorf("the flusher wrote unexpired timestamps: %q", got)
	}
	if st := in.State() & (I_DIRTY | I_DIRTY_TIME); st != I_DIRTY_TIME {
		t.Errorf("on b_dirty_time: state %#x, want I_DIRTY_TIME", st)
	}
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 0))
	// fsync writes them.
	w.Must(w.T.Fsync(fd))
	if got := w.fs.takeLog(); !reflect.DeepEqual(got, []string{"wi f all"}) {
		t.Errorf("fsync: %q, want the inode", got)
	}
	if in.State()&(I_DIRTY|I_DIRTY_TIME) != 0 || len(dirtyTime()) != 0 {
		t.Errorf("after fsync: state %#x, b_dirty_time %v", in.State(), dirtyTime())
	}
	// sync writes them.
	tick()
	_, err = w.T.Pwrite(fd, []byte("z"), 0)
	w.Must(err)
	w.Must(w.T.Fdatasync(fd))
	pre := w.fs.takeLog()
	w.T.Sync()
	if got := only("wi", w.fs.takeLog()); len(got) != 1 {
		t.Errorf("sync: %q, want the inode written once (before: %q)", got, pre)
	}
	// Expired timestamps go with the next flusher pass.
	tick()
	_, err = w.T.Pwrite(fd, []byte("w"), 0)
	w.Must(err)
	w.Must(w.T.Fdatasync(fd))
	w.fs.takeLog()
	w.Must(w.V.SetDirtyTunable("dirtytime_expire_seconds", 0))
	w.V.WakeupFlusherThreads("test")
	vt.WaitFor(t, "the flusher to write expired timestamps", func() bool {
		w.fs.mu.Lock()
		defer w.fs.mu.Unlock()
		return len(w.fs.log) > 0
	})
	if got := w.fs.takeLog(); !reflect.DeepEqual(got, []string{"wi f none"}) {
		t.Errorf("flusher: %q, want the inode", got)
	}
	// The last reference of an inode with lazy timestamps.
	w.Must(w.V.SetDirtyTunable("dirtytime_expire_seconds", 3600))
	orphan, _ := IgetLocked(w.Root, w.sb, 1<<40)
	orphan.SetModeType(S_IFREG | 0o644)
	UnlockNewInode(w.Root, orphan)
	MarkInodeDirtyTimes(w.Root, orphan)
	if got := dirtyTime(); !reflect.DeepEqual(got, []uint64{orphan.Ino()}) {
		t.Fatalf("b_dirty_time %v, want the orphan", got)
	}
	Iput(w.Root, orphan)
	if st := orphan.State(); st&I_DIRTY_TIME != 0 || st&I_DIRTY_SYNC == 0 {
		t.Errorf("after the last iput: state %#x, want I_DIRTY_SYNC instead of I_DIRTY_TIME", st)
	}
	if d, _, _ := w.sb.WritebackLists(w.Root); len(d) != 1 || d[0] != orphan.Ino() {
		t.Errorf("b_dirty %v, want the orphan", d)
	}
}

// TestSyncWritesLazytimeBesideFlusher: sync(2) writes an inode dirty
// only in its lazy timestamps every time, though the flusher runs the
// WB_SYNC_NONE work sync queued while sync's own pass runs: a flusher
// pass must not take from b_io an inode sync's pass queued there (which
// it would leave unwritten, its timestamps not yet expired for it).
// Linux's one worker per device keeps the passes apart; so does
// wb.workMu. Each round races the two; without the mutex some rounds
// lost the write.
func TestSyncWritesLazytimeBesideFlusher(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC).UnixNano())
	w := newWBEnvLazytime(t, &now)
	fd := w.create("f", "x")
	w.Must(w.T.Fsync(fd))
	w.fs.takeLog()
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for r := range rounds {
		now.Add(int64(time.Second))
		_, err := w.T.Pwrite(fd, []byte{byte('a' + r%26)}, 0)
		w.Must(err)
		// The data goes now; the inode stays dirty in its timestamps
		// (fdatasync leaves them), on b_dirty until its pages' flag
		// clears: sync's wakeup queues flusher work for it.
		w.Must(w.T.Fdatasync(fd))
		w.fs.takeLog()
		w.T.Sync()
		if got := only("wi", w.fs.takeLog()); len(got) != 1 {
			t.Fatalf("round %d: sync wrote the inode %d times (%q), want once", r, len(got), got)
		}
		if d := w.sb.WritebackDirtyTime(w.Root); len(d) != 0 {
			t.Fatalf("round %d: b_dirty_time %v after sync", r, d)
		}
	}
}

// BenchmarkWriteFsync: a 4 KiB pwrite and fsync on wbfs (the page
// written through ->writepage, the inode through ->write_inode).
func BenchmarkWriteFsync(b *testing.B) {
	w := newWBEnv(b)
	fd := w.create("f", "")
	buf := []byte(page('x'))
	b.SetBytes(PAGE_SIZE)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := w.T.Pwrite(fd, buf, 0); err != nil {
			b.Fatal(err)
		}
		if err := w.T.Fsync(fd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyncIdle: sync(2) with nothing dirty (the booted tree: tmpfs
// root, /tmp, /proc, /dev, and wbfs).
func BenchmarkSyncIdle(b *testing.B) {
	w := newWBEnv(b)
	for i := 0; i < b.N; i++ {
		w.T.Sync()
	}
}

// TestSyncOrder: syncfs(2) and sync(2) write the dirty inodes (data,
// then the inode) before ->sync_fs without waiting, then ->sync_fs
// waiting, as sync_filesystem and ksys_sync do.
func TestSyncOrder(t *testing.T) {
	for _, c := range []struct {
		name string
		call func(w *wbEnv, fd int) error
	}{
		{"syncfs", func(w *wbEnv, fd int) error { return w.T.Syncfs(fd) }},
		{"sync", func(w *wbEnv, fd int) error { w.T.Sync(); return nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWBEnv(t)
			fd := w.create("f", "x")
			w.Must(w.T.Fchmod(fd, 0o600))
			w.fs.set(func(fs *wbfs) { fs.logSyncFS = true })
			w.Must(c.call(w, fd))
			log := w.fs.takeLog()
			n := len(log)
			if n < 4 || log[n-2] != "sync_fs nowait" || log[n-1] != "sync_fs wait" {
				t.Fatalf("calls %q: want the writes, then sync_fs nowait, then sync_fs wait", log)
			}
			if got := log[:n-2]; len(got) != 2 || !strings.HasPrefix(got[0], "wp f 0 ") || !strings.HasPrefix(got[1], "wi f ") {
				t.Errorf("writes %q: want the page, then the inode", got)
			}
		})
	}
}

// TestSyncWaitsForFlusherWork: the writeback sync(2) wakes the flusher
// for is over when sync returns, as on Linux (where sync's integrity
// work queues behind it): nothing of that pass may write a page after
// sync, behind a later writer's back.
func TestSyncWaitsForFlusherWork(t *testing.T) {
	for i := range 20 {
		w := newWBEnv(t)
		w.create(fmt.Sprintf("f%d", i), "dirty")
		before, _ := w.V.FlusherStats()
		w.T.Sync()
		after, _ := w.V.FlusherStats()
		if after.Work != before.Work+1 {
			t.Fatalf("round %d: flusher work items run during sync: %d, want 1", i, after.Work-before.Work)
		}
	}
}

// TestWriteInodeNowClearsASFlags: write_inode_now(sync) waits with
// filemap_fdatawait, which reports the mapping's AS_EIO and clears it,
// as Linux's __writeback_single_inode does outside sync(2); the errseq
// each description reports from is left alone.
func TestWriteInodeNowClearsASFlags(t *testing.T) {
	w := newWBEnv(t)
	fd := w.create("f", "x")
	in := FdInode(w.T, fd)
	MappingSetError(in.Mapping(), EIO)
	if err := WriteInodeNow(w.T, in, true); err != EIO {
		t.Errorf("write_inode_now(sync): %v, want EIO from AS_EIO", err)
	}
	if fl := in.Mapping().Flags(); fl&(AS_EIO|AS_ENOSPC) != 0 {
		t.Errorf("mapping flags %#x: AS_EIO still set after the wait", fl)
	}
	wantErr(w, "fsync (the errseq)", w.T.Fsync(fd), EIO)
}
