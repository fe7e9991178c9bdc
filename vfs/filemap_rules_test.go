package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// rowsTestedElsewhere names the locking.rst tables whose rows
// TestLockingRows leaves to their own tests (TestPageCacheLockingRows),
// since probefs has no page cache.
var rowsTestedElsewhere = map[string]bool{
	"address_space_operations": true,
	"file_operations":          true,
	"vm_operations_struct":     true,
}

// TestPageCacheLockingRows reaches every address_space_operations and
// file_operations row of locking.rst that the VFS calls, through tmpfs
// and pcfs, with every call checked against its row: no violation, no
// validator report, and each row's reason in NotCalledRows when it is
// not reached.
func TestPageCacheLockingRows(t *testing.T) {
	v, tk, p := pcEnv(t)
	must := func(what string, err error) { t.Helper(); mustT(t, what, err) }
	const P = vfs.PAGE_SIZE

	// open, write (write_begin, write_end, dirty_folio), fsync
	// (writepage via write_cache_pages), llseek, read, flush, release.
	fd, err := tk.Open("/pc/rows", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	must("open", err)
	must("write", pwriteAll(tk, fd, pattern(0, 40*P, 9), 0))
	must("fsync", tk.Fsync(fd))
	_, err = tk.Seek(fd, 0, vfs.SEEK_SET)
	must("lseek", err)
	in := vfs.FdInode(tk, fd)
	// release_folio (clean pages with private data dropped), free_folio.
	vfs.InvalidateMappingPages(tk, in.Mapping(), 0, 1<<40)
	// readahead and read_folio: a sequential read, then a partial write
	// into an uncached page (write_begin reads it in).
	buf := make([]byte, 8*P)
	_, err = tk.Read(fd, buf)
	must("read", err)
	vfs.InvalidateMappingPages(tk, in.Mapping(), 30, 30)
	must("partial write", pwriteAll(tk, fd, []byte("x"), 30*P+5))
	// invalidate_folio: truncate pages with private data (written, so
	// ->write_begin attached it), one partly.
	must("write 36", pwriteAll(tk, fd, pattern(35*P, 2*P, 9), 35*P))
	must("ftruncate", tk.Ftruncate(fd, 35*P+100))
	// fallocate, fadvise.
	must("fallocate", tk.Fallocate(fd, vfs.FALLOC_FL_KEEP_SIZE, 0, P))
	must("fadvise", tk.Fadvise(fd, 0, 4*P, vfs.POSIX_FADV_WILLNEED))
	// launder_folio: invalidate_inode_pages2 over a dirty page.
	must("dirty", pwriteAll(tk, fd, []byte("y"), 2*P))
	must("invalidate2", vfs.InvalidateInodePages2Range(tk, in.Mapping(), 0, 1<<40))
	// is_partially_uptodate: a page that is in the cache but not
	// uptodate (a failed read).
	p.mu.Lock()
	p.failRead = true
	p.mu.Unlock()
	if _, err := tk.Pread(fd, buf[:10], 3*P); err != vfs.EIO {
		t.Errorf("read with failing store: %v", err)
	}
	p.mu.Lock()
	p.failRead = false
	p.mu.Unlock()
	if _, err := tk.Pread(fd, buf[:10], 3*P); err != nil {
		t.Errorf("read after recovery: %v", err)
	}
	// lock, flock, setlease: a byte-range lock, a flock and a lease,
	// each taken and dropped (the close below would drop them too).
	lfd, err := tk.Open("/pc/rows", vfs.O_RDONLY, 0)
	must("open for locks", err)
	must("fcntl lock", tk.FcntlLock(lfd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_RDLCK, Len: P}))
	must("fcntl unlock", tk.FcntlLock(lfd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK, Len: P}))
	must("flock", tk.Flock(lfd, vfs.LOCK_SH))
	must("flock unlock", tk.Flock(lfd, vfs.LOCK_UN))
	must("close", tk.Close(fd))
	_, err = tk.Fcntl(lfd, vfs.F_SETLEASE, vfs.F_RDLCK)
	must("setlease", err)
	_, err = tk.Fcntl(lfd, vfs.F_SETLEASE, vfs.F_UNLCK)
	must("lease unlock", err)
	must("close locks fd", tk.Close(lfd))
	// iterate_shared: a directory listing.
	dfd, err := tk.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must("open dir", err)
	_, err = tk.Getdents(dfd, 4096)
	must("getdents", err)
	must("close dir", tk.Close(dfd))
	// read_iter: a readv of a pipe, the whole vector in one call.
	pfd, err := tk.Pipe2(0)
	must("pipe2", err)
	_, err = tk.Write(pfd[1], []byte("ab"))
	must("write to the pipe", err)
	if n, err := tk.Readv(pfd[0], [][]byte{make([]byte, 1), make([]byte, 4)}); n != 2 || err != nil {
		t.Errorf("readv of a pipe: %d, %v; want 2, nil", n, err)
	}
	must("close the pipe's read end", tk.Close(pfd[0]))
	must("close the pipe's write end", tk.Close(pfd[1]))
	// mmap and the vm_operations_struct rows (mmap_rules_test.go).
	reachMmapRows(t, v, tk)

	reached := v.LockingRowsReached()
	for _, row := range vfs.LockingRows() {
		table := strings.SplitN(row, ".", 2)[0]
		if !rowsTestedElsewhere[table] {
			continue
		}
		_, skip := vfs.NotCalledRows[row]
		switch {
		case skip && reached[row] > 0:
			t.Errorf("row %s is in NotCalledRows but was reached %d times", row, reached[row])
		case !skip && reached[row] == 0:
			t.Errorf("locking.rst row not reached: %s", row)
		}
	}
	pcCheck(t, v)
	t.Logf("pcfs calls: %v", p.Calls())
}
