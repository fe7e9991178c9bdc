//go:build linux

package hostfs_test

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/osfs"
	"golang.org/x/sys/unix"

	"github.com/vfscope/vfscope/host/hostfs"
	"github.com/vfscope/vfscope/vfs"
)

// TestFsyncCalls: fsync(2) and fdatasync(2) of a hostfs file or
// directory, and the sync of an O_SYNC or O_DSYNC write or of a write
// on a -o sync mount (generic_write_sync: fdatasync unless O_SYNC),
// reach the host as fsync(2) and fdatasync(2) of the host descriptor,
// as UML's hostfs_fsync does; a host error comes back as its errno. A
// store of memory has nothing to sync and succeeds. On the host (Linux
// 6.18, tmpfs and ext4) fsync and fdatasync of a regular file and of a
// directory opened O_RDONLY both succeed.
func TestFsyncCalls(t *testing.T) {
	hostStore := func(src string) (billy.Filesystem, error) { return hostfs.OpenDir(src) }
	osfsStore := func(src string) (billy.Filesystem, error) { return osfs.New(src, osfs.WithBoundOS()), nil }
	memStore := func(string) (billy.Filesystem, error) {
		m := memfs.New()
		if err := m.MkdirAll("d", 0o755); err != nil {
			return nil, err
		}
		f, err := m.Create("f")
		if err != nil {
			return nil, err
		}
		return m, f.Close()
	}
	fsyncOp := func(tk *vfs.Task, fd int) error { return tk.Fsync(fd) }
	fdatasyncOp := func(tk *vfs.Task, fd int) error { return tk.Fdatasync(fd) }
	writeOp := func(tk *vfs.Task, fd int) error { _, err := tk.Write(fd, []byte("x")); return err }
	const rd, wr, dir = vfs.O_RDONLY, vfs.O_WRONLY, vfs.O_RDONLY | vfs.O_DIRECTORY
	tests := []struct {
		name  string
		store func(string) (billy.Filesystem, error)
		mount uint32
		path  string
		flags int
		op    func(*vfs.Task, int) error
		fail  error // what the host's call returns
		calls []string
		want  error
	}{
		{"file fsync", hostStore, 0, "/data/f", rd, fsyncOp, nil, []string{"fsync"}, nil},
		{"file fdatasync", hostStore, 0, "/data/f", rd, fdatasyncOp, nil, []string{"fdatasync"}, nil},
		{"dir fsync", hostStore, 0, "/data/d", dir, fsyncOp, nil, []string{"fsync"}, nil},
		{"dir fdatasync", hostStore, 0, "/data/d", dir, fdatasyncOp, nil, []string{"fdatasync"}, nil},
		{"root fsync", hostStore, 0, "/data", dir, fsyncOp, nil, []string{"fsync"}, nil},
		{"root fdatasync", hostStore, 0, "/data", dir, fdatasyncOp, nil, []string{"fdatasync"}, nil},
		{"O_SYNC write", hostStore, 0, "/data/f", wr | vfs.O_SYNC, writeOp, nil, []string{"fsync"}, nil},
		{"O_DSYNC write", hostStore, 0, "/data/f", wr | vfs.O_DSYNC, writeOp, nil, []string{"fdatasync"}, nil},
		{"-o sync write", hostStore, vfs.MS_SYNCHRONOUS, "/data/f", wr, writeOp, nil, []string{"fdatasync"}, nil},
		{"-o sync O_SYNC write", hostStore, vfs.MS_SYNCHRONOUS, "/data/f", wr | vfs.O_SYNC, writeOp, nil, []string{"fsync"}, nil},
		{"plain write", hostStore, 0, "/data/f", wr, writeOp, nil, nil, nil},
		{"osfs file fdatasync", osfsStore, 0, "/data/f", rd, fdatasyncOp, nil, []string{"fdatasync"}, nil},
		{"osfs dir fdatasync", osfsStore, 0, "/data/d", dir, fdatasyncOp, nil, []string{"fdatasync"}, nil},
		{"file fdatasync EIO", hostStore, 0, "/data/f", rd, fdatasyncOp, syscall.EIO, []string{"fdatasync"}, vfs.EIO},
		{"file fsync ENOSPC", hostStore, 0, "/data/f", rd, fsyncOp, syscall.ENOSPC, []string{"fsync"}, vfs.ENOSPC},
		{"dir fdatasync EIO", hostStore, 0, "/data/d", dir, fdatasyncOp, syscall.EIO, []string{"fdatasync"}, vfs.EIO},
		{"O_DSYNC write EIO", hostStore, 0, "/data/f", wr | vfs.O_DSYNC, writeOp, syscall.EIO, []string{"fdatasync"}, vfs.EIO},
		{"memfs file fsync", memStore, 0, "/data/f", rd, fsyncOp, nil, nil, nil},
		{"memfs file fdatasync", memStore, 0, "/data/f", rd, fdatasyncOp, nil, nil, nil},
		{"memfs dir fsync", memStore, 0, "/data/d", dir, fsyncOp, nil, nil, nil},
		{"memfs dir fdatasync", memStore, 0, "/data/d", dir, fdatasyncOp, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			call := func(name string, sys func(int) error) func(int) error {
				return func(fd int) error {
					calls = append(calls, name)
					if tc.fail != nil {
						return tc.fail
					}
					return sys(fd)
				}
			}
			defer hostfs.SetHostSyncCalls(call("fsync", syscall.Fsync), call("fdatasync", syscall.Fdatasync))()
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o644))
			must(t, os.Mkdir(filepath.Join(dir, "d"), 0o755))
			fx := mountStore(t, dir, tc.mount, tc.store)
			fd, err := fx.tk.Open(tc.path, tc.flags, 0)
			must(t, err)
			defer fx.tk.Close(fd)
			calls = nil // the open's own
			if err := tc.op(fx.tk, fd); err != tc.want {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if !slices.Equal(calls, tc.calls) {
				t.Errorf("host calls %q, want %q", calls, tc.calls)
			}
		})
	}
}

// TestSyncFS: sync(2) and syncfs(2) of a hostfs mount over a host
// directory reach the host as syncfs(2) of the mount's root directory
// (->sync_fs, once, in its waiting call); a store of memory has nothing
// to sync. On the host, syncfs(2) of a directory descriptor succeeds.
func TestSyncFS(t *testing.T) {
	memStore := func(string) (billy.Filesystem, error) { return memfs.New(), nil }
	tests := []struct {
		name  string
		open  func(string) (billy.Filesystem, error)
		call  func(tk *vfs.Task) error
		calls int
	}{
		{"sync, host directory", openDir, func(tk *vfs.Task) error { tk.Sync(); return nil }, 1},
		{"syncfs, host directory", openDir, func(tk *vfs.Task) error {
			fd, err := tk.Open("/data/f", vfs.O_RDONLY, 0)
			if err != nil {
				return err
			}
			defer tk.Close(fd)
			return tk.Syncfs(fd)
		}, 1},
		{"sync, memfs", memStore, func(tk *vfs.Task) error { tk.Sync(); return nil }, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, "f"), nil, 0o644))
			fx := mountStore(t, dir, 0, tc.open)
			var inos []uint64
			restore := hostfs.SetHostSyncfs(func(fd int) error {
				var st syscall.Stat_t
				if err := syscall.Fstat(fd, &st); err != nil {
					return err
				}
				inos = append(inos, st.Ino)
				return unix.Syncfs(fd)
			})
			defer restore()
			must(t, tc.call(fx.tk))
			if len(inos) != tc.calls {
				t.Fatalf("syncfs(2) called %d times, want %d", len(inos), tc.calls)
			}
			for _, ino := range inos {
				if ino != hostIno(t, dir) {
					t.Errorf("syncfs(2) of inode %d, the root is %d", ino, hostIno(t, dir))
				}
			}
		})
	}
}
