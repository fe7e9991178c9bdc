package vfs

import "sort"

// The layout of a task's address space (get_unmapped_area, mm/mmap.c):
// where a new mapping goes, and when there is no room left for it.
// Addresses only name mappings (/proc/PID/maps) and bound the address
// space: accesses use offsets into a mapping.

const (
	// taskSize is TASK_SIZE of x86-64's 47-bit user space
	// (TASK_SIZE_MAX, one guard page short of 1<<47): no mapping ends
	// above it.
	taskSize = 1<<47 - PAGE_SIZE
	// maxMapLen bounds one mapping's length, rounded up to pages.
	maxMapLen = taskSize
	// mmapMinAddr is vm.mmap_min_addr's usual value
	// (CONFIG_DEFAULT_MMAP_MIN_ADDR): no mapping starts below it.
	mmapMinAddr = 0x10000
	// mmapBase is the address of the first mapping of a task: the
	// search for room starts there, and goes back to mmapMinAddr when
	// nothing above it is free (as Linux's top-down search falls back
	// to the whole user space).
	mmapBase = 0x7f0000000000
	// maxMapCount is vm.max_map_count's default
	// (DEFAULT_MAX_MAP_COUNT): do_mmap is ENOMEM once a task has more
	// mappings than that.
	maxMapCount = 65530
)

// getUnmappedArea is get_unmapped_area() for a mapping of npages, plus
// do_mmap's map_count check: the lowest address at or above mmapBase
// where the mapping fits with a guard page on either side, or failing
// that the lowest at or above mmapMinAddr. The search above mmapBase
// starts where the last one ended, unless a hole it skipped fits (the
// free_area_cache and cached_hole_size of Linux's bottom-up search,
// which munmap moves back to the hole it leaves), so that a task's
// mappings are not all walked by each mmap; it falls back to a search
// from mmapBase before the whole space. ENOMEM if the task has too many
// mappings or no hole fits below taskSize. mmap_lock held for write.
func (mm *mmStruct) getUnmappedArea(npages int64) (int64, error) {
	if len(mm.vmas) > maxMapCount {
		return 0, ENOMEM
	}
	length := npages << PAGE_SHIFT
	start := int64(mmapBase)
	if length > mm.cachedHole {
		start = max(mm.freeCache, mmapBase)
	} else {
		mm.cachedHole = 0
	}
	for {
		if addr, ok := mm.findHole(start, length, &mm.cachedHole); ok {
			mm.freeCache = addr + length
			return addr, nil
		}
		if start == mmapBase {
			break
		}
		start, mm.cachedHole = mmapBase, 0
	}
	if addr, ok := mm.findHole(mmapMinAddr, length, nil); ok {
		return addr, nil
	}
	return 0, ENOMEM
}

// findHole returns the lowest address at or above lo where length bytes
// fit below taskSize with a guard page between them and every mapping,
// and whether there is one; hole, if not nil, is raised to the largest
// length a hole it skipped would have fitted. mmap_lock held.
func (mm *mmStruct) findHole(lo, length int64, hole *int64) (int64, bool) {
	// find_vma: the first mapping whose guard page ends above lo.
	i := sort.Search(len(mm.vmas), func(i int) bool {
		v := mm.vmas[i]
		return v.start+v.npages<<PAGE_SHIFT+PAGE_SIZE > lo
	})
	addr := lo
	for _, v := range mm.vmas[i:] { // in address order
		if addr > taskSize-length {
			return 0, false
		}
		if addr+length+PAGE_SIZE <= v.start {
			return addr, true
		}
		if fits := v.start - PAGE_SIZE - addr; hole != nil && fits > *hole {
			*hole = fits
		}
		addr = max(addr, v.start+v.npages<<PAGE_SHIFT+PAGE_SIZE)
	}
	return addr, addr <= taskSize-length
}

// unmapAreaLocked is arch_unmap_area(): the search above mmapBase will
// start at the hole vma leaves, if below where it would. mmap_lock held
// for write.
func (mm *mmStruct) unmapAreaLocked(vma *Mapping) {
	if vma.start >= mmapBase && vma.start < mm.freeCache {
		mm.freeCache = vma.start
	}
}

// insertVMALocked adds vma to the mm's mappings in address order
// (vma_link's maple tree store). mmap_lock held for write.
func (mm *mmStruct) insertVMALocked(vma *Mapping) {
	at := sort.Search(len(mm.vmas), func(i int) bool { return mm.vmas[i].start > vma.start })
	mm.vmas = append(mm.vmas, nil)
	copy(mm.vmas[at+1:], mm.vmas[at:])
	mm.vmas[at] = vma
}

// removeVMALocked takes vma off the mm's mappings (vma_iter_clear) and
// lets the search for room reuse its place (unmapAreaLocked). The list
// stays a slice in address order, which find_vma's binary search and
// get_unmapped_area's walk read; the removal moves the shorter side of
// it over the gap (the mappings before it one slot up, the slice then
// starting one later, or those after it one down), so that unmapping a
// task's mappings in address order, or in the reverse, costs the same
// per mapping whatever their number, and no removal moves more than
// half of them. mmap_lock held for write.
func (mm *mmStruct) removeVMALocked(vma *Mapping) {
	i := sort.Search(len(mm.vmas), func(i int) bool { return mm.vmas[i].start >= vma.start })
	if i == len(mm.vmas) || mm.vmas[i] != vma {
		return
	}
	if n := len(mm.vmas); i < n/2 {
		copy(mm.vmas[1:i+1], mm.vmas[:i])
		mm.vmas[0] = nil
		mm.vmas = mm.vmas[1:]
	} else {
		copy(mm.vmas[i:], mm.vmas[i+1:])
		mm.vmas[n-1] = nil
		mm.vmas = mm.vmas[:n-1]
	}
	mm.unmapAreaLocked(vma)
}
