package vfs_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFileLockHammer: tasks take, convert and drop random POSIX byte
// ranges with F_SETLKW (backing off on EDEADLK), and sometimes close
// their descriptor, under -race and lock validation. A model of who
// holds what checks every grant: it never overlaps another task's write
// lock, and a write lock overlaps nobody's lock. The model only ever
// holds less than the VFS does (weakened before a call, strengthened
// after a grant), so any conflict it sees is a real one.
func TestFileLockHammer(t *testing.T) {
	const (
		tasks = 4
		bytes = 48
	)
	iters := 300
	if testing.Short() {
		iters = 60
	}
	e := vfstest.New(t)
	e.WriteFile("/f", "", 0o644)
	var mu sync.Mutex
	// held[i][b]: task i's lock on byte b (0 none, F_RDLCK+1, F_WRLCK+1).
	var held [tasks][bytes]int8
	var errs []string
	fail := func(format string, a ...any) {
		mu.Lock()
		if len(errs) < 10 {
			errs = append(errs, fmt.Sprintf(format, a...))
		}
		mu.Unlock()
	}
	set := func(i int, s, n int64, v int8, weakenOnly bool) {
		mu.Lock()
		defer mu.Unlock()
		for b := s; b < s+n; b++ {
			if weakenOnly && held[i][b] != 0 && v > held[i][b] {
				continue
			}
			if weakenOnly && held[i][b] == 0 {
				continue
			}
			held[i][b] = v
		}
	}
	check := func(i int, s, n int64, typ int16) {
		mu.Lock()
		defer mu.Unlock()
		for j := range tasks {
			if j == i {
				continue
			}
			for b := s; b < s+n; b++ {
				if held[j][b] == vfs.F_WRLCK+1 || typ == vfs.F_WRLCK && held[j][b] != 0 {
					errs = append(errs, fmt.Sprintf("task %d got %s on %d-%d over task %d's lock on byte %d", i, typeName(typ), s, s+n-1, j, b))
					return
				}
			}
		}
	}
	var wg sync.WaitGroup
	deadlocks := make([]int, tasks)
	for i := range tasks {
		tk := e.Root.Fork(fmt.Sprintf("hammer%d", i))
		defer tk.Exit()
		fd, err := tk.Open("/f", vfs.O_RDWR, 0)
		e.Must(err)
		wg.Add(1)
		go func(i int, tk *vfs.Task, fd int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for range iters {
				s := r.Int64N(bytes)
				n := 1 + r.Int64N(min(8, bytes-s))
				switch k := r.IntN(10); {
				case k < 6:
					typ := int16(vfs.F_RDLCK)
					if k < 3 {
						typ = vfs.F_WRLCK
					}
					set(i, s, n, int8(typ)+1, true)
					err := tk.FcntlLock(fd, vfs.F_SETLKW, &vfs.Flock{Type: typ, Start: s, Len: n})
					switch err {
					case nil:
						check(i, s, n, typ)
						set(i, s, n, int8(typ)+1, false)
					case vfs.EDEADLK:
						deadlocks[i]++
						set(i, 0, bytes, 0, false)
						if err := tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}); err != nil {
							fail("task %d unlock all: %v", i, err)
						}
					default:
						fail("task %d F_SETLKW: %v", i, err)
					}
				case k < 9:
					set(i, s, n, 0, false)
					if err := tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK, Start: s, Len: n}); err != nil {
						fail("task %d unlock: %v", i, err)
					}
				default:
					set(i, 0, bytes, 0, false)
					if err := tk.Close(fd); err != nil {
						fail("task %d close: %v", i, err)
					}
					var err error
					if fd, err = tk.Open("/f", vfs.O_RDWR, 0); err != nil {
						fail("task %d open: %v", i, err)
						return
					}
				}
			}
			set(i, 0, bytes, 0, false)
			tk.Close(fd)
		}(i, tk, fd)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("hammer hung; locks: %+v", e.Root.ProcLocks())
	}
	for _, s := range errs {
		t.Error(s)
	}
	if got := lockLayout(t, e.Root, "/f"); got != "" {
		t.Errorf("locks left: %s", got)
	}
	t.Logf("EDEADLK per task: %v", deadlocks)
}
