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

// TestOSStoreMemoryStoresOnly: a VFS whose billyfs is registered with
// MemoryStoresOnly cannot mount a host directory (EPERM, and nothing is
// written there), while a VFS of the same process with the plain type
// mounts it.
func TestOSStoreMemoryStoresOnly(t *testing.T) {
	dir := t.TempDir()
	restricted := memoryOnly(t)
	if err := restricted.Root.Mount("none", "/mnt", billyfs.Name, 0, "store=os:"+dir); vfs.ErrnoOf(err) != vfs.EPERM {
		t.Fatalf("mount of a host directory: %v, want EPERM", err)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("the host directory holds %d entries (%v), want none", len(ents), err)
	}
	e := newEnv(t, "os:"+dir)
	e.mount("")
	e.writeAt("/mnt/f", pattern(3, 100), 0, 0)
	e.umount()
	if _, err := os.Stat(filepath.Join(dir, "super")); err != nil {
		t.Fatalf("the plain type did not write the host directory: %v", err)
	}
}
