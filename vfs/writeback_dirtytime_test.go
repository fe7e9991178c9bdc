package vfs_test

import (
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFlusherWritesExpiredDirtytime: on a lazytime mount an inode dirty
// only in its timestamps, with nothing else dirty anywhere, has them
// written by the flusher's periodic pass once dirtytime_expire_seconds
// have passed (->write_inode, the inode off b_dirty_time), and the
// flusher then ends. Linux's kupdate pass gets a budget of
// get_nr_dirty_pages(), which counts the inodes in use and so is never 0:
// queue_io moves the expired b_dirty_time inodes and the pass writes
// them. Timestamps not yet expired stay.
func TestFlusherWritesExpiredDirtytime(t *testing.T) {
	cases := []struct {
		name    string
		expire  int64         // dirtytime_expire_seconds
		wait    time.Duration // how long to give the flusher
		written bool
	}{
		{"expired", 1, 10 * time.Second, true},
		{"not expired", 3600, 300 * time.Millisecond, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var now atomic.Int64
			now.Store(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC).UnixNano())
			w := newWBEnvLazytime(t, &now)
			fd := w.create("f", "x")
			defer w.T.Close(fd)
			w.Must(w.T.Fsync(fd))
			w.fs.takeLog()
			w.fs.mu.Lock()
			in := w.fs.inodes["f"]
			w.fs.mu.Unlock()
			if st := in.State() & (I_DIRTY | I_DIRTY_TIME); st != 0 {
				t.Fatalf("after fsync: state %#x, want clean", st)
			}
			w.Must(w.V.SetDirtyTunable("dirtytime_expire_seconds", c.expire))
			w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", 5))

			MarkInodeDirtyTimes(w.Root, in)
			if got := w.sb.WritebackDirtyTime(w.Root); !reflect.DeepEqual(got, []uint64{in.Ino()}) {
				t.Fatalf("b_dirty_time %v, want f", got)
			}
			written := func() bool {
				return in.State()&(I_DIRTY|I_DIRTY_TIME) == 0 && len(w.sb.WritebackDirtyTime(w.Root)) == 0
			}
			deadline := time.Now().Add(c.wait)
			for !written() && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			log := w.fs.takeLog()
			if !c.written {
				if written() || len(log) != 0 {
					t.Fatalf("timestamps dirty for %v written with dirtytime_expire_seconds=%d: log %q, state %#x",
						c.wait, c.expire, log, in.State())
				}
				return
			}
			if !written() {
				t.Fatalf("after %v: state %#x, b_dirty_time %v, log %q: want the timestamps written",
					c.wait, in.State(), w.sb.WritebackDirtyTime(w.Root), log)
			}
			if want := []string{"wi f none"}; !reflect.DeepEqual(log, want) {
				t.Errorf("flusher: %q, want %q", log, want)
			}
			// Nothing is left on any list: the flusher ends rather than
			// wake every period for nothing.
			vt.WaitFor(t, "the flusher to end", func() bool { _, running := w.V.FlusherStats(); return !running })
		})
	}
}
