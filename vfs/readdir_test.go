package vfs_test

import (
	"math"
	"runtime"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestGetdentsBufferSize: getdents64(2) fills the caller's buffer as it
// goes (fs/readdir.c:filldir64 copies each entry into the user buffer and
// stops when the next does not fit), so the memory it uses follows the
// entries it returns, never the count the caller passes: a huge count on
// a small directory costs nothing, and a count too small for one entry,
// negative ones included, is EINVAL (fs/readdir.c: "buf.error = -EINVAL;
// only used if we fail.."; count is an unsigned int there, so the Go API
// rejects a negative size rather than reading it as a huge one).
func TestGetdentsBufferSize(t *testing.T) {
	// allocated returns the bytes op allocated on the heap.
	allocated := func(op func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		op()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for _, c := range []struct {
		name    string
		size    int
		want    Errno
		entries int
	}{
		{"negative", -64, EINVAL, 0},
		{"minus one", -1, EINVAL, 0},
		{"min int", math.MinInt, EINVAL, 0},
		{"zero", 0, EINVAL, 0},
		{"one byte short of dot", 23, EINVAL, 0},
		{"exactly dot", 24, 0, 1},
		{"1 GiB", 1 << 30, 0, 7},
		{"64 GiB", 1 << 36, 0, 7},
		{"max int", math.MaxInt, 0, 7},
	} {
		vt.Run(t, []vt.Case{{Name: c.name, Op: func(e *vt.Env) error {
			fd := openT(e, "/d", O_RDONLY)
			var ents []Dirent
			var err error
			n := allocated(func() { ents, err = e.T.Getdents(fd, c.size) })
			if len(ents) != c.entries {
				e.TB.Fatalf("size %d: %d entries %v, want %d", c.size, len(ents), ents, c.entries)
			}
			// Seven entries and the validator's bookkeeping: far below
			// what a slice sized by the count would take.
			if n > 64<<10 {
				e.TB.Fatalf("size %d: allocated %d bytes for %d entries", c.size, n, len(ents))
			}
			return err
		}, Want: c.want}})
	}
}

// TestGetdentsAtime: getdents64 updates a directory's atime, but not a
// removed directory's, whose listing fails with ENOENT: iterate_dir in
// fs/readdir.c calls file_accessed only under !IS_DEADDIR (the reference
// run: Linux 6.18 tmpfs keeps atime 1000 after getdents of a removed
// directory fails).
func TestGetdentsAtime(t *testing.T) {
	for _, c := range []struct {
		name      string
		remove    bool
		want      Errno
		wantAtime bool // atime moved off 1000 s
	}{
		{"live directory", false, 0, true},
		{"removed directory", true, ENOENT, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			tk := e.Root
			e.Must(tk.Mkdir("/g", 0o755))
			e.Must(tk.Utimensat(AT_FDCWD, "/g", &[2]Timespec{{Sec: 1000}, {Sec: 1000}}, 0))
			fd, err := tk.Open("/g", O_RDONLY|O_DIRECTORY, 0)
			e.Must(err)
			defer tk.Close(fd)
			if c.remove {
				e.Must(tk.Rmdir("/g"))
			}
			_, err = tk.Getdents(fd, 4096)
			if ErrnoOf(err) != c.want {
				t.Fatalf("getdents: %v, want %v", err, c.want)
			}
			var st Stat
			e.Must(tk.Fstat(fd, &st))
			if moved := st.Atime != 1000e9; moved != c.wantAtime {
				t.Errorf("atime %d, moved %v, want moved %v", st.Atime, moved, c.wantAtime)
			}
		})
	}
}
