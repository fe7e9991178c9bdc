package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMmapPopulate: which mmaps fault their pages in at once, as do_mmap
// decides (mm/mmap.c): VM_LOCKED (MAP_LOCKED) or MAP_POPULATE without
// MAP_NONBLOCK; populate_vma_page_range then faults the pages inside
// EOF, a writable private mapping with write faults (its own copies), the
// rest with read faults (a shared page is not dirtied), and a PROT_NONE
// mapping not at all. The host answers the same (mincore of a fresh
// tmpfs file of 3 pages mapped over 4: 1110, or 0000 for PROT_NONE and
// MAP_POPULATE|MAP_NONBLOCK).
func TestMmapPopulate(t *testing.T) {
	const rw = vfs.PROT_READ | vfs.PROT_WRITE
	for _, c := range []struct {
		name  string
		prot  int
		flags int
		want  string // per page: w a writable private copy, r mapped read-only, - nothing
	}{
		{"shared populate", vfs.PROT_READ, vfs.MAP_SHARED | vfs.MAP_POPULATE, "rrr-"},
		{"shared populate, writable", rw, vfs.MAP_SHARED | vfs.MAP_POPULATE, "rrr-"},
		{"populate nonblock", vfs.PROT_READ, vfs.MAP_SHARED | vfs.MAP_POPULATE | vfs.MAP_NONBLOCK, "----"},
		{"locked", vfs.PROT_READ, vfs.MAP_SHARED | vfs.MAP_LOCKED, "rrr-"},
		{"locked nonblock", vfs.PROT_READ, vfs.MAP_SHARED | vfs.MAP_LOCKED | vfs.MAP_NONBLOCK, "rrr-"},
		{"locked, validated", vfs.PROT_READ, vfs.MAP_SHARED_VALIDATE | vfs.MAP_LOCKED, "rrr-"},
		{"populate PROT_NONE", vfs.PROT_NONE, vfs.MAP_SHARED | vfs.MAP_POPULATE, "----"},
		{"locked PROT_NONE", vfs.PROT_NONE, vfs.MAP_SHARED | vfs.MAP_LOCKED, "----"},
		{"private populate", rw, vfs.MAP_PRIVATE | vfs.MAP_POPULATE, "www-"},
		{"private populate, write only", vfs.PROT_WRITE, vfs.MAP_PRIVATE | vfs.MAP_POPULATE, "www-"},
		{"private populate, read only", vfs.PROT_READ, vfs.MAP_PRIVATE | vfs.MAP_POPULATE, "rrr-"},
		{"private populate nonblock", rw, vfs.MAP_PRIVATE | vfs.MAP_POPULATE | vfs.MAP_NONBLOCK, "----"},
		{"private locked", rw, vfs.MAP_PRIVATE | vfs.MAP_LOCKED, "www-"},
		{"neither", rw, vfs.MAP_SHARED, "----"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, 3*P, 2), vfs.O_RDWR)
			mustT(t, "fsync", tk.Fsync(fd))
			vma, err := tk.Mmap(fd, 0, 4*P, c.prot, c.flags)
			mustT(t, "mmap", err)
			got := ""
			for i := int64(0); i < 4; i++ {
				switch pte := vma.PTE(tk, i); {
				case !pte.Present:
					got += "-"
				case pte.Write && pte.Anon:
					got += "w"
				case !pte.Write && !pte.Anon:
					got += "r"
				default:
					got += "?"
				}
			}
			if got != c.want {
				t.Errorf("PTEs after mmap: %s, want %s", got, c.want)
			}
			for i := int64(0); i < 3; i++ {
				if fl := pageFlags(tk, fd, i); strings.Contains(fl, "dirty") {
					t.Errorf("page %d dirtied by populating: %s", i, fl)
				}
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestMsyncLocked: msync with MS_INVALIDATE of a VM_LOCKED mapping is
// EBUSY (mm/msync.c, checked once the range's start is inside the
// mapping); without MS_INVALIDATE it syncs as usual. As on the host.
// Fork does not pass VM_LOCKED on.
func TestMsyncLocked(t *testing.T) {
	v, tk, _ := mmEnv(t)
	fd := mmFile(t, tk, "/pm/f", pattern(0, 3*P, 6), vfs.O_RDWR)
	locked, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED|vfs.MAP_LOCKED)
	mustT(t, "mmap locked", err)
	plain, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	mustT(t, "mmap", err)
	for _, c := range []struct {
		name        string
		vma         *vfs.Mapping
		off, length int64
		flags       int
		want        error
	}{
		{"invalidate", locked, 0, P, vfs.MS_INVALIDATE, vfs.EBUSY},
		{"invalidate and sync", locked, 0, P, vfs.MS_INVALIDATE | vfs.MS_SYNC, vfs.EBUSY},
		{"invalidate and async", locked, P, P, vfs.MS_INVALIDATE | vfs.MS_ASYNC, vfs.EBUSY},
		{"invalidate from below", locked, -P, 2 * P, vfs.MS_INVALIDATE, vfs.EBUSY},
		{"invalidate past the end", locked, 3 * P, P, vfs.MS_INVALIDATE, vfs.ENOMEM},
		{"invalidate, length 0", locked, 0, 0, vfs.MS_INVALIDATE, nil},
		{"sync", locked, 0, 3 * P, vfs.MS_SYNC, nil},
		{"invalidate, not locked", plain, 0, P, vfs.MS_INVALIDATE, nil},
	} {
		if err := tk.Msync(c.vma, c.off, c.length, c.flags); err != c.want {
			t.Errorf("%s: msync = %v, want %v", c.name, err, c.want)
		}
	}
	// A forked child's copy is not VM_LOCKED (mlock is not inherited).
	child := tk.Fork("child")
	if err := child.Msync(child.Mappings()[0], 0, P, vfs.MS_INVALIDATE); err != nil {
		t.Errorf("invalidate of the child's copy of a locked mapping: %v", err)
	}
	child.Exit()
	mustT(t, "munmap", tk.Munmap(locked))
	mustT(t, "munmap", tk.Munmap(plain))
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}
