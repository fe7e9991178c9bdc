package billyfs_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/vfscope/vfscope/vfs"
)

// listScript runs steps (separated by ";") in a new directory of the
// billyfs on /mnt and returns the names each listing showed (getdents
// calls separated by " | "). Steps: touch NAME..., open, ls SIZE, mv OLD
// NEW, xch A B (RENAME_EXCHANGE), rm NAME, seek POS, swaploop SIZE
// (getdents until it returns nothing, renaming every entry read to its
// other case; bounded at 1000 renames).
func listScript(e *env, steps string) string {
	tk := e.Root
	dir := "/mnt/d"
	e.Must(tk.Mkdir(dir, 0o755))
	p := func(n string) string { return dir + "/" + n }
	fd := -1
	var out []string
	var st string
	must := func(err error) {
		if err != nil {
			e.TB.Fatalf("%s: %v", st, err)
		}
	}
	list := func(size int) []vfs.Dirent {
		ents, err := tk.Getdents(fd, size)
		must(err)
		return ents
	}
	for _, st = range strings.Split(steps, ";") {
		f := strings.Fields(st)
		switch f[0] {
		case "touch":
			for _, n := range f[1:] {
				e.WriteFile(p(n), n, 0o644)
			}
		case "open":
			var err error
			fd, err = tk.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			must(err)
			e.TB.Cleanup(func() { tk.Close(fd) })
		case "ls":
			size, _ := strconv.Atoi(f[1])
			var s []string
			for _, d := range list(size) {
				s = append(s, d.Name)
			}
			out = append(out, strings.Join(s, " "))
		case "mv":
			must(tk.Rename(p(f[1]), p(f[2])))
		case "xch":
			must(tk.Renameat2(vfs.AT_FDCWD, p(f[1]), vfs.AT_FDCWD, p(f[2]), vfs.RENAME_EXCHANGE))
		case "rm":
			must(tk.Unlink(p(f[1])))
		case "seek":
			off, _ := strconv.ParseInt(f[1], 10, 64)
			_, err := tk.Seek(fd, off, vfs.SEEK_SET)
			must(err)
		case "cat":
			got, err := e.ReadFile(p(f[1]))
			must(err)
			out = append(out, f[1]+"="+got)
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
					nn := strings.ToUpper(d.Name)
					if unicode.IsUpper(rune(d.Name[0])) {
						nn = strings.ToLower(d.Name)
					}
					if tk.Rename(p(d.Name), p(nn)) == nil {
						n++
					}
				}
			}
			out = append(out, fmt.Sprintf("renames=%d", n))
		default:
			e.TB.Fatalf("bad step %q", st)
		}
	}
	return strings.Join(out, " | ")
}

// TestReaddirSlots: billyfs lists a directory as ext2 does (fs/ext2/dir.c):
// in the order of the entries' slots, from the reader's position on. A
// new name takes the first free slot (ext2_add_link), a removed name
// frees its own (ext2_delete_entry), and a name that stays keeps its
// slot: a rename over it and RENAME_EXCHANGE rewrite the entry in place
// (ext2_set_link). So a loop that renames every entry it reads ends
// (after the first rename, a free slot is always behind the reader), and
// an exchange never lists a name twice. A listing that reached the end
// stays there, as ext2's position stays at i_size.
func TestReaddirSlots(t *testing.T) {
	for _, c := range []struct {
		name, steps, want string
	}{
		{"creation order", "touch a b c;open;ls 4096",
			". .. a b c"},
		// a->A appends (a's slot is still taken while A is added), then
		// B and C fill the slots a and b left. Read in one call, the
		// listing is at its end; read one entry a call, it reaches A and
		// A->a fills the slot c left.
		{"swapcase loop one call", "touch a b c;open;swaploop 4096;seek 0;ls 4096",
			"renames=3 | . .. B C A"},
		{"swapcase loop one entry per call", "touch a b c;open;swaploop 24;seek 0;ls 4096",
			"renames=4 | . .. B C a"},
		{"rename over an unread name", "touch a b c;open;ls 72;mv a c;ls 4096;cat c;seek 0;ls 4096",
			". .. a | b c | c=a | . .. b c"},
		{"exchange read and unread", "touch a b c;open;ls 72;xch a c;ls 4096;cat a;cat c;seek 0;ls 4096",
			". .. a | b c | a=c | c=a | . .. a b c"},
		{"exchange two unread", "touch a b c;open;ls 72;xch b c;ls 4096;seek 0;ls 4096",
			". .. a | b c | . .. a b c"},
		{"new name in a freed slot behind the reader", "touch a b c;open;ls 96;rm a;touch n;ls 4096;seek 0;ls 4096",
			". .. a b | c | . .. n b c"},
		{"new name past the reader", "touch a b c;open;ls 72;touch n;ls 4096",
			". .. a | b c n"},
		{"new name after the end", "touch a b c;open;ls 4096;touch n;ls 4096;seek 0;ls 4096",
			". .. a b c |  | . .. a b c n"},
		{"end then entries removed and added", "touch a b c;open;ls 4096;rm c;touch n m;ls 4096",
			". .. a b c | "},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("")
			if got := listScript(e, c.steps); got != c.want {
				t.Errorf("%s:\n got %q\nwant %q", c.steps, got, c.want)
			}
		})
	}
}
