package vfs_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestGetdents: getdents64(2), and seekdir-style offsets.
func TestGetdents(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "names", Op: func(e *vt.Env) error {
			names, err := e.Names("/d")
			if strings.Join(names, ",") != "dangle,f,l,ld,sub" {
				e.TB.Fatal(names)
			}
			return err
		}},
		{Name: "dots and types", Op: func(e *vt.Env) error {
			ents, err := e.T.Getdents(openT(e, "/d", O_RDONLY), 4096)
			types := map[string]uint8{}
			inos := map[string]uint64{}
			for _, d := range ents {
				types[d.Name], inos[d.Name] = d.Type, d.Ino
			}
			if types["."] != DT_DIR || types[".."] != DT_DIR || types["f"] != DT_REG || types["l"] != DT_LNK || types["sub"] != DT_DIR {
				e.TB.Fatal(ents)
			}
			if inos["."] != e.Stat("/d").Ino || inos[".."] != e.Stat("/").Ino || inos["f"] != e.Stat("/d/f").Ino {
				e.TB.Fatal(ents)
			}
			return err
		}},
		{Name: "end gives empty", Op: func(e *vt.Env) error {
			fd := openT(e, "/e", O_RDONLY)
			ents, err := e.T.Getdents(fd, 4096)
			e.Must(err)
			if len(ents) != 2 {
				e.TB.Fatal(ents)
			}
			ents, err = e.T.Getdents(fd, 4096)
			if len(ents) != 0 {
				e.TB.Fatal(ents)
			}
			return err
		}},
		{Name: "buffer too small", Op: func(e *vt.Env) error { _, err := e.T.Getdents(openT(e, "/d", O_RDONLY), 10); return err }, Want: EINVAL},
		{Name: "one entry per call", Op: func(e *vt.Env) error {
			fd := openT(e, "/d", O_RDONLY)
			n := 0
			for {
				ents, err := e.T.Getdents(fd, 32)
				e.Must(err)
				if len(ents) == 0 {
					break
				}
				if len(ents) != 1 {
					e.TB.Fatal(ents)
				}
				n++
			}
			if n != 7 {
				e.TB.Fatalf("%d entries", n)
			}
			return nil
		}},
		{Name: "on file", Op: func(e *vt.Env) error { _, err := e.T.Getdents(openT(e, "/d/f", O_RDONLY), 4096); return err }, Want: ENOTDIR},
		{Name: "bad fd", Op: func(e *vt.Env) error { _, err := e.T.Getdents(88, 4096); return err }, Want: EBADF},
		{Name: "removed dir", Op: func(e *vt.Env) error {
			fd := openT(e, "/e", O_RDONLY)
			e.Must(e.T.Rmdir("/e"))
			_, err := e.T.Getdents(fd, 4096)
			return err
		}, Want: ENOENT},
		{Name: "seek back to offset", Op: func(e *vt.Env) error {
			fd := openT(e, "/d", O_RDONLY)
			all, err := e.T.Getdents(fd, 4096)
			e.Must(err)
			_, err = e.T.Seek(fd, all[3].Off, SEEK_SET)
			e.Must(err)
			rest, err := e.T.Getdents(fd, 4096)
			if len(rest) != len(all)-4 || rest[0].Name != all[4].Name {
				e.TB.Fatalf("%v then %v", all, rest)
			}
			_, err = e.T.Seek(fd, 0, SEEK_SET)
			e.Must(err)
			again, err := e.T.Getdents(fd, 4096)
			if len(again) != len(all) {
				e.TB.Fatal(again)
			}
			return err
		}},
		{Name: "dir seek end invalid", Op: func(e *vt.Env) error { _, err := e.T.Seek(openT(e, "/d", O_RDONLY), 0, SEEK_END); return err }, Want: EINVAL},
	})
}

// TestGetdentsStableOffsets: while a listing is in progress, entries are
// added and removed; every entry present throughout appears exactly
// once, and none appears twice.
func TestGetdentsStableOffsets(t *testing.T) {
	e := vt.New(t)
	tk := e.Root
	e.Must(tk.Mkdir("/dir", 0o755))
	stay := map[string]bool{}
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("s%02d", i)
		e.WriteFile("/dir/"+name, "", 0o644)
		stay[name] = true
		e.WriteFile(fmt.Sprintf("/dir/t%02d", i), "", 0o644)
	}
	fd, err := tk.Open("/dir", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	seen := map[string]int{}
	round := 0
	for {
		ents, err := tk.Getdents(fd, 3*32) // a few entries per call
		e.Must(err)
		if len(ents) == 0 {
			break
		}
		for _, d := range ents {
			seen[d.Name]++
		}
		// Churn: remove a transient entry, add new ones, rename one
		// transient over another.
		if round < 40 {
			_ = tk.Unlink(fmt.Sprintf("/dir/t%02d", round))
			e.WriteFile(fmt.Sprintf("/dir/n%02d", round), "", 0o644)
			if round%3 == 0 {
				_ = tk.Rename(fmt.Sprintf("/dir/n%02d", round), fmt.Sprintf("/dir/m%02d", round))
			}
		}
		round++
	}
	e.Must(tk.Close(fd))
	for name := range stay {
		if seen[name] != 1 {
			t.Errorf("%s seen %d times", name, seen[name])
		}
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", name, n)
		}
	}
	if seen["."] != 1 || seen[".."] != 1 {
		t.Errorf("dots: %v", seen)
	}
}

// TestCwd: chdir(2), fchdir(2), getcwd(2), chroot(2).
func TestCwd(t *testing.T) {
	cwdIs := func(want string) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			got, err := e.T.Getcwd()
			e.Must(err)
			if got != want {
				e.TB.Fatalf("getcwd %q, want %q", got, want)
			}
		}
	}
	user := func(e *vt.Env) { e.As(1000, 1000) }
	vt.Run(t, []vt.Case{
		{Name: "initial", Op: func(e *vt.Env) error { return nil }, Check: cwdIs("/")},
		{Name: "chdir", Op: func(e *vt.Env) error { return e.T.Chdir("/d/sub") }, Check: cwdIs("/d/sub")},
		{Name: "chdir relative", Op: func(e *vt.Env) error { e.Must(e.T.Chdir("/d")); return e.T.Chdir("sub/../sub") }, Check: cwdIs("/d/sub")},
		{Name: "chdir through symlink", Op: func(e *vt.Env) error { return e.T.Chdir("/d/ld") }, Check: cwdIs("/d/sub")},
		{Name: "relative ops use cwd", Op: func(e *vt.Env) error {
			e.Must(e.T.Chdir("/d"))
			var st Stat
			e.Must(e.T.Stat("f", &st))
			return e.T.Mkdir("newdir", 0o755)
		}, Check: wantExists("/d/newdir")},
		{Name: "chdir file", Op: func(e *vt.Env) error { return e.T.Chdir("/d/f") }, Want: ENOTDIR},
		{Name: "chdir missing", Op: func(e *vt.Env) error { return e.T.Chdir("/nope") }, Want: ENOENT},
		{Name: "chdir no search", Setup: user, Op: func(e *vt.Env) error { return e.T.Chdir("/priv") }, Want: EACCES},
		{Name: "chdir empty", Op: func(e *vt.Env) error { return e.T.Chdir("") }, Want: ENOENT},
		{Name: "fchdir", Op: func(e *vt.Env) error { return e.T.Fchdir(openT(e, "/d/sub", O_RDONLY)) }, Check: cwdIs("/d/sub")},
		{Name: "fchdir path fd", Op: func(e *vt.Env) error { return e.T.Fchdir(openT(e, "/d/sub", O_PATH)) }, Check: cwdIs("/d/sub")},
		{Name: "fchdir file", Op: func(e *vt.Env) error { return e.T.Fchdir(openT(e, "/d/f", O_RDONLY)) }, Want: ENOTDIR},
		{Name: "fchdir bad fd", Op: func(e *vt.Env) error { return e.T.Fchdir(98) }, Want: EBADF},
		{Name: "cwd removed", Op: func(e *vt.Env) error {
			e.Must(e.T.Chdir("/e"))
			e.Must(e.T.Rmdir("/e"))
			_, err := e.T.Getcwd()
			return err
		}, Want: ENOENT},
		{Name: "cwd removed lookup", Op: func(e *vt.Env) error {
			e.Must(e.T.Chdir("/e"))
			e.Must(e.T.Rmdir("/e"))
			var st Stat
			e.Must(e.T.Stat(".", &st))
			if st.Nlink != 0 {
				e.TB.Fatalf("nlink %d", st.Nlink)
			}
			return e.T.Stat("x", &st)
		}, Want: ENOENT},
		{Name: "cwd renamed", Op: func(e *vt.Env) error { e.Must(e.T.Chdir("/d/sub")); return e.T.Rename("/d/sub", "/e/moved") }, Check: cwdIs("/e/moved")},
		{Name: "chroot", Op: func(e *vt.Env) error {
			e.Must(e.T.Chroot("/d"))
			e.Must(e.T.Chdir("/"))
			var st Stat
			e.Must(e.T.Stat("/f", &st))
			e.Must(e.T.Stat("/../../sub/g", &st))
			return e.T.Stat("/d", &st)
		}, Want: ENOENT},
		{Name: "chroot absolute symlink stays inside", Op: func(e *vt.Env) error {
			e.Must(e.Root.Symlink("/sub/g", "/d/abs"))
			e.Must(e.T.Chroot("/d"))
			var st Stat
			return e.T.Stat("/abs", &st)
		}},
		{Name: "chroot cwd outside", Op: func(e *vt.Env) error {
			e.Must(e.T.Chdir("/e"))
			e.Must(e.T.Chroot("/d"))
			got, err := e.T.Getcwd()
			if got != "(unreachable)/e" {
				e.TB.Fatalf("%q", got)
			}
			return err
		}},
		{Name: "chroot user", Setup: user, Op: func(e *vt.Env) error { return e.T.Chroot("/d") }, Want: EPERM},
		{Name: "chroot file", Op: func(e *vt.Env) error { return e.T.Chroot("/d/f") }, Want: ENOTDIR},
		{Name: "chroot missing", Op: func(e *vt.Env) error { return e.T.Chroot("/nope") }, Want: ENOENT},
		{Name: "chroot no search", Setup: user, Op: func(e *vt.Env) error { return e.T.Chroot("/priv") }, Want: EACCES},
	})
}
