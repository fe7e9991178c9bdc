package bridge

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/vfs"
)

// TestVFSCloseFreesPages: closing a VFS unmounts its filesystems, so the
// pages of its files go back to the process's pool, where the next VFS
// takes them; its shells and guests are gone with it, the guest that
// made the last WASI call too.
func TestVFSCloseFreesPages(t *testing.T) {
	b := New()
	id, g, _ := newGuest(t, b)
	if errno, _, _, _ := callWASI(t, b, g, "fd_fdstat_get", 3, 64); errno != wasi.ESUCCESS {
		t.Fatalf("fd_fdstat_get before the close: %v", errno)
	}
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
	// The same request runs on a live shell (TestVFSClose): here the
	// shell is gone.
	if _, err := b.Exec(new(req).op("shellRun", 0).num(sh).str("ls").raw(nil).bytes(), NoEnv{}); err == nil || !strings.Contains(err.Error(), "no shell") {
		t.Errorf("the closed VFS's shell: %v, want no shell", err)
	}
	if _, err := b.CallWASI(g, funcIndex(t, "fd_fdstat_get"), []uint64{3, 64}); err == nil || !strings.Contains(err.Error(), "no WASI guest") {
		t.Errorf("a WASI call of the closed VFS's guest: %v, want no WASI guest", err)
	}
}
