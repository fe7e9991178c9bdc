//go:build linux

package hostfs_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/host/hostfs"
	"github.com/vfscope/vfscope/vfs"
)

// lateStore is a host directory whose Lstat does not see the name late
// yet: the host makes that file after the VFS looked the name up (a
// negative dentry) and before the rename reaches the host.
type lateStore struct {
	*hostfs.Dir
	late string
}

func (s lateStore) Lstat(name string) (os.FileInfo, error) {
	if name == s.late {
		return nil, &os.PathError{Op: "lstat", Path: name, Err: os.ErrNotExist}
	}
	return s.Dir.Lstat(name)
}

// TestRename2: renameat2(2)'s flags on a host directory reach the
// host's renameat2, as on Linux (checked against the host's tmpfs and
// ext4): RENAME_EXCHANGE swaps two names, files or a file and a
// directory, and each file keeps its inode; RENAME_NOREPLACE onto a
// name the host made after the VFS's lookup is EEXIST and leaves it.
// A store without renameat2 (memfs) gives EINVAL for RENAME_EXCHANGE.
func TestRename2(t *testing.T) {
	late := func(src string) (billy.Filesystem, error) {
		d, err := hostfs.OpenDir(src)
		if err != nil {
			return nil, err
		}
		return lateStore{d, "n"}, nil
	}
	memStore := func(string) (billy.Filesystem, error) {
		m := memfs.New()
		m.MkdirAll("d", 0o755)
		for _, n := range []string{"f", "d/x"} {
			f, _ := m.Create(n)
			f.Write([]byte(n))
			f.Close()
		}
		return m, nil
	}
	tests := []struct {
		name           string
		open           func(string) (billy.Filesystem, error)
		oldp, newp     string
		flags          uint32
		want           error
		check          func(t *testing.T, fx *fixture, oldIno, newIno uint64)
		hostMakesFirst string // made on the host after the lookup
	}{
		{"exchange two files", openDir, "/data/f", "/data/d/x", vfs.RENAME_EXCHANGE, nil, func(t *testing.T, fx *fixture, oi, ni uint64) {
			if fx.hostRead(t, "f") != "x" || fx.hostRead(t, "d/x") != "hello" {
				t.Errorf("host: f %q d/x %q", fx.hostRead(t, "f"), fx.hostRead(t, "d/x"))
			}
			if s, err := readAll(fx.tk, "/data/d/x"); s != "hello" || err != nil {
				t.Errorf("d/x in the VFS: %q %v", s, err)
			}
			wantInos(t, fx, oi, ni, "d/x", "f")
		}, ""},
		{"exchange a file and a directory", openDir, "/data/f", "/data/e", vfs.RENAME_EXCHANGE, nil, func(t *testing.T, fx *fixture, oi, ni uint64) {
			var st vfs.Stat
			must(t, fx.tk.Stat("/data/f", &st))
			if !vfs.IsDir(st.Mode) || fx.hostRead(t, "e") != "hello" {
				t.Errorf("after the exchange f has mode %o, e on the host %q", st.Mode, fx.hostRead(t, "e"))
			}
			wantInos(t, fx, oi, ni, "e", "f")
		}, ""},
		{"noreplace onto a name the host made after the lookup", late, "/data/f", "/data/n", vfs.RENAME_NOREPLACE, vfs.EEXIST, func(t *testing.T, fx *fixture, oi, ni uint64) {
			if fx.hostRead(t, "n") != "host" || fx.hostRead(t, "f") != "hello" {
				t.Errorf("host: n %q f %q", fx.hostRead(t, "n"), fx.hostRead(t, "f"))
			}
		}, "n"},
		{"noreplace onto a free name", openDir, "/data/f", "/data/n", vfs.RENAME_NOREPLACE, nil, func(t *testing.T, fx *fixture, oi, ni uint64) {
			if fx.hostExists("f") || fx.hostRead(t, "n") != "hello" {
				t.Errorf("host: f there %v, n %q", fx.hostExists("f"), fx.hostRead(t, "n"))
			}
		}, ""},
		{"exchange on a store without renameat2", memStore, "/data/f", "/data/d/x", vfs.RENAME_EXCHANGE, vfs.EINVAL, nil, ""},
		{"noreplace on a store without renameat2", memStore, "/data/f", "/data/d/x", vfs.RENAME_NOREPLACE, vfs.EEXIST, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(dir+"/f", []byte("hello"), 0o644))
			must(t, os.Mkdir(dir+"/d", 0o755))
			must(t, os.WriteFile(dir+"/d/x", []byte("x"), 0o644))
			must(t, os.Mkdir(dir+"/e", 0o755))
			fx := mountStore(t, dir, 0, tc.open)
			var ost, nst vfs.Stat
			must(t, fx.tk.Stat(tc.oldp, &ost))
			fx.tk.Stat(tc.newp, &nst) // a negative dentry when missing
			if tc.hostMakesFirst != "" {
				must(t, os.WriteFile(fx.host(tc.hostMakesFirst), []byte("host"), 0o644))
			}
			if err := fx.tk.Renameat2(vfs.AT_FDCWD, tc.oldp, vfs.AT_FDCWD, tc.newp, tc.flags); err != tc.want {
				t.Fatalf("renameat2: %v, want %v", err, tc.want)
			}
			if tc.check != nil {
				tc.check(t, fx, ost.Ino, nst.Ino)
			}
		})
	}
}

// wantInos checks that the VFS and the host give oldIno at a and newIno
// at b.
func wantInos(t *testing.T, fx *fixture, oldIno, newIno uint64, a, b string) {
	t.Helper()
	for _, c := range []struct {
		name string
		ino  uint64
	}{{a, oldIno}, {b, newIno}} {
		var st vfs.Stat
		must(t, fx.tk.Stat("/data/"+c.name, &st))
		if err := func() error {
			if st.Ino != c.ino || hostIno(t, fx.host(c.name)) != c.ino {
				return fmt.Errorf("%s: ino %d, host %d, want %d", c.name, st.Ino, hostIno(t, fx.host(c.name)), c.ino)
			}
			return nil
		}(); err != nil {
			t.Error(err)
		}
	}
}
