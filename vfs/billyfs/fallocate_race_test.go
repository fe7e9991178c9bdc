package billyfs_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestFallocateKeepsWrittenBackData: a page dirtied through a shared
// mapping and written back (msync, sync_file_range: neither takes
// i_rwsem) after fallocate found it a hole and before fallocate wrote
// its zeros keeps its data: fallocate allocates only what is still
// unallocated when it writes. Linux: ext4_fallocate -> ext4_alloc_file_blocks
// -> ext4_map_blocks(EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT) under i_data_sem
// allocates only unmapped blocks, as unwritten extents, and never writes
// over blocks writeback allocated (fs/ext4/extents.c, fs/ext4/inode.c).
func TestFallocateKeepsWrittenBackData(t *testing.T) {
	const P = vfs.PAGE_SIZE
	const pages = 8
	msg := []byte("written back through a shared mapping")
	writers := []struct {
		name      string
		writeback func(b *vfs.Task, fd int, m *vfs.Mapping) error
	}{
		{"msync", func(b *vfs.Task, fd int, m *vfs.Mapping) error { return b.Msync(m, 0, P, vfs.MS_SYNC) }},
		{"sync_file_range", func(b *vfs.Task, fd int, m *vfs.Mapping) error {
			return b.SyncFileRange(fd, 0, P, vfs.SYNC_FILE_RANGE_WRITE_AND_WAIT)
		}},
	}
	modes := []struct {
		name string
		mode int
	}{
		{"mode_0", 0},
		{"keep_size", vfs.FALLOC_FL_KEEP_SIZE},
	}
	for _, w := range writers {
		for _, md := range modes {
			t.Run(w.name+"/"+md.name, func(t *testing.T) {
				s := faultstore.New(memfs.New())
				name := "fault-" + t.Name()
				if err := billyfs.RegisterStore(name, s); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { billyfs.ForgetStore(name) })
				e := newEnv(t, name)
				e.mount("size=1m")
				r := e.Root
				fd, err := r.Open("/mnt/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
				e.Must(err)
				e.Must(r.Ftruncate(fd, pages*P))
				_, err = r.Pwrite(fd, []byte("z"), (pages-1)*P) // the data file exists
				e.Must(err)
				e.Must(r.Fsync(fd))
				b := r.Fork("mapper")
				m, err := b.Mmap(fd, 0, P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
				e.Must(err)
				ran := false
				done := make(chan error, 1)
				defer billyfs.SetAllocateHook(func() {
					// The page is stored to and written back
					// now; fallocate goes on once its data has
					// reached the store. (msync then waits for
					// i_rwsem, for the inode's record.)
					ran = true
					writes := s.CallsMatching(faultstore.OpWrite, "f/*")
					go func() {
						if _, err := m.Store(0, msg); err != nil {
							done <- err
							return
						}
						done <- w.writeback(b, fd, m)
					}()
					for deadline := time.Now().Add(10 * time.Second); s.CallsMatching(faultstore.OpWrite, "f/*") == writes; {
						if time.Now().After(deadline) {
							t.Error("the page was not written back")
							break
						}
						time.Sleep(time.Millisecond)
					}
				})()
				e.Must(r.Fallocate(fd, md.mode, 0, pages*P))
				if !ran {
					t.Fatal("the allocation wrote no zeros: the race was not run")
				}
				e.Must(<-done)
				e.Must(b.Munmap(m))
				b.Exit()
				e.Must(r.Close(fd))
				want := make([]byte, pages*P)
				copy(want, msg)
				want[(pages-1)*P] = 'z'
				check := func(when string) {
					if got := e.content("/mnt/f"); !bytes.Equal(got, want) {
						t.Fatalf("%s: content differs at %d: %q", when, firstDiff(got, want), got[:8])
					}
					st := e.Stat("/mnt/f")
					if st.Blocks != pages*8 {
						t.Fatalf("%s: %d blocks, want %d", when, st.Blocks, pages*8)
					}
					if fs := e.statfs(); int64(fs.Blocks-fs.Bfree)*8 != st.Blocks {
						t.Fatalf("%s: statfs counts %d pages in use, the file holds %d", when, fs.Blocks-fs.Bfree, st.Blocks/8)
					}
				}
				check("now")
				e.remount("size=1m") // the store's bytes
				check("after a remount")
			})
		}
	}
}

// TestPunchHoleRacingReader: a read or a fault of a page that hole
// punching is removing, arriving after the page left the cache, finds
// the hole, not the old data: the punched range reads as zeros once
// fallocate returns, and its pages are not written back. Linux:
// ext4_punch_hole holds filemap_invalidate_lock from before
// truncate_pagecache_range until after ext4_ext_remove_space
// (fs/ext4/inode.c), and filemap_read's and filemap_fault's cache fills
// take it shared (mm/filemap.c).
func TestPunchHoleRacingReader(t *testing.T) {
	const P = vfs.PAGE_SIZE
	readers := []struct {
		name string
		read func(rd *vfs.Task, fd int, m *vfs.Mapping, b []byte) error
	}{
		{"pread", func(rd *vfs.Task, fd int, m *vfs.Mapping, b []byte) error {
			_, err := rd.Pread(fd, b, P+7)
			return err
		}},
		{"fault", func(rd *vfs.Task, fd int, m *vfs.Mapping, b []byte) error {
			_, err := m.Load(P+7, b)
			return err
		}},
	}
	for _, c := range readers {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			e.mount("")
			r := e.Root
			x := bytes.Repeat([]byte("x"), 3*P)
			e.writeAt("/mnt/f", x, 0, 0)
			fd, err := r.Open("/mnt/f", vfs.O_RDWR, 0)
			e.Must(err)
			e.Must(r.Fsync(fd))
			rd := r.Fork("reader")
			rfd, err := rd.Open("/mnt/f", vfs.O_RDONLY, 0)
			e.Must(err)
			m, err := rd.Mmap(rfd, 0, 3*P, vfs.PROT_READ, vfs.MAP_SHARED)
			e.Must(err)
			done := make(chan error, 1)
			got := make([]byte, 1)
			ran := false
			defer billyfs.SetPunchHook(func() {
				ran = true
				go func() { done <- c.read(rd, rfd, m, got) }()
				// The reader fills the page at once unless the
				// punch keeps it out: wait for it, a while.
				select {
				case err := <-done:
					done <- err
				case <-time.After(200 * time.Millisecond):
				}
			})()
			e.Must(r.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, P, P))
			if !ran {
				t.Fatal("the punch changed no extent: the race was not run")
			}
			e.Must(<-done)
			if got[0] != 0 {
				t.Fatalf("the racing reader read %q in the hole", got)
			}
			want := append([]byte{}, x...)
			clear(want[P : 2*P])
			b := make([]byte, 3*P)
			_, err = r.Pread(fd, b, 0)
			e.Must(err)
			if !bytes.Equal(b, want) {
				t.Fatalf("after the punch: content differs at %d", firstDiff(b, want))
			}
			e.Must(r.Fsync(fd))
			e.Must(rd.Munmap(m))
			e.Must(rd.Close(rfd))
			rd.Exit()
			e.Must(r.Close(fd))
			e.remount("")
			if got := e.content("/mnt/f"); !bytes.Equal(got, want) {
				t.Fatalf("after a remount: content differs at %d", firstDiff(got, want))
			}
			if st := e.Stat("/mnt/f"); st.Blocks != 2*8 {
				t.Fatalf("after a remount: %d blocks, want %d", st.Blocks, 2*8)
			}
		})
	}
}
