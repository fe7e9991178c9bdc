//go:build linux

package hostfs_test

import (
	"os"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestAttrRefreshRace: attributes are refreshed from the host by
// ->getattr and ->d_revalidate, which run without i_rwsem, in many
// tasks at once on one inode, while files are renamed in the VFS and on
// the host. Run with -race: nothing they write may be a plain field.
func TestAttrRefreshRace(t *testing.T) {
	fx := mountHost(t, 0)
	const rounds = 200
	tests := []struct {
		name string
		run  func(tk *vfs.Task, i int)
	}{
		{"stat", func(tk *vfs.Task, i int) {
			var st vfs.Stat
			tk.Stat("/data/f", &st)
			tk.Stat("/data/d/x", &st)
		}},
		{"open and fstat", func(tk *vfs.Task, i int) {
			fd, err := tk.Open("/data/f", vfs.O_RDONLY, 0)
			if err != nil {
				return
			}
			var st vfs.Stat
			tk.Fstat(fd, &st)
			tk.Close(fd)
		}},
		{"rename in the VFS", func(tk *vfs.Task, i int) {
			tk.Rename("/data/d/x", "/data/d/y")
			tk.Rename("/data/d/y", "/data/d/x")
		}},
		{"rename on the host", func(tk *vfs.Task, i int) {
			os.Rename(fx.host("e"), fx.host("e2"))
			os.Rename(fx.host("e2"), fx.host("e"))
		}},
	}
	var wg sync.WaitGroup
	for _, tc := range tests {
		for range 2 {
			tk := fx.v.NewTask(tc.name, vfs.RootCred)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					tc.run(tk, i)
				}
			}()
		}
	}
	wg.Wait()
}
