//go:build !js && !wasip1

package billyfs_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/helper/chroot"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/osfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// TestRecordReplaceOnStores: on each kind of store billyfs's records
// are replaced through a temporary and a rename (or in place on the mem
// kinds), and the rename replaces the record: an inode record rewritten
// by fsync, then a crash (Shutdown), gives the new metadata at the next
// mount, and no temporary stays. Linux's fsync(2) is the oracle: after
// it returns, the metadata it wrote survives a crash.
func TestRecordReplaceOnStores(t *testing.T) {
	cases := []struct {
		name  string
		store func(t *testing.T) string // the store= value
	}{
		{"mem", func(t *testing.T) string { return "" }},
		{"os", func(t *testing.T) string { return "os:" + t.TempDir() }},
		{"chroot over memfs", func(t *testing.T) string {
			return registered(t, chrootOf(t, memfs.New()))
		}},
		{"chroot over osfs", func(t *testing.T) string {
			return registered(t, chrootOf(t, osfs.New(t.TempDir(), osfs.WithBoundOS())))
		}},
	}
	data := pattern(7, 3*4096+1)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.store(t))
			e.mount("")
			r := e.Root
			fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			e.Must(err)
			_, err = r.Write(fd, data)
			e.Must(err)
			e.Must(r.Fsync(fd))
			for _, mode := range []uint32{0o600, 0o640} {
				e.Must(r.Fchmod(fd, mode))
				e.Must(r.Fsync(fd))
			}
			e.Must(r.Close(fd))
			e.Must(billyfs.Shutdown(e.store))
			e.umount()
			e.mount("")
			if got := e.content("/mnt/f"); !bytes.Equal(got, data) {
				t.Fatalf("fsync'd file: %d bytes, want %d", len(got), len(data))
			}
			if st := e.Stat("/mnt/f"); st.Mode&0o7777 != 0o640 {
				t.Errorf("mode %o after a crash, want the fsync'd 640", st.Mode&0o7777)
			}
			e.umount()
			if left := storeTemporaries(t, e.store); len(left) > 0 {
				t.Errorf("temporaries on the store: %v", left)
			}
		})
	}
}

// chrootOf is a chroot of fs at a new directory "store".
func chrootOf(t *testing.T, fs billy.Filesystem) billy.Filesystem {
	if err := fs.MkdirAll("store", 0o755); err != nil {
		t.Fatal(err)
	}
	return chroot.New(fs, "store")
}

var registeredSeq int

// registered registers fs as a store for the test and returns its name.
func registered(t *testing.T, fs billy.Filesystem) string {
	registeredSeq++
	name := fmt.Sprintf("rec-%d", registeredSeq)
	if err := billyfs.RegisterStore(name, fs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { billyfs.ForgetStore(name) })
	return name
}

// storeTemporaries lists the *.new files of an unmounted store, through
// a mount-free look: the host directory of an os: store, or nothing to
// look at for the others (their temporaries are checked by
// TestRecordWriteFailureKeepsLastRecord).
func storeTemporaries(t *testing.T, store string) []string {
	dir, ok := strings.CutPrefix(store, "os:")
	if !ok {
		return nil
	}
	var left []string
	for _, sub := range []string{".", "i", "d"} {
		ents, err := os.ReadDir(dir + "/" + sub)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".new") {
				left = append(left, sub+"/"+e.Name())
			}
		}
	}
	return left
}
