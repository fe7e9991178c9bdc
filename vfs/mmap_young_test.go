package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFaultPTEYoung: every entry a fault makes is young on x86-64
// (set_pte_range's mk_pte from a vm_page_prot carrying _PAGE_ACCESSED):
// the page faulted on, by a load or a store, and the neighbours
// fault-around maps with it (arch_wants_old_prefaulted_pte is false
// there). A page never mapped has no entry.
func TestFaultPTEYoung(t *testing.T) {
	const n = 8
	rw := vfs.PROT_READ | vfs.PROT_WRITE
	for _, tc := range []struct {
		name  string
		prot  int
		flags int
		store bool
		page  int64  // the page accessed
		want  string // per page: y young, o old, - not mapped
	}{
		{"load, shared", vfs.PROT_READ, vfs.MAP_SHARED, false, 2, "yyyyyyyy"},
		{"load, private", vfs.PROT_READ, vfs.MAP_PRIVATE, false, 5, "yyyyyyyy"},
		{"store, shared", rw, vfs.MAP_SHARED, true, 3, "---y----"},
		{"store, private", rw, vfs.MAP_PRIVATE, true, 6, "------y-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, n*P, 2), vfs.O_RDWR)
			vma, err := tk.Mmap(fd, 0, n*P, tc.prot, tc.flags)
			mustT(t, "mmap", err)
			if tc.store {
				store(t, vma, tc.page*P, []byte("x"))
			} else {
				load(t, vma, tc.page*P, 1)
			}
			got := make([]byte, n)
			for i := int64(0); i < n; i++ {
				switch {
				case !vma.PTE(tk, i).Present:
					got[i] = '-'
				case vma.PTEYoungForTest(tk, i):
					got[i] = 'y'
				default:
					got[i] = 'o'
				}
			}
			if string(got) != tc.want {
				t.Errorf("entries after an access to page %d: %s, want %s", tc.page, got, tc.want)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}
