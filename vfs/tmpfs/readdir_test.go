package tmpfs_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// readdirScript runs steps (separated by ";") in a fresh directory of
// the VFS e boots and returns what the listings showed, separated by
// " | ": each getdents call as name@d_off ...; a swaploop as renames=N.
// Steps: touch NAME..., open, ls SIZE (getdents64 with a SIZE-byte
// buffer), mv OLD NEW, xch A B (RENAME_EXCHANGE), rm NAME, seek POS
// (SEEK_SET), swaploop SIZE (getdents until it returns nothing,
// renaming every entry read to its other case; bounded at 1000).
func readdirScript(t *testing.T, e *vt.Env, dir, steps string) string {
	t.Helper()
	tk := e.Root
	e.Must(tk.Mkdir(dir, 0o755))
	p := func(n string) string { return dir + "/" + n }
	fd := -1
	var out []string
	list := func(size int) []vfs.Dirent {
		ents, err := tk.Getdents(fd, size)
		e.Must(err)
		return ents
	}
	for _, st := range strings.Split(steps, ";") {
		f := strings.Fields(st)
		switch f[0] {
		case "touch":
			for _, n := range f[1:] {
				e.WriteFile(p(n), "", 0o644)
			}
		case "open":
			var err error
			fd, err = tk.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			e.Must(err)
			t.Cleanup(func() { tk.Close(fd) })
		case "ls":
			size, _ := strconv.Atoi(f[1])
			var s []string
			for _, d := range list(size) {
				s = append(s, fmt.Sprintf("%s@%d", d.Name, d.Off))
			}
			out = append(out, strings.Join(s, " "))
		case "mv":
			e.Must(tk.Rename(p(f[1]), p(f[2])))
		case "xch":
			e.Must(tk.Renameat2(vfs.AT_FDCWD, p(f[1]), vfs.AT_FDCWD, p(f[2]), vfs.RENAME_EXCHANGE))
		case "rm":
			e.Must(tk.Unlink(p(f[1])))
		case "seek":
			off, _ := strconv.ParseInt(f[1], 10, 64)
			_, err := tk.Seek(fd, off, vfs.SEEK_SET)
			e.Must(err)
		case "swaploop":
			size, _ := strconv.Atoi(f[1])
			n := 0
			for n < 1000 {
				ents := list(size)
				if len(ents) == 0 {
					break
				}
				for _, d := range ents {
					if d.Name == "." || d.Name == ".." {
						continue
					}
					if tk.Rename(p(d.Name), p(swapCase(d.Name))) == nil {
						n++
					}
				}
			}
			out = append(out, fmt.Sprintf("renames=%d", n))
		default:
			t.Fatalf("bad step %q", st)
		}
	}
	return strings.Join(out, " | ")
}

func swapCase(s string) string {
	if unicode.IsLower(rune(s[0])) {
		return strings.ToUpper(s)
	}
	return strings.ToLower(s)
}

// TestReaddirLinuxOrder: tmpfs directories list as Linux 6.18's
// simple_offset directories (fs/libfs.c: offset_readdir,
// offset_iterate_dir, offset_dir_lookup, simple_offset_rename,
// simple_offset_rename_exchange): newest first, each d_off the next
// entry's offset (".."'s the newest entry's) and the last one's
// DIR_OFFSET_EOD (2147483647); an entry created or renamed while a
// listing is in progress is not in it, so a loop that renames each entry
// it reads ends (Linux commit 64a7ce76fb90 "libfs: fix infinite
// directory reads for offset dir"). Each want is what the same steps
// printed on Linux 6.18.44's tmpfs (getdents64 on /dev/shm), except
// where noted.
func TestReaddirLinuxOrder(t *testing.T) {
	for _, c := range []struct {
		name, steps, want string
	}{
		{"order and d_off", "touch a b c;open;ls 4096;ls 4096",
			".@1 ..@5 c@4 b@3 a@2147483647 | "},
		{"empty directory", "open;ls 4096",
			".@1 ..@2147483647"},
		{"swapcase loop, one call", "touch a b c;open;swaploop 4096;seek 0;ls 4096",
			"renames=3 | .@1 ..@8 A@7 B@6 C@2147483647"},
		{"swapcase loop, one entry per call", "touch a b c;open;swaploop 24;seek 0;ls 4096",
			"renames=3 | .@1 ..@8 A@7 B@6 C@2147483647"},
		{"renames of read and unread entries", "touch a b c d e;open;ls 72;mv c C;mv e E;ls 4096",
			".@1 ..@7 e@6 | d@4 b@3 a@2147483647"},
		{"create at EOF, then rewind", "touch a b c;open;ls 4096;touch n;ls 4096;seek 0;ls 4096",
			".@1 ..@5 c@4 b@3 a@2147483647 |  | .@1 ..@6 n@5 c@4 b@3 a@2147483647"},
		{"rename over an unread name", "touch a b c;open;ls 72;mv c a;ls 4096;seek 0;ls 4096",
			".@1 ..@5 c@4 | b@2147483647 | .@1 ..@3 a@4 b@2147483647"},
		{"next entry removed", "touch a b c;open;ls 72;rm b;ls 4096",
			".@1 ..@5 c@4 | a@2147483647"},
		{"exchange read and unread", "touch a b c;open;ls 72;xch a c;ls 4096;seek 0;ls 4096",
			".@1 ..@5 c@4 | b@2147483647 | .@1 ..@5 c@3 a@4 b@2147483647"},
		{"exchange next and read", "touch a b c;open;ls 72;xch b c;ls 4096;seek 0;ls 4096",
			".@1 ..@5 c@4 | b@3 a@2147483647 | .@1 ..@5 c@4 b@3 a@2147483647"},
		{"create mid-listing, seekdir", "touch a b c;open;ls 72;touch n;ls 4096;seek 4;ls 4096;seek 2;ls 4096",
			".@1 ..@5 c@4 | b@3 a@2147483647 | b@3 a@2147483647 | n@5 c@4 b@3 a@2147483647"},
		// Linux lists "c@4 b@2147483647" again here: offset_dir_lookup
		// finds no offset at or below the removed oldest entry's and
		// starts over from the newest. vfscope ends the listing
		// (RATIONALE.md).
		{"oldest entry removed while next", "touch a b c;open;ls 96;rm a;ls 4096",
			".@1 ..@5 c@4 b@3 | "},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/t", 0o755))
			e.Must(e.Root.Mount("tmpfs", "/t", "tmpfs", 0, ""))
			t.Cleanup(func() { e.Root.Umount2("/t", vfs.MNT_DETACH) })
			if got := readdirScript(t, e, "/t/d", c.steps); got != c.want {
				t.Errorf("%s:\n got %q\nwant %q", c.steps, got, c.want)
			}
		})
	}
}
