package bridge

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestResultsPast2To53: a number JavaScript cannot hold exactly (2^53 or
// more) fails the call with EOVERFLOW instead of arriving rounded, as
// Linux fails a caller whose types cannot hold a result: lseek's offset
// (fs/read_write.c ksys_lseek, after moving the position), stat's size
// (fs/stat.c cp_new_stat). Below 2^53 the number arrives exactly.
func TestResultsPast2To53(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	task := b.vfses[id].task
	for _, c := range []struct {
		name  string
		size  int64
		errno vfs.Errno
	}{
		{"2^53 - 1", 1<<53 - 1, 0},
		{"2^53", 1 << 53, vfs.EOVERFLOW},
		{"2^53 + 1", 1<<53 + 1, vfs.EOVERFLOW},
		{"2^62", 1 << 62, vfs.EOVERFLOW},
	} {
		if err := task.Truncate("/tmp/f", 0); err != nil && err != vfs.ENOENT {
			t.Fatal(err)
		}
		exec(t, b, new(req).op("writeFile", id).str("/tmp/f").raw(nil).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
		if err := task.Truncate("/tmp/f", c.size); err != nil {
			t.Fatalf("%s: truncate: %v", c.name, err)
		}
		fd, err := task.Open("/tmp/f", vfs.O_RDONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		d := exec(t, b, new(req).op("stat", id).str("/tmp/f").op("fstat", id).num(int64(fd)).op("seek", id).num(int64(fd)).num(0).num(vfs.SEEK_END), nil)
		for _, call := range []string{"stat", "fstat", "seek"} {
			e := vfs.Errno(d.u32())
			if e != c.errno {
				t.Errorf("%s: %s: errno %v, want %v", c.name, call, e, c.errno)
			}
			if e != 0 {
				continue
			}
			if call == "seek" {
				if got := d.num(); got != c.size {
					t.Errorf("%s: seek: %d, want %d", c.name, got, c.size)
				}
				continue
			}
			p := d.take(statSize)
			if got := int64(math.Float64frombits(binary.LittleEndian.Uint64(p[56:]))); got != c.size {
				t.Errorf("%s: %s: size %d, want %d", c.name, call, got, c.size)
			}
		}
		// The position moved all the same, as on Linux.
		if pos, err := task.Seek(fd, 0, vfs.SEEK_CUR); err != nil || pos != c.size {
			t.Errorf("%s: position %d (%v), want %d", c.name, pos, err, c.size)
		}
		task.Close(fd)
	}
}
