package tmpfs_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestLimits: nr_inodes= and size= as shmem enforces them (the root
// directory is one of the inodes), statfs's free counts, and remounts
// that may not go below what is in use (EINVAL, limits unchanged).
func TestLimits(t *testing.T) {
	type step struct {
		op   func(tk *vfs.Task) error
		want error
	}
	create := func(p string, size int) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error {
			fd, err := tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			if size > 0 {
				if _, err = tk.Write(fd, make([]byte, size)); err != nil {
					tk.Close(fd)
					return err
				}
			}
			return tk.Close(fd)
		}
	}
	remount := func(opts string) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error { return tk.Mount("none", "/l", "", vfs.MS_REMOUNT, opts) }
	}
	statfs := func(blocks, bfree, files, ffree uint64) func(tk *vfs.Task) error {
		return func(tk *vfs.Task) error {
			var st vfs.Statfs
			if err := tk.Statfs("/l", &st); err != nil {
				return err
			}
			if st.Blocks != blocks || st.Bfree != bfree || st.Files != files || st.Ffree != ffree {
				return fmt.Errorf("statfs: blocks %d free %d, files %d free %d; want %d %d, %d %d",
					st.Blocks, st.Bfree, st.Files, st.Ffree, blocks, bfree, files, ffree)
			}
			return nil
		}
	}
	cases := []struct {
		name  string
		opts  string
		steps []step
	}{
		{"nr_inodes counts the root", "nr_inodes=3", []step{
			{create("/l/a", 0), nil},
			{create("/l/b", 0), nil},
			{create("/l/c", 0), vfs.ENOSPC},
			{func(tk *vfs.Task) error { return tk.Mkdir("/l/d", 0o755) }, vfs.ENOSPC},
			{func(tk *vfs.Task) error { return tk.Unlink("/l/a") }, nil},
			{create("/l/c", 0), nil},
		}},
		{"size in pages", "size=16k,nr_inodes=0", []step{
			{create("/l/a", 8192), nil},
			{statfs(4, 2, 0, 0), nil},
			{create("/l/b", 8192), nil},
			{create("/l/c", 1), vfs.ENOSPC},
			{func(tk *vfs.Task) error { return tk.Truncate("/l/a", 0) }, nil},
			{statfs(4, 2, 0, 0), nil},
		}},
		{"remount below use", "size=16k,nr_inodes=10", []step{
			{create("/l/a", 12288), nil},
			{remount("size=8k"), vfs.EINVAL},
			{statfs(4, 1, 10, 8), nil},
			{remount("nr_inodes=1"), vfs.EINVAL},
			{remount("size=12k,nr_inodes=2"), nil},
			{statfs(3, 0, 2, 0), nil},
			{create("/l/b", 0), vfs.ENOSPC},
			{func(tk *vfs.Task) error { return tk.Unlink("/l/a") }, nil},
			{create("/l/b", 4096), nil},
		}},
		{"size as a share of the budget", "size=1%,nr_inodes=0", []step{
			// boot.New's budget: 256 MiB, so 1% is 2684354 bytes, 656 pages.
			{statfs(656, 656, 0, 0), nil},
			{remount("size=2%"), nil},
			{statfs(1311, 1311, 0, 0), nil},
			{remount("size=x%"), vfs.EINVAL},
			{remount("size=-1%"), vfs.EINVAL},
		}},
		{"no limits", "size=0,nr_inodes=0", []step{
			{create("/l/a", 1<<20), nil},
			{statfs(0, 0, 0, 0), nil},
		}},
		// shmem_default_max_blocks and shmem_default_max_inodes: half
		// the pages of RAM each (here the budget's: 65536 pages).
		{"defaults", "", []step{
			{create("/l/a", 1<<20), nil},
			{statfs(32768, 32768-256, 32768, 32768-2), nil},
			{remount("size=0"), nil},
			{statfs(0, 0, 32768, 32768-2), nil},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			if err := tk.Mkdir("/l", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/l", "tmpfs", 0, c.opts); err != nil {
				t.Fatal(err)
			}
			for i, s := range c.steps {
				if err := s.op(tk); !errors.Is(err, s.want) && !(err == nil && s.want == nil) {
					t.Fatalf("step %d: %v, want %v", i, err, s.want)
				}
			}
		})
	}
}

// TestLimitsConcurrent: creators racing for the last inodes of a mount
// get exactly as many as it has, and the rest ENOSPC.
func TestLimitsConcurrent(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	const limit, workers, each = 50, 4, 40
	if err := tk.Mkdir("/l", 0o777); err != nil {
		t.Fatal(err)
	}
	if err := tk.Mount("none", "/l", "tmpfs", 0, fmt.Sprintf("nr_inodes=%d", limit)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	made, full := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wt := tk.Fork("creator")
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wt.Exit()
			for i := range each {
				fd, err := wt.Open(fmt.Sprintf("/l/w%d-%d", w, i), vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				mu.Lock()
				switch {
				case err == nil:
					made++
				case errors.Is(err, vfs.ENOSPC):
					full++
				default:
					t.Error(err)
				}
				mu.Unlock()
				if err == nil {
					wt.Close(fd)
				}
			}
		}()
	}
	wg.Wait()
	if made != limit-1 || full != workers*each-(limit-1) {
		t.Fatalf("%d created, %d ENOSPC; want %d and %d", made, full, limit-1, workers*each-(limit-1))
	}
}

// TestDefaultSizeFills: a tmpfs mounted without size= holds half the
// budget, as Linux's holds half of RAM (shmem_default_max_blocks), and
// then fails with ENOSPC, not with the budget's ENOMEM; statfs shows
// the default limits (boot.New's /tmp has none of its own).
func TestDefaultSizeFills(t *testing.T) {
	cases := []struct {
		budget       int64
		blocks, file uint64
	}{
		{16 << 20, 2048, 2048},
		{32 << 20, 4096, 4096},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.budget>>20, "MiB"), func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{MemBudget: c.budget})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			var st vfs.Statfs
			if err := tk.Statfs("/tmp", &st); err != nil {
				t.Fatal(err)
			}
			if st.Blocks != c.blocks || st.Files != c.file {
				t.Fatalf("statfs /tmp: f_blocks %d f_files %d, want %d %d", st.Blocks, st.Files, c.blocks, c.file)
			}
			fd, err := tk.Open("/tmp/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer tk.Close(fd)
			buf := make([]byte, 1<<16)
			total := 0
			for total <= int(c.budget) {
				n, err := tk.Write(fd, buf)
				total += n
				if err != nil {
					if !errors.Is(err, vfs.ENOSPC) || total != int(c.blocks)*vfs.PAGE_SIZE {
						t.Fatalf("write stopped after %d bytes with %v; want ENOSPC after %d", total, err, c.blocks*vfs.PAGE_SIZE)
					}
					return
				}
			}
			t.Fatalf("%d bytes written to a default tmpfs on a %d-byte budget", total, c.budget)
		})
	}
}
