package billyfs_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"runtime"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestHammer runs writers (pwrite, truncate, fsync, each on its own
// files, with a model of each), a reader of every file and a task
// calling sync(2), all at once with the background flusher, under -race
// and the lock validator. Then a remount: every file equals its model.
func TestHammer(t *testing.T) {
	e := newEnv(t, "")
	e.mount("size=64m")
	const writers, filesEach, rounds = 3, 2, 150
	if testing.Short() {
		t.Skip("hammer")
	}
	models := make([][]byte, writers*filesEach)
	var mu sync.Mutex // protects models
	name := func(i int) string { return fmt.Sprintf("/mnt/w%d", i) }
	for i := range models {
		e.WriteFile(name(i), "", 0o644)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 16)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		tk := e.Root.Fork(fmt.Sprintf("writer%d", w))
		go func(w int, tk *vfs.Task) {
			defer wg.Done()
			defer tk.Exit()
			rng := rand.New(rand.NewSource(int64(w)))
			fds := make([]int, filesEach)
			for k := range fds {
				fd, err := tk.Open(name(w*filesEach+k), vfs.O_RDWR, 0)
				if err != nil {
					errs <- err
					return
				}
				fds[k] = fd
			}
			for r := 0; r < rounds; r++ {
				k := rng.Intn(filesEach)
				i := w*filesEach + k
				mu.Lock()
				m := append([]byte{}, models[i]...)
				mu.Unlock()
				var err error
				switch op := rng.Intn(10); {
				case op < 6:
					off := rng.Intn(40000)
					data := pattern(byte(r), 1+rng.Intn(9000))
					_, err = tk.Pwrite(fds[k], data, int64(off))
					if len(m) < off+len(data) {
						m = append(m, make([]byte, off+len(data)-len(m))...)
					}
					copy(m[off:], data)
				case op < 8:
					size := rng.Intn(30000)
					err = tk.Ftruncate(fds[k], int64(size))
					if size < len(m) {
						m = m[:size]
					} else {
						m = append(m, make([]byte, size-len(m))...)
					}
				default:
					err = tk.Fsync(fds[k])
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d round %d: %v", w, r, err)
					return
				}
				mu.Lock()
				models[i] = m
				mu.Unlock()
				runtime.Gosched()
			}
			for _, fd := range fds {
				tk.Close(fd)
			}
		}(w, tk)
	}
	var side sync.WaitGroup
	side.Add(2)
	syncer := e.Root.Fork("syncer")
	go func() {
		defer side.Done()
		defer syncer.Exit()
		for {
			select {
			case <-stop:
				return
			default:
			}
			syncer.Sync()
			runtime.Gosched()
		}
	}()
	reader := e.Root.Fork("reader")
	go func() {
		defer side.Done()
		defer reader.Exit()
		buf := make([]byte, 64<<10)
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			fd, err := reader.Open(name(n%len(models)), vfs.O_RDONLY, 0)
			if err != nil {
				errs <- err
				return
			}
			reader.Pread(fd, buf, 0)
			reader.Close(fd)
			runtime.Gosched()
		}
	}()
	wg.Wait()
	close(stop)
	side.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// The pages size= counts are the files' pages (st_blocks), dirty
	// ones included, before and after writeback.
	checkBlocks := func(when string) {
		var sum int64
		for i := range models {
			sum += e.Stat(name(i)).Blocks / 8
		}
		if st := e.statfs(); int64(st.Blocks-st.Bfree) != sum {
			t.Errorf("%s: statfs counts %d pages in use, the files hold %d", when, st.Blocks-st.Bfree, sum)
		}
	}
	checkBlocks("before the remount")
	e.remount("size=64m")
	checkBlocks("after the remount")
	for i, m := range models {
		got := e.content(name(i))
		if !bytes.Equal(got, m) {
			t.Errorf("%s: %d bytes after remount, model %d; first difference at %d", name(i), len(got), len(m), firstDiff(got, m))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
