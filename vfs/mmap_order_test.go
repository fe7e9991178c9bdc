package vfs_test

import (
	"runtime"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMmapOverflowAfterRoom: do_mmap looks for room (the map_count
// check, then __get_unmapped_area) before file_mmap_ok, so a range
// ending past the largest file offset is EOVERFLOW only in a task with
// room for it, and ENOMEM in one at vm.max_map_count or with no hole
// left. On the host (Linux 6.18, a file of /dev/shm): mmap(2*4096 bytes
// from 0x7ffffffffffff000) is EOVERFLOW; after one-page mappings up to
// max_map_count, or after filling the address space, it is ENOMEM.
// MAX_LFS_FILESIZE is 1<<63 - 1, so the page from 0x7fffffffffffe000 is
// the last one a mapping reaches.
func TestMmapOverflowAfterRoom(t *testing.T) {
	const overOff = 1<<63 - P // two pages from there end past MAX_LFS_FILESIZE
	for _, tc := range []struct {
		name  string
		fill  string // "", "count" (max_map_count mappings) or "space" (no hole)
		off   int64
		pages int64
		want  error
	}{
		{"room, past the largest offset", "", overOff, 2, vfs.EOVERFLOW},
		{"room, negative offset", "", -P, 1, vfs.EOVERFLOW},
		{"room, the last page below the largest offset", "", overOff - P, 1, nil},
		{"no hole, past the largest offset", "space", overOff, 2, vfs.ENOMEM},
		{"no hole, negative offset", "space", -P, 1, vfs.ENOMEM},
		{"max_map_count, past the largest offset", "count", overOff, 2, vfs.ENOMEM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fill == "count" && (testing.Short() || runtime.GOARCH == "wasm") {
				t.Skip("65531 mappings: two seconds natively, minutes under WebAssembly")
			}
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, P, 1), vfs.O_RDONLY)
			var live []*vfs.Mapping
			switch tc.fill {
			case "count":
				for i := 0; i <= 65530; i++ {
					vma, err := tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_SHARED)
					if err != nil {
						t.Fatalf("mmap %d: %v", i, err)
					}
					live = append(live, vma)
				}
			case "space":
				for length := int64(1) << 46; length >= P; {
					vma, err := tk.Mmap(fd, 0, length, vfs.PROT_READ, vfs.MAP_SHARED)
					if err != nil {
						length /= 2
						continue
					}
					live = append(live, vma)
				}
			}
			if tc.fill != "" {
				if _, err := tk.Mmap(fd, 0, P, vfs.PROT_READ, vfs.MAP_SHARED); err != vfs.ENOMEM {
					t.Fatalf("mmap of a page from 0 once full: %v, want ENOMEM", err)
				}
			}
			vma, err := tk.Mmap(fd, tc.off, tc.pages*P, vfs.PROT_READ, vfs.MAP_SHARED)
			if err != tc.want {
				t.Errorf("mmap(%d pages from %#x): %v, want %v", tc.pages, uint64(tc.off), err, tc.want)
			}
			if err == nil {
				live = append(live, vma)
			}
			for _, vma := range live {
				mustT(t, "munmap", tk.Munmap(vma))
			}
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}
