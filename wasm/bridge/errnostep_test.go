package bridge

import (
	"bytes"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestErrnoStep: an operation made of several calls says which one
// failed in the high 16 bits of its errno word, so that JavaScript names
// it as Node's fs does: readFileSync of a directory fails in "read"
// (EISDIR), writeFileSync to a full filesystem in "write" (ENOSPC:
// mm/shmem.c shmem_write_begin), to a missing directory in "open".
func TestErrnoStep(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	exec(t, b, new(req).op("mkdir", id).str("/tmp/small").num(0o755).
		op("mount", id).str("none").str("/tmp/small").str("tmpfs").num(0).str("size=64k"), nil)
	wr := func(path string, data []byte) *req {
		return new(req).op("writeFile", id).str(path).raw(data).num(vfs.O_WRONLY | vfs.O_CREAT | vfs.O_TRUNC).num(0o644)
	}
	for _, c := range []struct {
		name string
		r    *req
		want uint32
	}{
		{"readFile of a missing file: open", new(req).op("readFile", id).str("/tmp/nope"), uint32(vfs.ENOENT)},
		{"readFile of a directory: read", new(req).op("readFile", id).str("/tmp"), uint32(vfs.EISDIR) | stepRead<<16},
		{"writeFile in a missing directory: open", wr("/tmp/nope/f", []byte("x")), uint32(vfs.ENOENT)},
		{"writeFile of a directory: open", wr("/tmp", []byte("x")), uint32(vfs.EISDIR)},
		{"writeFile past a full tmpfs: write", wr("/tmp/small/f", bytes.Repeat([]byte("x"), 1<<20)), uint32(vfs.ENOSPC) | stepWrite<<16},
		{"a plain operation has no step", new(req).op("stat", id).str("/tmp/nope"), uint32(vfs.ENOENT)},
		{"writeFile that succeeds", wr("/tmp/ok", []byte("x")), 0},
	} {
		d := exec(t, b, c.r, nil)
		if w := d.u32(); w != c.want {
			t.Errorf("%s: errno word %#x (errno %v, step %d), want %#x", c.name, w, vfs.Errno(w&0xffff), w>>16, c.want)
		}
	}
}
