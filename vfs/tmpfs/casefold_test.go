package tmpfs_test

import (
	"sort"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// casefoldNames returns the names in dir, sorted.
func casefoldNames(t *testing.T, tk *vfs.Task, dir string) []string {
	t.Helper()
	fd, err := tk.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close(fd)
	var out []string
	for {
		ents, err := tk.Getdents(fd, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) == 0 {
			break
		}
		for _, e := range ents {
			if e.Name != "." && e.Name != ".." {
				out = append(out, e.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestCasefoldNames: on a casefolded tmpfs, ->d_hash and ->d_compare
// must agree (generic_ci_d_hash and generic_ci_d_compare in fs/libfs.c
// both use utf8_casefold), or equal names land in different hash chains
// and a lookup's result depends on the hash. Each row creates one name
// and then looks up, and creates with O_EXCL, another: the same file if
// the two are equal under Unicode simple case folding (strings.EqualFold),
// else a second file. Names that are not valid UTF-8 are opaque bytes,
// as Linux treats them without strict_encoding (generic_ci_d_compare
// falls back to memcmp). Where Linux's utf8 casefolding (full folding
// after NFD) differs, RATIONALE.md says so; those rows give vfscope's
// answer.
func TestCasefoldNames(t *testing.T) {
	for _, tc := range []struct {
		name, first, second string
		same                bool
	}{
		{"ascii", "Foo", "fOO", true},
		{"latin-1 e acute", "\u00e9", "\u00c9", true},
		{"kelvin sign", "k", "\u212a", true},
		{"kelvin sign long", "kkkkkkkkkkkk", "k\u212ak\u212aKk\u212akkKk\u212a", true},
		{"long s", "S", "\u017f", true},
		{"greek sigma", "\u03a3", "\u03c2", true},
		{"cyrillic", "\u0416\u0423\u041a", "\u0436\u0443\u043a", true},
		{"different letters", "Foo", "Fop", false},
		// Differences from Linux's utf8 casefolding (RATIONALE.md):
		// no full folding, no normalisation.
		{"sharp s is not ss", "\u00df", "ss", false},
		{"precomposed vs combining", "\u00e9", "e\u0301", false},
		// Not UTF-8: opaque bytes.
		{"invalid bytes differ", "a\xff", "a\xfe", false},
		{"invalid bytes other case", "a\xff", "A\xff", false},
		{"invalid vs replacement char", "\xff", "\ufffd", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, tk, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := tk.Mkdir("/cf", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/cf", "tmpfs", 0, "casefold"); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/cf/"+tc.first, vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o644)
			if err != nil {
				t.Fatalf("create %q: %v", tc.first, err)
			}
			tk.Close(fd)
			var st1, st2 vfs.Stat
			if err := tk.Stat("/cf/"+tc.first, &st1); err != nil {
				t.Fatalf("stat %q: %v", tc.first, err)
			}
			err = tk.Stat("/cf/"+tc.second, &st2)
			wantStat := error(vfs.ENOENT)
			if tc.same {
				wantStat = nil
			}
			if err != wantStat {
				t.Fatalf("stat %q after creating %q: %v, want %v", tc.second, tc.first, err, wantStat)
			}
			if tc.same && st1.Ino != st2.Ino {
				t.Fatalf("stat %q: inode %d, want %d (that of %q)", tc.second, st2.Ino, st1.Ino, tc.first)
			}
			fd, err = tk.Open("/cf/"+tc.second, vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o644)
			wantCreate := error(nil)
			if tc.same {
				wantCreate = vfs.EEXIST
			}
			if err != wantCreate {
				t.Fatalf("create excl %q after %q: %v, want %v", tc.second, tc.first, err, wantCreate)
			}
			if err == nil {
				tk.Close(fd)
			}
			want := []string{tc.first}
			if !tc.same {
				want = append(want, tc.second)
				sort.Strings(want)
			}
			got := casefoldNames(t, tk, "/cf")
			if len(got) != len(want) {
				t.Fatalf("directory holds %q, want %q", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("directory holds %q, want %q", got, want)
				}
			}
		})
	}
}
