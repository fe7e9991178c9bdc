package vfs_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestWritebackRangeCyclic: the flusher's work is range_cyclic: it
// starts each file at mapping->writeback_index, where the last cyclic
// pass stopped, and comes back for the pages before it. syncfs's first,
// WB_SYNC_NONE pass (__writeback_inodes_sb_nr) is not: it leaves
// range_cyclic 0 and writes the whole file from page 0, as does its
// integrity pass. Each case first moves writeback_index past page 0 with
// a cyclic write of two pages, then dirties all six pages again.
func TestWritebackRangeCyclic(t *testing.T) {
	const pages = 6
	cases := []struct {
		name   string
		run    func(w *wbEnv, fd int)
		cyclic bool // the WB_SYNC_NONE writes start past page 0
	}{
		{"flusher", func(w *wbEnv, fd int) {
			w.V.WakeupFlusherThreads("test")
			vt.WaitFor(w.TB.(*testing.T), "the flusher to write the file", func() bool { return w.V.MemInfo().Dirty == 0 })
		}, true},
		{"syncfs", func(w *wbEnv, fd int) { w.Must(w.T.Syncfs(fd)) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWBEnv(t)
			fd := w.create("f", strings.Repeat(page('a'), pages))
			defer w.T.Close(fd)
			w.fs.mu.Lock()
			in := w.fs.inodes["f"]
			w.fs.mu.Unlock()
			w.Must(FilemapFdatawriteWBC(w.Root, in.Mapping(), &WritebackControl{SyncMode: WB_SYNC_NONE, NrToWrite: 2, RangeCyclic: true}))
			if got := only("wp", w.fs.takeLog()); !reflect.DeepEqual(got, []string{"wp f 0 none", "wp f 1 none"}) {
				t.Fatalf("the cyclic write of two pages: %q", got)
			}
			_, err := w.T.Pwrite(fd, []byte(strings.Repeat(page('b'), pages)), 0)
			w.Must(err)

			c.run(w, fd)
			var none []string
			for _, l := range only("wp", w.fs.takeLog()) {
				if strings.HasSuffix(l, " none") {
					none = append(none, l)
				}
			}
			whole := func(from int) []string {
				var out []string
				for k := range pages {
					out = append(out, fmt.Sprintf("wp f %d none", (from+k)%pages))
				}
				return out
			}
			if !c.cyclic {
				if want := whole(0); !reflect.DeepEqual(none, want) {
					t.Errorf("WB_SYNC_NONE writes %q, want the file from page 0: %q", none, want)
				}
			} else if len(none) != pages || none[0] == "wp f 0 none" || !reflect.DeepEqual(none, whole(int(none[0][len("wp f ")]-'0'))) {
				t.Errorf("WB_SYNC_NONE writes %q, want the file from writeback_index (past page 0), then the pages before it", none)
			}
			if got := w.fs.onDisk(in.Ino(), pages*PAGE_SIZE); got != strings.Repeat(page('b'), pages) {
				t.Errorf("the disk does not hold the second write")
			}
		})
	}
}
