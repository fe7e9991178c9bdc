//go:build !js && !wasip1

package billyfs_test

import (
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestHostStoreCreateFsync: on a host directory, create, write, fsync
// the file, fsync the directory flushes every store file and store
// directory the new name needs: the data file and its name, the record
// and its name, the directory's log.
func TestHostStoreCreateFsync(t *testing.T) {
	s := faultstore.New(osfs.New(t.TempDir()))
	name := fmt.Sprintf("fault-os-%d", storeSeq.Add(1))
	billyfs.RegisterStore(name, s)
	t.Cleanup(func() { billyfs.ForgetStore(name) })
	e := newEnv(t, name)
	e.mount("")
	r := e.Root
	e.Must(r.Mkdir("/mnt/d", 0o755))
	fd, err := r.Open("/mnt/d/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	_, err = r.Pwrite(fd, []byte("hello"), 0)
	e.Must(err)
	base := map[string]int{}
	pats := []string{"f/*", "f", "i/*", "i", "d/*", "d"}
	for _, p := range pats {
		base[p] = s.CallsMatching(faultstore.OpSync, p)
	}
	e.Must(r.Fsync(fd))
	dfd, err := r.Open("/mnt/d", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	e.Must(err)
	e.Must(r.Fsync(dfd))
	for _, p := range pats {
		if s.CallsMatching(faultstore.OpSync, p) == base[p] {
			t.Errorf("fsync of the file and the directory flushed nothing of %s", p)
		}
	}
	e.Must(r.Close(dfd))
	e.Must(r.Close(fd))
}
