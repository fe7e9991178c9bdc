package devmem_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestMmapMemDevices: /dev/null, /dev/full, /dev/random and /dev/urandom
// have no ->mmap (drivers/char/mem.c): do_mmap gives ENODEV, as a host
// kernel does. /dev/zero's mappings are anonymous memory on Linux
// (mmap_zero), which vfscope does not map: ENODEV too (RATIONALE.md, "Why
// is a mapping addressed by offsets").
func TestMmapMemDevices(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	cases := []struct {
		dev  string
		want error
	}{
		{"/dev/null", vfs.ENODEV},
		{"/dev/full", vfs.ENODEV},
		{"/dev/random", vfs.ENODEV},
		{"/dev/urandom", vfs.ENODEV},
		{"/dev/zero", vfs.ENODEV}, // Linux maps it: see above
	}
	for _, c := range cases {
		fd, err := tk.Open(c.dev, vfs.O_RDWR, 0)
		if err != nil {
			t.Fatalf("open %s: %v", c.dev, err)
		}
		for _, flags := range []int{vfs.MAP_PRIVATE, vfs.MAP_SHARED} {
			if _, err := tk.Mmap(fd, 0, vfs.PAGE_SIZE, vfs.PROT_READ|vfs.PROT_WRITE, flags); err != c.want {
				t.Errorf("mmap %s (flags %#x) = %v, want %v", c.dev, flags, err, c.want)
			}
		}
		if err := tk.Close(fd); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
}
