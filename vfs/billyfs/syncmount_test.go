package billyfs_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestSyncMount: on a filesystem mounted with -o sync (SB_SYNCHRONOUS),
// every write(2) is durable when it returns, as with O_DSYNC: Linux's
// IS_SYNC(inode) makes generic_write_sync() call vfs_fsync_range for the
// range written (include/linux/fs.h iocb_is_dsync, mm/filemap.c). The
// store is cut off (a crash) right after the write returns; a new mount
// of the store must find the data and the size. A remount that adds or
// drops sync changes later writes.
func TestSyncMount(t *testing.T) {
	data := bytes.Repeat([]byte("durable?"), 700) // two pages and a bit
	cases := []struct {
		name      string
		mflags    uint32 // at mount
		remount   uint32 // MS_REMOUNT flags after mount, if not 0
		oflags    int
		wantBytes int // what a mount after the crash finds
	}{
		{"-o sync", vfs.MS_SYNCHRONOUS, 0, 0, len(data)},
		{"-o sync,dirsync", vfs.MS_SYNCHRONOUS | vfs.MS_DIRSYNC, 0, 0, len(data)},
		{"remount -o sync", 0, vfs.MS_REMOUNT | vfs.MS_SYNCHRONOUS, 0, len(data)},
		{"O_DSYNC", 0, 0, vfs.O_DSYNC, len(data)},
		{"O_SYNC", 0, 0, vfs.O_SYNC, len(data)},
		{"-o sync with O_SYNC", vfs.MS_SYNCHRONOUS, 0, vfs.O_SYNC, len(data)},
		{"remount drops sync", vfs.MS_SYNCHRONOUS, vfs.MS_REMOUNT, 0, 0},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := fmt.Sprintf("syncmount-%d-%d", i, storeSeq.Add(1))
			e := newEnv(t, store)
			e.Must(billyfs.RegisterStore(store, memfs.New()))
			t.Cleanup(func() { billyfs.ForgetStore(store) })
			r := e.Root
			e.Must(r.Mount("none", "/mnt", "billyfs", c.mflags, "store="+store))
			if c.remount != 0 {
				e.Must(r.Mount("none", "/mnt", "billyfs", c.remount, "store="+store))
			}
			// The file exists on the store before the write: only the
			// write's durability is in question.
			fd, err := r.Open("/mnt/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			e.Must(err)
			e.Must(r.Fsync(fd))
			e.Must(r.Close(fd))
			fd, err = r.Open("/mnt/f", vfs.O_RDWR|c.oflags, 0)
			e.Must(err)
			if n, err := r.Write(fd, data); n != len(data) || err != nil {
				t.Fatalf("write: %d, %v", n, err)
			}
			e.Must(billyfs.Shutdown(store))
			e.Must(r.Close(fd))
			e.umount()
			e.mount("")
			got, err := e.ReadFile("/mnt/f")
			e.Must(err)
			if len(got) != c.wantBytes || !bytes.Equal([]byte(got), data[:c.wantBytes]) {
				t.Fatalf("after the crash: %d bytes (equal to what was written: %v), want %d",
					len(got), bytes.Equal([]byte(got), data[:min(len(got), len(data))]), c.wantBytes)
			}
		})
	}
}

// TestSyncMountTruncate: ftruncate(2) on a -o sync filesystem is
// durable when it returns (fs/ext2/inode.c ext2_setsize: inode_needs_sync
// then sync_inode_metadata).
func TestSyncMountTruncate(t *testing.T) {
	cases := []struct {
		name   string
		mflags uint32
		size   int64
		want   int64
	}{
		{"-o sync, grow", vfs.MS_SYNCHRONOUS, 100000, 100000},
		{"-o sync, shrink", vfs.MS_SYNCHRONOUS, 10, 10},
		{"no sync, grow", 0, 100000, 5000},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := fmt.Sprintf("synctrunc-%d-%d", i, storeSeq.Add(1))
			e := newEnv(t, store)
			e.Must(billyfs.RegisterStore(store, memfs.New()))
			t.Cleanup(func() { billyfs.ForgetStore(store) })
			r := e.Root
			e.Must(r.Mount("none", "/mnt", "billyfs", c.mflags, "store="+store))
			fd, err := r.Open("/mnt/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			e.Must(err)
			_, err = r.Write(fd, make([]byte, 5000))
			e.Must(err)
			e.Must(r.Fsync(fd))
			e.Must(r.Ftruncate(fd, c.size))
			e.Must(billyfs.Shutdown(store))
			e.Must(r.Close(fd))
			e.umount()
			e.mount("")
			if st := e.Stat("/mnt/f"); st.Size != c.want {
				t.Fatalf("size %d after the crash, want %d", st.Size, c.want)
			}
		})
	}
}

// TestDirSyncMount: with -o dirsync (or -o sync) a directory change is
// durable when the call returns (IS_DIRSYNC: ext4 and ext2 sync the
// directory's blocks and the new inode, fs/ext4/namei.c
// ext4_handle_sync, fs/ext2/dir.c ext2_commit_chunk). billyfs writes
// each change to the directory's log at once on any mount; with dirsync
// it also flushes the log and the new inode's record (a host file's
// fsync), which the store sees as Sync calls on them.
func TestDirSyncMount(t *testing.T) {
	cases := []struct {
		name   string
		mflags uint32
		op     func(r *vfs.Task) error
		synced bool
	}{
		{"create, dirsync", vfs.MS_DIRSYNC, func(r *vfs.Task) error { return r.Mknod("/mnt/f", vfs.S_IFREG|0o644, 0) }, true},
		{"mkdir, dirsync", vfs.MS_DIRSYNC, func(r *vfs.Task) error { return r.Mkdir("/mnt/d", 0o755) }, true},
		{"symlink, sync", vfs.MS_SYNCHRONOUS, func(r *vfs.Task) error { return r.Symlink("x", "/mnt/l") }, true},
		{"unlink, dirsync", vfs.MS_DIRSYNC, func(r *vfs.Task) error { return r.Unlink("/mnt/old") }, true},
		{"rename, dirsync", vfs.MS_DIRSYNC, func(r *vfs.Task) error { return r.Rename("/mnt/old", "/mnt/new") }, true},
		{"create, no dirsync", 0, func(r *vfs.Task) error { return r.Mknod("/mnt/f", vfs.S_IFREG|0o644, 0) }, false},
		{"rename, no dirsync", 0, func(r *vfs.Task) error { return r.Rename("/mnt/old", "/mnt/new") }, false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := fmt.Sprintf("dirsync-%d-%d", i, storeSeq.Add(1))
			e := newEnv(t, store)
			fs := faultstore.New(memfs.New())
			e.Must(billyfs.RegisterStore(store, fs))
			t.Cleanup(func() { billyfs.ForgetStore(store) })
			r := e.Root
			e.Must(r.Mount("none", "/mnt", "billyfs", c.mflags, "store="+store))
			e.Must(r.Mknod("/mnt/old", vfs.S_IFREG|0o644, 0))
			before := fs.Calls(faultstore.OpSync)
			e.Must(c.op(r))
			if got := fs.Calls(faultstore.OpSync) > before; got != c.synced {
				t.Fatalf("store synced: %v, want %v", got, c.synced)
			}
		})
	}
}
