package bridge

import (
	"bytes"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestVFSCloseFreesPages: closing a VFS unmounts its filesystems, so the
// pages of its files go back to the process's pool, where the next VFS
// takes them; a shell of the closed VFS is gone with it.
func TestVFSCloseFreesPages(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	const pages = 64
	d := exec(t, b, new(req).op("writeFile", id).str("/tmp/big").raw(bytes.Repeat([]byte{1}, pages*vfs.PAGE_SIZE)).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o600), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("writeFile: errno %d", e)
	}
	d = exec(t, b, new(req).op("shellNew", id), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("shellNew: errno %d", e)
	}
	sh := d.num()
	before := vfs.FreePages()
	if e := exec(t, b, new(req).op("vfsClose", id), nil).u32(); e != 0 {
		t.Fatalf("vfsClose: errno %d", e)
	}
	if got := vfs.FreePages() - before; got < pages {
		t.Errorf("closing the VFS gave %d pages back to the pool, want at least %d", got, pages)
	}
	if _, err := b.Exec(new(req).op("shellRun", uint32(sh)).str("ls").bytes(), NoEnv{}); err == nil {
		t.Error("the closed VFS's shell still runs")
	}
}
