package tmpfs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// superOptions returns the superblock options /proc/self/mountinfo shows
// for the mount on /l, without the leading "rw".
func superOptions(t *testing.T, tk *vfs.Task) string {
	t.Helper()
	fd, err := tk.Open("/proc/self/mountinfo", vfs.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close(fd)
	b := make([]byte, 1<<16)
	n, err := tk.Read(fd, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b[:n]), "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[4] == "/l" {
			_, after, _ := strings.Cut(l, " - ")
			f := strings.Fields(after)
			return strings.TrimPrefix(f[len(f)-1], "rw")
		}
	}
	t.Fatal("no mount on /l")
	return ""
}

// TestMountOptions: what tmpfs accepts and what mountinfo then shows, as
// shmem_parse_one and shmem_show_options (mm/shmem.c) do. The oracle is
// Linux 6.18 (mount -t tmpfs -o OPTS; grep mountinfo), with its RAM in
// the place of the budget (boot.New's: 256 MiB, so the default size is
// 131072k and the default nr_inodes 32768): size= and nr_inodes= are
// shown when they differ from the defaults, size=0 and nr_inodes=0 (no
// limit) included; mode= has at least three octal digits and is masked
// with 07777; nr_blocks= is size= in pages; huge=never is accepted and
// not shown, the other huge= values are refused as by a kernel without
// transparent huge pages (this one has none).
func TestMountOptions(t *testing.T) {
	cases := []struct {
		opts string
		want string // shown options; "EINVAL": the mount fails
	}{
		{"", ""},
		{"mode=17777", ",mode=7777"},
		{"mode=755", ",mode=755"},
		{"mode=55", ",mode=055"},
		{"mode=0", ",mode=000"},
		{"mode=8", "EINVAL"},
		{"size=1t", ",size=1073741824k"},
		{"nr_inodes=1k", ",nr_inodes=1024"},
		{"nr_inodes=50%", "EINVAL"},
		{"nr_blocks=10", ",size=40k"},
		{"nr_blocks=0", ",size=0k"},
		{"size=10,nr_blocks=5", ",size=20k"},
		{"size=12k,size=0", ",size=0k"},
		{"size=0", ",size=0k"},
		{"nr_inodes=0", ",nr_inodes=0"},
		{"size=", "EINVAL"},
		{"size=1x", "EINVAL"},
		{"size=50%", ""},
		{"size=131072k", ""},
		{"size=100%", ",size=262144k"},
		{"nr_inodes=32768", ""},
		{"uid=4294967295", "EINVAL"},
		{"uid=4294967294", ",uid=4294967294"},
		{"huge=never", ""},
		{"huge=always", "EINVAL"},
		// Linux 6.4+ noswap (shown), 5.9+ inode64 (vfscope's numbers;
		// shown when given, after gid= and before noswap, as the host
		// kernel, without CONFIG_TMPFS_INODE64, shows it); inode32
		// refused.
		{"noswap", ",noswap"},
		{"noswap=1", "EINVAL"},
		{"inode64", ",inode64"},
		{"noswap,inode64,gid=5", ",gid=5,inode64,noswap"},
		{"size=1m,inode64,uid=7,mode=700", ",size=1024k,mode=700,uid=7,inode64"},
		{"inode64=1", "EINVAL"},
		{"inode32", "EINVAL"},
		{"huge=within_size", "EINVAL"},
		{"huge=advise", "EINVAL"},
		{"huge=deny", "EINVAL"},
		{"huge", "EINVAL"},
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

// TestRemountOptions: shmem_reconfigure's rules, on Linux 6.18: a limit
// cannot be put on a tmpfs mounted without one ("Cannot retroactively
// limit size", "... inodes": EINVAL), a limit of 0 removes one, the
// defaults are limits, mode= and uid= are ignored, and sizes round up to
// whole pages.
func TestRemountOptions(t *testing.T) {
	type step struct {
		opts string
		want string // shown after the remount; "EINVAL": it fails
	}
	cases := []struct {
		mount string
		steps []step
	}{
		{"size=0", []step{{"size=1m", "EINVAL"}, {"nr_blocks=1", "EINVAL"}, {"size=0", ",size=0k"}}},
		{"nr_inodes=0", []step{{"nr_inodes=10", "EINVAL"}, {"nr_inodes=0", ",nr_inodes=0"}}},
		{"size=1m", []step{{"mode=700", ",size=1024k"}, {"mode=17777", ",size=1024k"}, {"uid=5", ",size=1024k"}, {"size=0", ",size=0k"}, {"size=4k", "EINVAL"}}},
		{"nr_inodes=10", []step{{"nr_inodes=0", ",nr_inodes=0"}, {"nr_inodes=10", "EINVAL"}}},
		{"size=1m", []step{{"size=4k", ",size=4k"}, {"size=2k", ",size=4k"}, {"nr_blocks=20", ",size=80k"}}},
		{"", []step{{"size=1m", ",size=1024k"}, {"size=0", ",size=0k"}, {"nr_inodes=0", ",size=0k,nr_inodes=0"}}},
		{"", []step{{"huge=never", ""}, {"huge=always", "EINVAL"}}},
		// "Cannot disable swap on remount"; a mount that has it keeps it.
		{"", []step{{"noswap", "EINVAL"}, {"inode64", ",inode64"}, {"size=1m", ",size=1024k,inode64"}}},
		{"inode64", []step{{"nr_inodes=100", ",nr_inodes=100,inode64"}, {"inode64", ",nr_inodes=100,inode64"}}},
		{"noswap", []step{{"noswap", ",noswap"}, {"size=1m", ",size=1024k,noswap"}}},
	}
	for _, c := range cases {
		t.Run(c.mount, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			if err := tk.Mkdir("/l", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/l", "tmpfs", 0, c.mount); err != nil {
				t.Fatal(err)
			}
			for i, s := range c.steps {
				err := tk.Mount("none", "/l", "", vfs.MS_REMOUNT, s.opts)
				if s.want == "EINVAL" {
					if !errors.Is(err, vfs.EINVAL) {
						t.Fatalf("step %d: remount %q: %v, want EINVAL", i, s.opts, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: remount %q: %v", i, s.opts, err)
				}
				if got := superOptions(t, tk); got != s.want {
					t.Errorf("step %d: remount %q shows %q, want %q", i, s.opts, got, s.want)
				}
			}
		})
	}
}
