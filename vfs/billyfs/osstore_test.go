//go:build !js && !wasip1

package billyfs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// TestOSStore: billyfs on a host directory (store=os:DIR): the layout is
// there, fsync goes down to the host files, and a later mount finds
// everything; a crash (Shutdown) keeps what was fsync'd.
func TestOSStore(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, "os:"+dir)
	e.mount("size=4m")
	r := e.Root
	e.Must(r.Mkdir("/mnt/d", 0o755))
	synced := pattern(1, 100000)
	e.writeAt("/mnt/d/synced", synced, 0, 0)
	fd, err := r.Open("/mnt/d/synced", vfs.O_RDWR, 0)
	e.Must(err)
	e.Must(r.Fsync(fd))
	e.Must(r.Close(fd))
	e.writeAt("/mnt/d/later", pattern(2, 5000), 0, 0)
	for _, name := range []string{"super", "i", "f", "d", "orphan"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("the host directory lacks %s: %v", name, err)
		}
	}
	e.Must(billyfs.Shutdown(e.store))
	e.umount()
	e.mount("size=4m")
	if got := e.content("/mnt/d/synced"); !bytes.Equal(got, synced) {
		t.Fatalf("fsync'd file differs at %d after a crash", firstDiff(got, synced))
	}
	if got := e.content("/mnt/d/later"); len(got) > 5000 {
		t.Fatalf("unsynced file has %d bytes", len(got))
	}
	e.writeAt("/mnt/d/later", pattern(2, 5000), 0, 0)
	before := e.snapshot("/mnt")
	e.remount("size=4m")
	if after := e.snapshot("/mnt"); after != before {
		t.Fatalf("changed over a clean remount:\n%s\n---\n%s", before, after)
	}
}
