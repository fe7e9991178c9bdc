package billyfs_test

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// storeSeq numbers the tests' named stores.
var storeSeq atomic.Int64

// env is a booted VFS (lock validation on) with a billyfs to mount on
// /mnt.
type env struct {
	*vfstest.Env
	store string // the store= value
}

// newEnv boots a VFS; store names the store the test mounts (a named
// memfs unique to the test unless the test passes another).
func newEnv(t *testing.T, store string) *env {
	t.Helper()
	e := &env{Env: vfstest.New(t), store: store}
	if store == "" {
		// A named memfs of this run of the test only (-count reruns
		// must not find the last run's files).
		e.store = fmt.Sprintf("mem:%s-%d", t.Name(), storeSeq.Add(1))
		t.Cleanup(func() { billyfs.ForgetStore(e.store) })
	}
	e.Must(e.Root.Mkdir("/mnt", 0o755))
	// Unmount at the end, so the store is free for the next test (or
	// the next -count).
	t.Cleanup(func() {
		if e.Root.Umount2("/mnt", 0) == vfs.EBUSY {
			e.Root.Umount2("/mnt", vfs.MNT_DETACH)
		}
	})
	return e
}

// mount mounts the store on /mnt with extra options.
func (e *env) mount(opts string) {
	e.TB.Helper()
	data := "store=" + e.store
	if opts != "" {
		data += "," + opts
	}
	e.Must(e.Root.Mount("none", "/mnt", "billyfs", 0, data))
}

func (e *env) umount() {
	e.TB.Helper()
	e.Must(e.Root.Umount2("/mnt", 0))
}

// remount unmounts and mounts the store again.
func (e *env) remount(opts string) {
	e.TB.Helper()
	e.umount()
	e.mount(opts)
}

// snapshot describes every file under dir: one line per file with its
// type, permissions, owner, link count, size, blocks, mtime, ctime,
// device, inode number, symlink target, extended attributes and
// (regular files) content.
func (e *env) snapshot(dir string) string {
	e.TB.Helper()
	var lines []string
	var walk func(p string)
	walk = func(p string) {
		var st vfs.Stat
		e.Must(e.Root.Lstat(p, &st))
		line := fmt.Sprintf("%s mode=%o uid=%d gid=%d nlink=%d size=%d blocks=%d mtime=%d ctime=%d rdev=%x ino=%d",
			strings.TrimPrefix(p, dir), st.Mode, st.UID, st.GID, st.Nlink, st.Size, st.Blocks, st.Mtime, st.Ctime, st.Rdev, st.Ino)
		switch {
		case vfs.IsLnk(st.Mode):
			target, err := e.Root.Readlink(p)
			e.Must(err)
			line += " -> " + target
		case vfs.IsReg(st.Mode) && st.Size > 0:
			data, err := e.ReadFile(p)
			e.Must(err)
			line += fmt.Sprintf(" data=%q", data)
		}
		if !vfs.IsLnk(st.Mode) {
			names, err := e.Root.Listxattr(p)
			e.Must(err)
			for _, n := range names {
				v, err := e.Root.Getxattr(p, n)
				e.Must(err)
				line += fmt.Sprintf(" %s=%q", n, v)
			}
		}
		lines = append(lines, line)
		if vfs.IsDir(st.Mode) {
			names, err := e.Names(p)
			e.Must(err)
			for _, n := range names {
				walk(strings.TrimSuffix(p, "/") + "/" + n)
			}
		}
	}
	walk(dir)
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// statfs returns the statfs of /mnt.
func (e *env) statfs() vfs.Statfs {
	e.TB.Helper()
	var st vfs.Statfs
	e.Must(e.Root.Statfs("/mnt", &st))
	return st
}
