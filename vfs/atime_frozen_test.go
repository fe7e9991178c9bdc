package vfs_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// readAll opens path read-only and reads it to the end (file_accessed).
func readAll(tb testing.TB, tk *vfs.Task, path string) {
	tb.Helper()
	fd, err := tk.Open(path, vfs.O_RDONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := tk.Read(fd, buf); err != nil {
		tb.Fatal(err)
	}
	tk.Close(fd)
}

// TestAtimeFrozen: touch_atime() (fs/inode.c) gives up when
// sb_start_write_trylock() fails: a read on a frozen filesystem leaves
// the access time as it was (and does not wait), and a read after the
// thaw updates it.
func TestAtimeFrozen(t *testing.T) {
	e := vt.New(t)
	e.Must(e.Root.Mkdir("/e", 0o755))
	probefsOn("/e", vfs.MS_STRICTATIME)(e)
	e.WriteFile("/e/f", "hello", 0o644)
	e.Must(e.Root.Utimensat(vfs.AT_FDCWD, "/e/f", &[2]vfs.Timespec{{Sec: 1000}, {Nsec: vfs.UTIME_OMIT}}, 0))
	e.Must(e.Root.Freeze("/e"))
	done := make(chan struct{})
	go func() { readAll(t, e.Root, "/e/f"); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("read on a frozen filesystem did not return")
	}
	if got := e.Stat("/e/f").Atime; got != 1000e9 {
		t.Errorf("atime after a read while frozen: %d, want %d", got, int64(1000e9))
	}
	e.Must(e.Root.Thaw("/e"))
	readAll(t, e.Root, "/e/f")
	if got := e.Stat("/e/f").Atime; got == 1000e9 {
		t.Error("atime not updated by a read after the thaw")
	}
}

// TestRelatimeDay: relatime_need_update() (fs/inode.c) updates an
// atime newer than mtime and ctime once it is a day old, comparing
// seconds: now.tv_sec - atime.tv_sec >= 86400.
func TestRelatimeDay(t *testing.T) {
	cases := []struct {
		name   string
		atime  vfs.Timespec
		now    int64 // nanoseconds
		update bool
	}{
		{"seconds differ by a day, nanoseconds by less", vfs.Timespec{Sec: 1000, Nsec: 900000000}, 87400e9 + 1e8, true},
		{"a second short of a day", vfs.Timespec{Sec: 1000}, 87399e9 + 999999999, false},
		{"exactly a day", vfs.Timespec{Sec: 1000}, 87400e9, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var clk atomic.Int64
			clk.Store(900e9) // ctime, before every atime below
			v, tk, err := boot.New(vfs.Options{Lockdep: true, Clock: func() time.Time { return time.Unix(0, clk.Load()) }})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			fd, err := tk.Open("/tmp/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			tk.Write(fd, []byte("hello"))
			tk.Close(fd)
			if err := tk.Utimensat(vfs.AT_FDCWD, "/tmp/f", &[2]vfs.Timespec{c.atime, {Sec: 500}}, 0); err != nil {
				t.Fatal(err)
			}
			var st vfs.Stat
			tk.Stat("/tmp/f", &st)
			if st.Ctime >= st.Atime || st.Mtime >= st.Atime {
				t.Fatalf("ctime %d after atime %d", st.Ctime, st.Atime)
			}
			clk.Store(c.now)
			readAll(t, tk, "/tmp/f")
			tk.Stat("/tmp/f", &st)
			if updated := st.Atime == c.now; updated != c.update {
				t.Errorf("atime %d after a read at %d: updated %v, want %v", st.Atime, c.now, updated, c.update)
			}
		})
	}
}
