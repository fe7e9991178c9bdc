package vfs_test

import (
	"runtime"
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFPosFdinfoRace: a task moving the position of a description it
// alone holds takes no f_pos_lock (fdget_pos, fs/file.c), while
// /proc/<pid>/fdinfo reads the position from another task
// (fs/proc/fd.c seq_show). Each row moves the position one way; under
// -race the two must not race, and every position fdinfo shows must be
// one the owner set.
func TestFPosFdinfoRace(t *testing.T) {
	const rounds = 2000
	buf := make([]byte, 2)
	for _, c := range []struct {
		name string
		path string
		move func(tk *Task, fd int) error
	}{
		{"read", "/d/f", func(tk *Task, fd int) error {
			if _, err := tk.Seek(fd, 0, SEEK_SET); err != nil {
				return err
			}
			_, err := tk.Read(fd, buf)
			return err
		}},
		{"write", "/d/f", func(tk *Task, fd int) error {
			if _, err := tk.Seek(fd, 0, SEEK_SET); err != nil {
				return err
			}
			_, err := tk.Write(fd, []byte("he"))
			return err
		}},
		{"readv", "/d/f", func(tk *Task, fd int) error {
			if _, err := tk.Seek(fd, 0, SEEK_SET); err != nil {
				return err
			}
			_, err := tk.Readv(fd, [][]byte{buf[:1], buf[1:]})
			return err
		}},
		{"writev", "/d/f", func(tk *Task, fd int) error {
			if _, err := tk.Seek(fd, 0, SEEK_SET); err != nil {
				return err
			}
			_, err := tk.Writev(fd, [][]byte{[]byte("h"), []byte("e")})
			return err
		}},
		{"getdents", "/d", func(tk *Task, fd int) error {
			if _, err := tk.Seek(fd, 0, SEEK_SET); err != nil {
				return err
			}
			_, err := tk.Getdents(fd, 1<<10)
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			e.Fixture()
			owner := e.Root
			fd, err := owner.Open(c.path, O_RDWR, 0)
			if err == EISDIR {
				fd, err = owner.Open(c.path, O_RDONLY|O_DIRECTORY, 0)
			}
			e.Must(err)
			// The position after one move, and 0 after the seek.
			e.Must(c.move(owner, fd))
			end, err := owner.Seek(fd, 0, SEEK_CUR)
			e.Must(err)
			reader := e.V.NewTask("reader", RootCred)
			defer reader.Exit()
			var wg sync.WaitGroup
			wg.Add(2)
			errs := make(chan error, 1)
			go func() {
				defer wg.Done()
				for range rounds {
					if err := c.move(owner, fd); err != nil {
						errs <- err
						return
					}
					runtime.Gosched() // wasm: let the reader run
				}
			}()
			go func() {
				defer wg.Done()
				for range rounds {
					info, ok := reader.FDInfoOf(owner, fd)
					if !ok || info.Pos != 0 && info.Pos != end {
						t.Errorf("fdinfo: %+v, %v; want pos 0 or %d", info, ok, end)
						return
					}
					runtime.Gosched()
				}
			}()
			wg.Wait()
			select {
			case err := <-errs:
				t.Fatal(err)
			default:
			}
		})
	}
}
