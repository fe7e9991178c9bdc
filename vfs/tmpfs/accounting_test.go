package tmpfs_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestChargeExactUnderFaults: pages that mmap faults add (they take no
// i_rwsem) while a hole punch, a truncate or a write runs must not leave
// size= charged once everything is freed. Linux counts a file's pages in
// shmem_inode_info.alloced and gives back what left the mapping in
// shmem_recalc_inode() (mm/shmem.c), which corrects itself whatever ran
// in between; its oracle (a C program doing the same on /dev/shm) ends
// with every block free and a full-size write succeeding.
func TestChargeExactUnderFaults(t *testing.T) {
	const P = vfs.PAGE_SIZE
	const N = 256 // pages of the file; the first 32 are written and freed
	cases := []struct {
		name string
		// free gives back the first 32 pages while faults run.
		free func(tk *vfs.Task, fd int) error
	}{
		{"punch", func(tk *vfs.Task, fd int) error {
			return tk.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, 0, 32*P)
		}},
		{"truncate", func(tk *vfs.Task, fd int) error {
			if err := tk.Ftruncate(fd, 0); err != nil {
				return err
			}
			return tk.Ftruncate(fd, N*P)
		}},
		{"write over holes", func(tk *vfs.Task, fd int) error {
			// Writes that make pages race the faults making theirs; the
			// punch then frees the written ones.
			if _, err := tk.Pwrite(fd, make([]byte, 8*P), 40*P); err != nil {
				return err
			}
			return tk.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, 0, N*P)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			if err := tk.Mkdir("/sm", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/sm", "tmpfs", 0, "size=1m"); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/sm/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := tk.Ftruncate(fd, N*P); err != nil {
				t.Fatal(err)
			}
			x := make([]byte, 32*P)
			for range 8 {
				ft := tk.Fork("faulter")
				vma, err := ft.Mmap(fd, 0, N*P, vfs.PROT_READ, vfs.MAP_SHARED)
				if err != nil {
					t.Fatal(err)
				}
				var stop atomic.Bool
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					b := make([]byte, 1)
					for i := int64(0); i < N; i++ {
						vma.Load(i*P, b)
						runtime.Gosched()
					}
					ft.Munmap(vma)
					ft.Exit()
					stop.Store(true)
				}()
				for !stop.Load() {
					if _, err := tk.Pwrite(fd, x, 0); err != nil {
						t.Error(err)
						break
					}
					if err := c.free(tk, fd); err != nil {
						t.Error(err)
						break
					}
					runtime.Gosched()
				}
				wg.Wait()
				if err := tk.Fallocate(fd, vfs.FALLOC_FL_PUNCH_HOLE|vfs.FALLOC_FL_KEEP_SIZE, 0, N*P); err != nil {
					t.Fatal(err)
				}
			}
			var st vfs.Statfs
			if err := tk.Statfs("/sm", &st); err != nil {
				t.Fatal(err)
			}
			if st.Bfree != st.Blocks {
				t.Errorf("every page freed: statfs %d of %d blocks free", st.Bfree, st.Blocks)
			}
			var s vfs.Stat
			if err := tk.Fstat(fd, &s); err != nil || s.Blocks != 0 {
				t.Errorf("st_blocks %d (%v), want 0", s.Blocks, err)
			}
			tk.Close(fd)
			if err := tk.Unlink("/sm/f"); err != nil {
				t.Fatal(err)
			}
			g, err := tk.Open("/sm/g", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer tk.Close(g)
			if n, err := tk.Pwrite(g, make([]byte, 1<<20), 0); n != 1<<20 || err != nil {
				t.Errorf("1 MiB into an empty size=1m tmpfs: %d bytes, %v", n, err)
			}
		})
	}
}
