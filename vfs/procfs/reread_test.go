package procfs_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestRereadFromZero: a /proc file read again from offset 0, after an
// lseek to 0 or by a pread at 0, shows current values, as seq_read_iter
// starts over at offset 0; a read further on continues what the first
// read began. procps keeps /proc/meminfo open and reads it so.
func TestRereadFromZero(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	line := func(b []byte, key string) string {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, key) {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		return ""
	}
	for _, how := range []string{"lseek", "pread"} {
		t.Run(how, func(t *testing.T) {
			fd, err := r.Open("/proc/meminfo", vfs.O_RDONLY, 0)
			e.Must(err)
			defer r.Close(fd)
			buf := make([]byte, 8192)
			n, err := r.Read(fd, buf)
			e.Must(err)
			before := line(buf[:n], "Shmem:")
			e.WriteFile("/tmp/"+how, strings.Repeat("x", 300<<10), 0o644)
			defer r.Unlink("/tmp/" + how)
			if how == "lseek" {
				_, err = r.Seek(fd, 0, vfs.SEEK_SET)
				e.Must(err)
				n, err = r.Read(fd, buf)
			} else {
				n, err = r.Pread(fd, buf, 0)
			}
			e.Must(err)
			after := line(buf[:n], "Shmem:")
			if before == after || after == "" {
				t.Errorf("Shmem read again from 0 after writing 300 KiB to tmpfs: %q, first %q", after, before)
			}
		})
	}
	// Read on from the middle: the same snapshot.
	fd, err := r.Open("/proc/mounts", vfs.O_RDONLY, 0)
	e.Must(err)
	defer r.Close(fd)
	first := make([]byte, 10)
	_, err = r.Read(fd, first)
	e.Must(err)
	e.Must(r.Mkdir("/tmp/m", 0o755))
	e.Must(r.Mount("none", "/tmp/m", "tmpfs", 0, ""))
	defer r.Umount2("/tmp/m", 0)
	var rest bytes.Buffer
	b := make([]byte, 4096)
	for {
		n, err := r.Read(fd, b)
		e.Must(err)
		if n == 0 {
			break
		}
		rest.Write(b[:n])
	}
	if strings.Contains(rest.String(), "/tmp/m") {
		t.Error("a read past offset 0 shows a mount made after the first read")
	}
}

// TestConcurrentReads: tasks reading one open /proc file at once, from
// 0 (each read makes the content anew) and further on, are served one
// after the other, as seq_file's m->lock serialises them: each read at
// 0 gets a whole status, and the race detector sees no data race.
func TestConcurrentReads(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	for _, path := range []string{"/proc/self/status", "/proc/meminfo", "/proc/mounts"} {
		t.Run(path, func(t *testing.T) {
			fd, err := r.Open(path, vfs.O_RDONLY, 0)
			e.Must(err)
			defer r.Close(fd)
			buf := make([]byte, 8192)
			n, err := r.Pread(fd, buf, 0)
			e.Must(err)
			want := string(buf[:n])
			first, _, _ := strings.Cut(want, "\n")
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for i := 0; i < 4; i++ {
				c := r.Fork("reader")
				wg.Add(1)
				go func(off int64) {
					defer wg.Done()
					b := make([]byte, 8192)
					for j := 0; j < 50; j++ {
						n, err := c.Pread(fd, b, off)
						if err != nil {
							errs <- err
							return
						}
						if off == 0 && !strings.HasPrefix(string(b[:n]), first+"\n") {
							errs <- fmt.Errorf("pread at 0: %q, want a first line %q", b[:n], first)
							return
						}
					}
				}(int64(i%2) * 7)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
