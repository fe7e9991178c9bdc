package billyfs_test

import (
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// memoryOnly boots a VFS whose billyfs was registered with
// MemoryStoresOnly, with /mnt to mount on.
func memoryOnly(t *testing.T) *vfstest.Env {
	t.Helper()
	e := vfstest.New(t)
	e.Must(e.V.UnregisterFilesystem(e.Root, billyfs.Name))
	e.Must(billyfs.RegisterWith(e.Root, e.V, billyfs.TypeOptions{MemoryStoresOnly: true}))
	e.Must(e.Root.Mkdir("/mnt", 0o755))
	return e
}

// TestMemoryStoresOnly: a billyfs type registered with MemoryStoresOnly
// mounts the memory stores and refuses every other store with EPERM (a
// mount that needs a privilege the caller lacks: mount(2)), named by
// store= or by the source; bad options are still EINVAL. The choice is
// the VFS's: another VFS of the process, booted with the plain type,
// mounts the same stores.
func TestMemoryStoresOnly(t *testing.T) {
	reg := fmt.Sprintf("memonly-%d", storeSeq.Add(1))
	if err := billyfs.RegisterStore(reg, memfs.New()); err != nil {
		t.Fatal(err)
	}
	defer billyfs.ForgetStore(reg)
	named := fmt.Sprintf("mem:memonly-%d", storeSeq.Add(1))
	defer billyfs.ForgetStore(named)
	cases := []struct {
		dev, data string
		want      vfs.Errno // with MemoryStoresOnly
		plain     bool      // the plain type mounts it
	}{
		{"none", "store=mem", 0, true},
		{"none", "store=" + named + ",size=1m", 0, true},
		{named, "", 0, true},
		{"none", "store=os:/", vfs.EPERM, false},
		{"os:/", "", vfs.EPERM, false},
		{"none", "store=os:/nonexistent/dir", vfs.EPERM, false},
		{"none", "store=" + reg, vfs.EPERM, true},
		{"none", "store=tape:/dev/st0", vfs.EPERM, false},
		{"none", "store=mem,size=lots", vfs.EINVAL, false},
		{"none", "", vfs.EINVAL, false},
	}
	restricted := memoryOnly(t)
	plain := vfstest.New(t)
	plain.Must(plain.Root.Mkdir("/mnt", 0o755))
	for _, c := range cases {
		err := restricted.Root.Mount(c.dev, "/mnt", billyfs.Name, 0, c.data)
		if vfs.ErrnoOf(err) != c.want {
			t.Errorf("MemoryStoresOnly, mount %q -o %q: %v, want %v", c.dev, c.data, err, c.want)
		}
		if err == nil {
			restricted.Must(restricted.Root.Umount2("/mnt", 0))
		}
		if !c.plain {
			continue
		}
		if err := plain.Root.Mount(c.dev, "/mnt", billyfs.Name, 0, c.data); err != nil {
			t.Errorf("plain type, mount %q -o %q: %v", c.dev, c.data, err)
			continue
		}
		plain.Must(plain.Root.Umount2("/mnt", 0))
	}
}
