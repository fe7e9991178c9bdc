package billyfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestRecordWriteFailureKeepsLastRecord: a metadata record (an inode's
// i/<ino>, the superblock) whose rewrite fails on the store (EIO,
// ENOSPC, a short write, a failed sync, close or rename) keeps the last
// record that reached the store, so a file fsync'd earlier is still
// there, whole and with its old metadata, at the next mount, and the
// store still mounts. The call that wrote reports the error as before.
//
// The oracle is a disk filesystem on Linux: ext2 writes an inode or the
// superblock in place into its block (fs/ext2/inode.c
// __ext2_write_inode, fs/ext2/super.c ext2_sync_super), so a failed
// write leaves the block that was on the disk, and ext4 journals
// (fs/ext4/inode.c ext4_write_inode); neither loses the last durable
// copy of the metadata when a later write of it fails. The error itself
// reaches the caller as fsync(2) and syncfs(2) document.
func TestRecordWriteFailureKeepsLastRecord(t *testing.T) {
	data := pattern(5, 2*4096+100)
	cases := []struct {
		name  string
		rules []faultstore.Rule
		// act runs with the faults in place, the file open as fd and
		// its mode changed (its inode dirty); its error must be want.
		act  func(e *env, s *faultstore.Store, fd int) error
		want error
		// crash: Shutdown before the unmount (nothing more written);
		// otherwise a plain unmount with the faults still in place.
		crash bool
		mode  uint32 // the file's mode at the next mount
		// tmpLeft: a temporary is on the store before that mount.
		tmpLeft bool
	}{
		{"fsync, record write ENOSPC",
			[]faultstore.Rule{{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Err: vfs.ENOSPC}},
			fsyncAct, vfs.ENOSPC, true, 0o644, false},
		{"fsync, record written short then EIO",
			[]faultstore.Rule{{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Short: 7}, {Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Err: vfs.EIO}},
			fsyncAct, vfs.EIO, true, 0o644, false},
		{"fsync, record sync EIO",
			[]faultstore.Rule{{Op: faultstore.OpSync, Path: "i/*", Nth: 1, Err: vfs.EIO}},
			fsyncAct, vfs.EIO, true, 0o644, false},
		{"fsync, record close EIO",
			[]faultstore.Rule{{Op: faultstore.OpClose, Path: "i/*", Nth: 1, Err: vfs.EIO}},
			fsyncAct, vfs.EIO, true, 0o644, false},
		{"fsync, record rename EIO",
			[]faultstore.Rule{{Op: faultstore.OpRename, Path: "i/*", Nth: 1, Err: vfs.EIO}},
			fsyncAct, vfs.EIO, true, 0o644, false},
		{"flusher's write_inode EIO, then a crash",
			[]faultstore.Rule{{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Always: true, Err: vfs.EIO}},
			flusherAct, nil, true, 0o644, false},
		// syncfs writes the inode before ->sync_fs: only the
		// superblock's write fails.
		{"syncfs, superblock write EIO",
			[]faultstore.Rule{{Op: faultstore.OpWrite, Path: "super*", Nth: 1, Err: vfs.EIO}},
			syncfsAct, vfs.EIO, true, 0o600, false},
		{"syncfs, superblock written short then ENOSPC",
			[]faultstore.Rule{{Op: faultstore.OpWrite, Path: "super*", Nth: 1, Short: 5}, {Op: faultstore.OpWrite, Path: "super*", Nth: 1, Err: vfs.ENOSPC}},
			syncfsAct, vfs.ENOSPC, true, 0o600, false},
		{"unmount with the store full",
			[]faultstore.Rule{{Op: faultstore.OpWrite, Err: vfs.ENOSPC}},
			nil, nil, false, 0o644, false},
		// The temporary of an unlinked, open inode whose record write
		// failed stays when the inode is freed; the unmount writes f's
		// inode (mode 600) and a superblock that is not clean, so the
		// mount runs fsck.
		{"a temporary that cannot be removed, then a clean unmount",
			nil, leakAct, vfs.EIO, false, 0o600, true},
		{"a temporary left by a crash between write and rename",
			[]faultstore.Rule{{Op: faultstore.OpRename, Path: "i/*", Nth: 1, Err: vfs.EIO}, {Op: faultstore.OpRemove, Path: "i/*", Nth: 1, Err: vfs.EIO}},
			fsyncAct, vfs.EIO, true, 0o644, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, s := faultEnvSeq(t)
			r := e.Root
			fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			e.Must(err)
			_, err = r.Write(fd, data)
			e.Must(err)
			e.Must(r.Fsync(fd))
			e.Must(r.Fchmod(fd, 0o600))
			for _, rule := range c.rules {
				s.Add(rule)
			}
			if c.act != nil {
				if err := c.act(e, s, fd); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
					t.Errorf("with the fault: %v, want %v", err, c.want)
				}
			}
			r.Close(fd)
			if c.crash {
				e.Must(billyfs.Shutdown(e.store))
			}
			r.Umount2("/mnt", 0) // the error (if any) is the fault's
			s.Clear()
			if left := temporaries(t, s); (len(left) > 0) != c.tmpLeft {
				t.Errorf("temporaries on the store before the mount: %v, want some: %v", left, c.tmpLeft)
			}
			if err := r.Mount("none", "/mnt", "billyfs", 0, "store="+e.store); err != nil {
				t.Fatalf("mount after the failure: %v", err)
			}
			got, err := e.ReadFile("/mnt/f")
			if err != nil || !bytes.Equal([]byte(got), data) {
				t.Fatalf("fsync'd file after the failure: %d bytes (%v), want its %d bytes", len(got), err, len(data))
			}
			if st := e.Stat("/mnt/f"); st.Mode&0o7777 != c.mode {
				t.Errorf("mode %o, want the last written %o", st.Mode&0o7777, c.mode)
			}
			if left := temporaries(t, s); len(left) > 0 {
				t.Errorf("temporaries left on the store after a mount: %v", left)
			}
		})
	}
}

// faultEnvSeq is faultEnv for subtests, whose names are no store names.
func faultEnvSeq(t *testing.T) (*env, *faultstore.Store) {
	s := faultstore.New(memfs.New())
	name := fmt.Sprintf("fault-%d", storeSeq.Add(1))
	if err := billyfs.RegisterStore(name, s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { billyfs.ForgetStore(name) })
	e := newEnv(t, name)
	e.mount("")
	return e, s
}

func fsyncAct(e *env, s *faultstore.Store, fd int) error { return e.Root.Fsync(fd) }

// leakAct leaves the temporary of a record nobody writes again: g,
// unlinked while open, fails its record write and the removal of the
// temporary, and is freed when closed.
func leakAct(e *env, s *faultstore.Store, fd int) error {
	r := e.Root
	g, err := r.Open("/mnt/g", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	e.Must(err)
	e.Must(r.Unlink("/mnt/g"))
	e.Must(r.Fsync(g))
	e.Must(r.Fchmod(g, 0o600))
	s.Add(faultstore.Rule{Op: faultstore.OpWrite, Path: "i/*", Nth: 1, Err: vfs.EIO})
	s.Add(faultstore.Rule{Op: faultstore.OpRemove, Path: "i/*", Nth: 1, Err: vfs.EIO})
	err = r.Fsync(g)
	e.Must(r.Close(g))
	return err
}

func syncfsAct(e *env, s *faultstore.Store, fd int) error { return e.Root.Syncfs(fd) }

// flusherAct has the flusher write the dirty inode back (and fail),
// with nobody to tell: it waits for the record write to be tried.
func flusherAct(e *env, s *faultstore.Store, fd int) error {
	calls := s.CallsMatching(faultstore.OpWrite, "i/*")
	e.V.WakeupFlusherThreads("test")
	deadline := time.Now().Add(10 * time.Second)
	for s.CallsMatching(faultstore.OpWrite, "i/*") == calls {
		if time.Now().After(deadline) {
			e.TB.Fatalf("the flusher never wrote the inode")
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	return nil
}

// temporaries lists the files on the store that are no record: what a
// record's replacement leaves behind when it fails.
func temporaries(t *testing.T, s *faultstore.Store) []string {
	t.Helper()
	var left []string
	for _, dir := range []string{".", "i", "d"} {
		fis, err := s.Filesystem.ReadDir(dir)
		if err != nil {
			t.Fatalf("store readdir %s: %v", dir, err)
		}
		for _, fi := range fis {
			if strings.Contains(fi.Name(), ".") {
				left = append(left, dir+"/"+fi.Name())
			}
		}
	}
	return left
}
