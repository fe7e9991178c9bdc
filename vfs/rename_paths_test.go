package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// renAt is renameat2 with both paths relative to descriptors opened on
// odir and ndir ("" for AT_FDCWD).
func renAt(odir, o, ndir, n string, flags uint32) func(e *vt.Env) error {
	return func(e *vt.Env) error {
		ofd, nfd := AT_FDCWD, AT_FDCWD
		if odir != "" {
			ofd = openT(e, odir, O_RDONLY|O_DIRECTORY)
		}
		if ndir != "" {
			nfd = openT(e, ndir, O_RDONLY|O_DIRECTORY)
		}
		return e.T.Renameat2(ofd, o, nfd, n, flags)
	}
}

// TestRenameSameParentPaths: a rename whose two paths spell their parent
// alike takes the new name on the parent the first walk found; every
// spelling gives what two separate walks give.
func TestRenameSameParentPaths(t *testing.T) {
	long := strings.Repeat("x", NAME_MAX+1)
	huge := "/d/" + strings.Repeat("y/", PATH_MAX/2)
	twoSubs := func(e *vt.Env) {
		e.Must(e.Root.Mkdir("/e/sub", 0o755))
		e.WriteFile("/e/sub/g", "e", 0o644)
	}
	vt.Run(t, []vt.Case{
		{Name: "absolute", Op: ren("/d/f", "/d/n"), Check: checks(wantAbsent("/d/f"), wantContent("/d/n", "hello"))},
		{Name: "doubled slashes alike", Op: ren("/d//f", "/d//n"), Check: wantContent("/d/n", "hello")},
		{Name: "doubled slash in one", Op: ren("/d/f", "/d//n"), Check: wantContent("/d/n", "hello")},
		{Name: "through a symlinked parent", Op: ren("/d/ld/g", "/d/ld/h"), Check: checks(wantAbsent("/d/sub/g"), wantContent("/d/sub/h", "g"))},
		{Name: "over an existing name", Op: ren("/d/sub/g", "/d/sub/h"), Setup: func(e *vt.Env) { e.WriteFile("/d/sub/h", "h", 0o644) },
			Check: checks(wantAbsent("/d/sub/g"), wantContent("/d/sub/h", "g"))},
		{Name: "relative to the cwd", Setup: func(e *vt.Env) { e.Must(e.T.Chdir("/d")) }, Op: ren("f", "n"), Check: wantContent("/d/n", "hello")},
		{Name: "dot-relative to the cwd", Setup: func(e *vt.Env) { e.Must(e.T.Chdir("/d")) }, Op: ren("./f", "./n"), Check: wantContent("/d/n", "hello")},
		{Name: "relative to one descriptor", Op: renAt("/d", "sub/g", "/d", "sub/h", 0), Check: wantContent("/d/sub/h", "g")},
		{Name: "same spelling, other descriptors", Setup: twoSubs, Op: renAt("/d", "sub/g", "/e", "sub/h", 0),
			Check: checks(wantAbsent("/d/sub/g"), wantAbsent("/d/sub/h"), wantContent("/e/sub/h", "g"), wantContent("/e/sub/g", "e"))},
		{Name: "bare names, other descriptors", Op: renAt("/d", "f", "/e", "f", 0), Check: checks(wantAbsent("/d/f"), wantContent("/e/f", "hello"))},
		{Name: "absolute, other descriptors", Op: renAt("/e", "/d/f", "/priv", "/d/n", 0), Check: wantContent("/d/n", "hello")},
		{Name: "directory with trailing slashes", Op: ren("/d/sub/", "/d/sub2//"), Check: wantContent("/d/sub2/g", "g")},
		{Name: "file to a trailing slash", Op: ren("/d/f", "/d/n/"), Want: ENOTDIR},
		{Name: "file from a trailing slash", Op: ren("/d/f/", "/d/n"), Want: ENOTDIR},
		{Name: "to dot", Op: ren("/d/f", "/d/."), Want: EBUSY},
		{Name: "to dotdot", Op: ren("/d/f", "/d/.."), Want: EBUSY},
		{Name: "to dotdot, noreplace", Op: ren2("/d/f", "/d/..", RENAME_NOREPLACE), Want: EEXIST},
		{Name: "file onto its parent, trailing slash", Op: ren("/d/sub/g", "/d/sub/"), Want: ENOTDIR},
		{Name: "new name too long", Op: ren("/d/f", "/d/"+long), Want: ENAMETOOLONG, Check: wantContent("/d/f", "hello")},
		{Name: "new path too long before the old walk fails", Op: ren("/nope/f", huge), Want: ENAMETOOLONG},
		{Name: "new path with NUL before the old walk fails", Op: ren("/nope/f", "/d/a\x00b"), Want: EINVAL},
		{Name: "old path too long first", Op: ren(huge, "/nope/f"), Want: ENAMETOOLONG},
		{Name: "missing parent", Op: ren("/nope/f", "/nope/g"), Want: ENOENT},
		{Name: "no search permission on the parent", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: ren("/priv/x", "/priv/y"), Want: EACCES},
		{Name: "no write permission on the one directory", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: ren("/d/f", "/d/n"), Want: EACCES},
		{Name: "no write permission, over a file", Setup: func(e *vt.Env) { e.As(1000, 1000) }, Op: ren("/d/f", "/d/l"), Want: EACCES},
		{Name: "sticky directory, another's file", Setup: func(e *vt.Env) {
			e.Must(e.Root.Chmod("/tmp", 0o1777))
			e.WriteFile("/tmp/a", "a", 0o644)
			e.As(1000, 1000)
		}, Op: ren("/tmp/a", "/tmp/b"), Want: EPERM},
		{Name: "exchange", Setup: func(e *vt.Env) { e.WriteFile("/d/n", "n", 0o644) }, Op: ren2("/d/f", "/d/n", RENAME_EXCHANGE),
			Check: checks(wantContent("/d/f", "n"), wantContent("/d/n", "hello"))},
	})
}

// TestRenameSameParentCasefold: on a parent with ->d_hash the new name
// is hashed by the filesystem whichever way the parent was reached.
func TestRenameSameParentCasefold(t *testing.T) {
	for _, to := range []string{"/ci/B", "/ci/b", "/ci//b"} {
		t.Run(to, func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/ci", 0o755))
			e.Must(e.Root.Mount("none", "/ci", "tmpfs", 0, "casefold"))
			e.WriteFile("/ci/a", "a", 0o644)
			e.WriteFile("/ci/B", "b", 0o644)
			e.Must(e.Root.Rename("/ci/a", to))
			names, err := e.Names("/ci")
			e.Must(err)
			if got := strings.Join(names, ","); got != "B" && got != "b" {
				t.Fatalf("entries %q, want one (the old B replaced)", got)
			}
			if got, err := e.ReadFile("/ci/b"); err != nil || got != "a" {
				t.Fatalf("/ci/b: %q, %v", got, err)
			}
		})
	}
}

// TestRenameAllocs: a rename to a new name allocates the target's
// dentry (d_alloc under ->lookup) and the moved name, its QStr and its
// inline bytes in one allocation; nothing else. Validation off (it
// allocates as it records).
func TestRenameAllocs(t *testing.T) {
	var tk *Task
	WithoutEnvLockdepForTest(func() {
		var err error
		if _, tk, err = boot.New(Options{}); err != nil {
			t.Fatal(err)
		}
	})
	for _, p := range []string{"/d", "/e"} {
		if err := tk.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := createFile(tk, "/d/f"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, a, b string
		want       float64
	}{
		{"one directory", "/d/f", "/d/g", 2},
		{"two directories", "/d/f", "/e/g", 2},
		// The long name's dentry copies it (d_alloc's external name);
		// its QStr is a separate allocation when moved.
		{"long names", "/d/f", "/d/" + strings.Repeat("n", DnameInlineLenForTest+1), 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testing.AllocsPerRun(200, func() {
				if err := tk.Rename(tc.a, tc.b); err != nil {
					t.Fatal(err)
				}
				if err := tk.Rename(tc.b, tc.a); err != nil {
					t.Fatal(err)
				}
			})
			if n/2 > tc.want {
				t.Fatalf("%.1f allocations per rename, want at most %v", n/2, tc.want)
			}
		})
	}
}
