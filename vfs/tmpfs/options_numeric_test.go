package tmpfs_test

import (
	"errors"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestNumericOptions: how tmpfs reads the numbers of its options, as
// mm/shmem.c's parser does on this machine's kernel (6.18: mount(2) with
// each string, then mountinfo). uid= and gid= are fsparam_uid and
// fsparam_gid, kstrtouint base 0 (lib/kstrtox.c: a leading '+', 0x
// hexadecimal, 0-prefixed octal, one trailing newline; -1 is no id);
// mode= is fsparam_u32oct, kstrtouint base 8 of a u32, masked with
// 07777; size=, nr_blocks= and nr_inodes= are memparse (lib/cmdline.c:
// base 0, then a k/m/g/t/p/e suffix after the digits, so 0x1e is 30
// bytes), and size='s share before % is memparse too. The budget is
// boot.New's 256 MiB where Linux has its RAM: 10% is 26843545 bytes,
// 6554 pages. Where vfscope refuses what memparse reads as 0 (no digits:
// "size=k"), RATIONALE.md says why; those rows are at the end.
func TestNumericOptions(t *testing.T) {
	cases := []struct {
		opts string
		want string // shown options; "EINVAL": the mount fails
	}{
		{"uid=010", ",uid=8"},
		{"uid=0x10", ",uid=16"},
		{"uid=0X10", ",uid=16"},
		{"uid=+5", ",uid=5"},
		{"uid=5\n", ",uid=5"},
		{"gid=010", ",gid=8"},
		{"gid=0x10", ",gid=16"},
		{"gid=+0", ""},
		{"uid=", "EINVAL"},
		{"uid", "EINVAL"},
		{"uid=-1", "EINVAL"},
		{"uid=4294967295", "EINVAL"},
		{"uid=4294967296", "EINVAL"},
		{"uid=0o10", "EINVAL"},
		{"uid=1_0", "EINVAL"},
		{"uid=08", "EINVAL"},
		{"uid=0x", "EINVAL"},
		{"uid=0xg", "EINVAL"},
		{"uid=00x10", "EINVAL"},
		{"uid= 5", "EINVAL"},
		{"uid=5 ", "EINVAL"},
		{"mode=0777", ",mode=777"},
		{"mode=+777", ",mode=777"},
		{"mode=777\n", ",mode=777"},
		{"mode=37777777777", ",mode=7777"},
		{"mode=40000000000", "EINVAL"},
		{"mode=0x1ff", "EINVAL"},
		{"mode=0o777", "EINVAL"},
		{"mode=", "EINVAL"},
		{"mode", "EINVAL"},
		{"size=010", ",size=4k"},
		{"size=0x1000", ",size=4k"},
		{"size=0x1e", ",size=4k"},
		{"size=1E", ",size=1125899906842624k"},
		{"size=1g", ",size=1048576k"},
		{"size=10%", ",size=26216k"},
		{"size=010%", ",size=20972k"},
		{"size=0x10%", ",size=41944k"},
		{"size=1k%", ",size=2684356k"},
		{"size=+5", "EINVAL"},
		{"size=-5", "EINVAL"},
		{"size=5 ", "EINVAL"},
		{"size=5kk", "EINVAL"},
		{"size=0x", "EINVAL"},
		{"size=09", "EINVAL"},
		{"size=", "EINVAL"},
		{"nr_inodes=010", ",nr_inodes=8"},
		{"nr_inodes=0x10", ",nr_inodes=16"},
		{"nr_inodes=0x1e", ",nr_inodes=30"},
		{"nr_inodes=1k", ",nr_inodes=1024"},
		{"nr_inodes=+5", "EINVAL"},
		{"nr_inodes=10%", "EINVAL"},
		{"nr_blocks=0x10", ",size=64k"},
		// Linux reads these as 0 (no limit); vfscope refuses them.
		{"size=k", "EINVAL"},
		{"size=%", "EINVAL"},
		{"nr_inodes=k", "EINVAL"},
		{"nr_blocks=k", "EINVAL"},
	}
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	if err := tk.Mkdir("/l", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.opts, func(t *testing.T) {
			err := tk.Mount("none", "/l", "tmpfs", 0, c.opts)
			if c.want == "EINVAL" {
				if !errors.Is(err, vfs.EINVAL) {
					tk.Umount2("/l", 0)
					t.Fatalf("mount -o %q: %v, want EINVAL", c.opts, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("mount -o %q: %v", c.opts, err)
			}
			defer tk.Umount2("/l", 0)
			if got := superOptions(t, tk); got != c.want {
				t.Errorf("mount -o %q shows %q, want %q", c.opts, got, c.want)
			}
		})
	}
}
