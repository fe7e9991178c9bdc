package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestKupdateLeavesYoungInodeAfterSlice: a periodic (kupdate) pass that
// takes an inode not yet expired from b_more_io (a background pass left
// it there, its slice used up) writes it one slice and, with pages still
// dirty, puts it back on b_dirty (requeue_inode: the slice is used up
// but inode_dirtied_after the pass's cutoff, so redirty_tail, not
// requeue_io): the rest waits until it expires, as on Linux, rather than
// being written by this pass because a background pass once touched it.
//
// The numbers: dirty_bytes 8192 pages gives slices of 2048 pages (a
// WB_SYNC_NONE pass's chunk: dirty/8, rounded up past MIN_WRITEBACK_PAGES);
// the file has 5120 dirty pages; background writeback down to 3072
// writes one slice and stops, the file on b_more_io; the periodic pass
// writes a second slice and leaves 1024 pages dirty.
func TestKupdateLeavesYoungInodeAfterSlice(t *testing.T) {
	const (
		file  = 5120
		slice = 2048
	)
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 360000))
	w.Must(w.V.SetDirtyTunable("dirty_bytes", 8192*PAGE_SIZE))
	w.Must(w.V.SetDirtyTunable("dirty_background_bytes", 6144*PAGE_SIZE))
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 1))
	vt.WaitFor(t, "the flusher woken by the new period to finish", func() bool { _, running := w.V.FlusherStats(); return !running })
	fd := w.create("f", "")
	buf := make([]byte, 64*PAGE_SIZE)
	for off := int64(0); off < file*PAGE_SIZE; off += int64(len(buf)) {
		_, err := w.T.Pwrite(fd, buf, off)
		w.Must(err)
	}
	if d := w.V.MemStat().Dirty; d != file {
		t.Fatalf("%d dirty pages after the writes, want %d (nothing written back yet)", d, file)
	}
	before, _ := w.V.FlusherStats()
	w.Must(w.V.SetDirtyTunable("dirty_background_bytes", (file-slice)*PAGE_SIZE))
	w.V.StartBackgroundWriteback()
	var k int64
	vt.WaitFor(t, "a background pass", func() bool {
		st, _ := w.V.FlusherStats()
		k = st.Kupdate
		return st.Background > before.Background
	})
	// (A flusher with nothing left dirty ends.)
	vt.WaitFor(t, "two periodic passes after it", func() bool {
		st, running := w.V.FlusherStats()
		return st.Kupdate >= k+2 || !running
	})
	vt.WaitFor(t, "writeback to end", func() bool { return w.V.MemStat().Writeback == 0 })
	if d, want := w.V.MemStat().Dirty, int64(file-2*slice); d != want {
		t.Errorf("%d dirty pages after the passes, want %d: the periodic pass wrote more than one slice of a young inode", d, want)
	}
	if d, io, more := w.lists(); len(d) != 1 || len(io)+len(more) != 0 {
		t.Errorf("lists dirty %q io %q more_io %q, want f on b_dirty only", d, io, more)
	}
}
