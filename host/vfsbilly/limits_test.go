package vfsbilly_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// TestManyOpenFiles: a filesystem holds as many open files as osfs in a
// Go program on Linux: the Go runtime raises the soft RLIMIT_NOFILE to
// the hard one at start (os/rlimit.go), and init's hard limit is 4096
// (INR_OPEN_MAX, include/asm-generic/resource.h), so 2000 open files
// fit and the 4097th descriptor is EMFILE (getrlimit(2)).
func TestManyOpenFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		open int   // files kept open
		want error // the error of the last open, if any
	}{
		{"2000 like osfs", 2000, nil},
		{"past the hard limit", 4097, vfs.EMFILE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			bfs := vfsbilly.New(tk, "/w")
			var err error
			n := 0
			var keep []any
			for ; n < tc.open; n++ {
				f, e := bfs.Create(fmt.Sprintf("f%d", n))
				if e != nil {
					err = e
					break
				}
				keep = append(keep, f)
			}
			if tc.want == nil && err != nil {
				t.Fatalf("open %d: %v", n, err)
			}
			if tc.want != nil {
				if vfsbilly.ErrnoOf(err) != tc.want {
					t.Fatalf("after %d opens: %v, want %v", n, err, tc.want)
				}
				if n != 4096 {
					t.Errorf("opened %d files, want 4096", n)
				}
			}
			runtime.KeepAlive(keep)
		})
	}
}

// TestDroppedFileClosed: a billy.File dropped without Close has its
// descriptor closed once collected, as the os package closes a dropped
// *os.File (os/file_unix.go newFile's cleanup), so the filesystem's
// descriptors do not run out while the filesystem lives on.
func TestDroppedFileClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		chroo bool
	}{{"filesystem", false}, {"chroot", true}} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := newVFS(t)
			defer v.Shutdown()
			bfs := vfsbilly.New(tk, "/w")
			if tc.chroo {
				c, err := bfs.Chroot("sub")
				must(t, err)
				bfs = c
			}
			must(t, util.WriteFile(bfs, "f", []byte("x"), 0o644))
			kept, err := bfs.Open("f")
			must(t, err)
			for range 100 {
				if _, err := bfs.Open("f"); err != nil { // dropped
					t.Fatal(err)
				}
			}
			open := func() int { return billyDescriptors(v, tk) }
			deadline := time.Now().Add(10 * time.Second)
			for open() > 1 && time.Now().Before(deadline) {
				runtime.GC()
				runtime.Gosched()
				time.Sleep(time.Millisecond)
			}
			if n := open(); n != 1 {
				t.Errorf("%d descriptors open after the dropped files were collected, want 1 (the kept file)", n)
			}
			b := make([]byte, 1)
			if _, err := kept.Read(b); err != nil || b[0] != 'x' {
				t.Errorf("the kept file: %q, %v", b, err)
			}
			must(t, kept.Close())
			runtime.KeepAlive(bfs)
		})
	}
}
