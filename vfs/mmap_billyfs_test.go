package vfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

var mmBillySeq atomic.Int64

// TestMmapBillyfs: on the disk-like billyfs, stores through a shared
// mapping reach its store at msync and survive an unmount and a remount;
// a truncate under the mapping makes the pages past EOF SIGBUS.
func TestMmapBillyfs(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	mustT(t, "boot", err)
	t.Cleanup(v.Shutdown)
	opts := fmt.Sprintf("store=mem:mmap-%d", mmBillySeq.Add(1))
	mustT(t, "mkdir", tk.Mkdir("/mnt", 0o755))
	mustT(t, "mount", tk.Mount("none", "/mnt", "billyfs", 0, opts))
	data := pattern(0, 4*P, 11)
	fd := mmFile(t, tk, "/mnt/f", data, vfs.O_RDWR)
	vma, err := tk.Mmap(fd, 0, 4*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	if got := load(t, vma, 0, 4*P); !bytes.Equal(got, data) {
		t.Fatalf("mapped data differs from the file")
	}
	msg := []byte("through the mapping")
	storeAt := func(off int64) { store(t, vma, off, msg); copy(data[off:], msg) }
	storeAt(10)
	storeAt(3*P + 100)
	mustT(t, "msync", tk.Msync(vma, 0, 4*P, vfs.MS_SYNC))
	if pte := vma.PTE(tk, 3); pte.Write || pte.Dirty {
		t.Errorf("PTE after msync: %+v, want write-protected", pte)
	}
	storeAt(P + 7) // dirtied again; written by umount's sync
	mustT(t, "ftruncate", tk.Ftruncate(fd, 2*P+1))
	if _, err := vma.Load(3*P, make([]byte, 1)); !errors.Is(err, vfs.SIGBUS) {
		t.Errorf("load past EOF after truncate: %v, want SIGBUS", err)
	}
	data = data[:2*P+1]
	mustT(t, "munmap", tk.Munmap(vma))
	mustT(t, "close", tk.Close(fd))
	mustT(t, "umount", tk.Umount2("/mnt", 0))
	mustT(t, "mount again", tk.Mount("none", "/mnt", "billyfs", 0, opts))
	fd, err = tk.Open("/mnt/f", vfs.O_RDONLY, 0)
	mustT(t, "open", err)
	got := make([]byte, 4*P)
	n, err := tk.Pread(fd, got, 0)
	mustT(t, "pread", err)
	if !bytes.Equal(got[:n], data) {
		t.Errorf("after remount: %d bytes, want %d, contents equal %v", n, len(data), bytes.Equal(got[:min(n, len(data))], data[:min(n, len(data))]))
	}
	mustT(t, "close", tk.Close(fd))
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
}
