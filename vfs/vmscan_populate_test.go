package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestReclaimKeepsPopulated: MAP_POPULATE marks every page it maps
// accessed (follow_page_pte's FOLL_TOUCH: PG_referenced), and maps them
// young (the faults' entries are, fault-around's too), so the first
// scan of the inactive list finds them referenced and keeps them, with
// PG_referenced set or on the active list, though nothing accessed them
// through the mapping. The same clean pages mapped without MAP_POPULATE
// and never accessed are freed by that scan.
func TestReclaimKeepsPopulated(t *testing.T) {
	const n = 8
	for _, tc := range []struct {
		name    string
		flags   int
		touched bool   // every page PG_referenced after mmap
		want    string // after one scan, every page: "kept" or "freed"
	}{
		{"shared, populated", vfs.MAP_SHARED | vfs.MAP_POPULATE, true, "kept"},
		{"private, populated", vfs.MAP_PRIVATE | vfs.MAP_POPULATE, true, "kept"},
		{"shared, not populated", vfs.MAP_SHARED, false, "freed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, n*P, 4), vfs.O_RDONLY)
			mustT(t, "fsync", tk.Fsync(fd))
			m := vfs.FdInode(tk, fd).Mapping()
			vma, err := tk.Mmap(fd, 0, n*P, vfs.PROT_READ, tc.flags)
			mustT(t, "mmap", err)
			referenced := 0
			for i := int64(0); i < n; i++ {
				if fo := vfs.FilemapGetFolio(m, i); fo != nil {
					if fo.Flags()&vfs.PG_referenced != 0 {
						referenced++
					}
					vfs.FolioPut(fo)
				}
			}
			if tc.touched && referenced != n {
				t.Errorf("%d pages PG_referenced after mmap, want %d", referenced, n)
			}
			if !tc.touched && referenced != 0 {
				t.Errorf("%d pages PG_referenced after mmap, want 0", referenced)
			}
			v.ShrinkInactiveOnceForTest(tk)
			count := map[string]int{}
			for i := int64(0); i < n; i++ {
				fo := vfs.FilemapGetFolio(m, i)
				switch {
				case fo == nil:
					count["freed"]++
					continue
				case fo.Flags()&(vfs.PG_referenced|vfs.PG_active) != 0 && vma.PTE(tk, i).Present:
					count["kept"]++
				default:
					count["other"]++
				}
				vfs.FolioPut(fo)
			}
			if count[tc.want] != n {
				t.Errorf("pages after one scan: %v, want %d %s", count, n, tc.want)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}
