package vfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// TestTracePages drives a file's page cache through its life (a page
// added locked, made uptodate, unlocked, then truncated away) and checks
// the page events in order, the folio lock's events, and the snapshot's
// view of the page in between.
func TestTracePages(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := tk.Creat("/p", 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Close(fd)
	d, err := vfs.DLookup(tk, tk.Root().Dentry, "p")
	if err != nil || d == nil {
		t.Fatalf("d_lookup: %v %v", d, err)
	}
	in := d.Inode()
	vfs.Dput(tk, d)
	m := in.Mapping()

	l := v.Subscribe(1 << 10)
	defer l.Close()
	// A task learns of a listener at its next system call; the page
	// cache calls below are made directly, so make one first.
	if _, err := tk.Getcwd(); err != nil {
		t.Fatal(err)
	}
	drain(l)
	f, err := vfs.FilemapGrabFolio(tk, m, 2, vfs.FGP_CREAT|vfs.FGP_LOCK)
	if err != nil {
		t.Fatal(err)
	}
	vfs.FolioMarkUptodate(f)
	vfs.FolioUnlock(tk, f)
	vfs.FolioPut(f)

	s := v.Snapshot()
	var pages []trace.PageSnap
	for _, ms := range s.Pages {
		if ms.Inode == in.ID() {
			pages = ms.Pages
		}
	}
	if len(pages) != 1 || pages[0].Index != 2 || pages[0].Flags&vfs.PG_uptodate == 0 || pages[0].Flags&vfs.PG_locked != 0 {
		t.Errorf("snapshot pages of the file: %+v", pages)
	}

	vfs.TruncateInodePages(tk, m, 0)
	// PG_locked is in a page event's flags from the folio lock's
	// acquisition until the event that clears it (a release is reported
	// before the bit is cleared).
	var got []string
	locked := false
	for _, e := range drain(l) {
		switch {
		case strings.HasPrefix(e.Kind.String(), "page."):
			if e.Inode != in.ID() || e.Ino != in.Ino() || e.Index != 2 {
				t.Errorf("%s of inode %d ino %d index %d", e.Kind, e.Inode, e.Ino, e.Index)
			}
			got = append(got, fmt.Sprintf("%s %v", e.Kind, vfs.FolioFlagNames(uint32(e.Bits))))
			if e.Kind == trace.PageFlagClear && e.Bits&vfs.PG_locked != 0 {
				locked = false
			}
			if (e.Flags&vfs.PG_locked != 0) != locked {
				t.Errorf("%s: flags %v, folio lock held %v", e.Kind, vfs.FolioFlagNames(uint32(e.Flags)), locked)
			}
		case strings.HasPrefix(e.Kind.String(), "lock.") && strings.Contains(e.Class, "folio"):
			got = append(got, e.Kind.String())
			if e.Kind == trace.LockAcquire {
				locked = true
			}
		}
	}
	want := []string{
		"lock.request", "lock.acquire", // FGP_LOCK: the new folio is locked before it is added
		"page.add []",
		"page.flag_set [uptodate]",
		"lock.release", "page.flag_clear [locked]", // folio_unlock
		"page.flag_set [lru]",                                    // lru_add_fn: the snapshot's lru_add_drain_all puts it on the inactive list
		"lock.request", "lock.acquire", "page.flag_set [locked]", // truncate locks it
		"page.remove []",
		"lock.release",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
