package vfs

// A mapping's page table: the PTEs of its pages in a tree of table pages
// of 512 entries, as x86-64's (pte, pmd, pud, p4d), each made on the
// first touch of a page it covers (__pte_alloc, __pmd_alloc,
// __pud_alloc). A mapping costs the tables of the pages it touched,
// whatever its length: a mapping of 100 TiB that was never touched costs
// none. Tables stay until the mapping goes (zap_pte_range leaves empty
// ones too; free_pgtables frees them at munmap).

// ptesPerTable is the number of entries of one table page (PTRS_PER_PTE,
// PTRS_PER_PMD, PTRS_PER_PUD); ptShift is its log2.
const (
	ptesPerTable = 512
	ptShift      = 9
)

// pteTable is a page of PTEs.
type pteTable [ptesPerTable]pte

// pmdTable is a table page above the PTEs. At the lowest such level (the
// pmd) its entries are pte tables (ptes), above it tables of the level
// below (lower); the other array stays empty.
type pmdTable struct {
	ptes  [ptesPerTable]*pteTable
	lower [ptesPerTable]*pmdTable
}

// pageTable is a mapping's page table, under the mapping's ptl.
type pageTable struct {
	// levels is the number of levels above the pte tables the
	// mapping's length needs (0: a single pte table); immutable.
	levels int
	pte    *pteTable // the table of a mapping with levels 0
	top    *pmdTable // the top table of one with more
}

// newPageTable returns the empty page table of a mapping of npages.
func newPageTable(npages int64) pageTable {
	levels := 0
	for n := (npages + ptesPerTable - 1) >> ptShift; n > 1; n = (n + ptesPerTable - 1) >> ptShift {
		levels++
	}
	return pageTable{levels: levels}
}

// table returns the pte table of the mapping's pages [ti*512, ti*512+511],
// made with the tables above it on the way if alloc (nil without, for a
// table not made yet).
func (pt *pageTable) table(ti int64, alloc bool) *pteTable {
	if pt.levels == 0 {
		if pt.pte == nil && alloc {
			pt.pte = new(pteTable)
		}
		return pt.pte
	}
	d := pt.top
	if d == nil {
		if !alloc {
			return nil
		}
		d = new(pmdTable)
		pt.top = d
	}
	for l := pt.levels - 1; l > 0; l-- {
		k := ti >> (ptShift * l) & (ptesPerTable - 1)
		n := d.lower[k]
		if n == nil {
			if !alloc {
				return nil
			}
			n = new(pmdTable)
			d.lower[k] = n
		}
		d = n
	}
	k := ti & (ptesPerTable - 1)
	tb := d.ptes[k]
	if tb == nil && alloc {
		tb = new(pteTable)
		d.ptes[k] = tb
	}
	return tb
}

// forEach calls fn, in page order, for every pte table made that holds
// entries of pages [lo, hi], with the page its first entry maps.
func (pt *pageTable) forEach(lo, hi int64, fn func(base int64, tb *pteTable)) {
	switch {
	case lo > hi:
	case pt.levels == 0:
		if pt.pte != nil {
			fn(0, pt.pte)
		}
	case pt.top != nil:
		walkTables(pt.top, pt.levels, 0, lo>>ptShift, hi>>ptShift, fn)
	}
}

// walkTables visits the pte tables with indexes in [lo, hi] under d, a
// table of the given level (1: a pmd) whose first entry covers pte
// table base.
func walkTables(d *pmdTable, level int, base, lo, hi int64, fn func(int64, *pteTable)) {
	span := int64(1) << (ptShift * (level - 1)) // pte tables under one entry
	for k := max(lo-base, 0) / span; k < ptesPerTable; k++ {
		first := base + k*span
		if first > hi {
			return
		}
		if level == 1 {
			if tb := d.ptes[k]; tb != nil {
				fn(first<<ptShift, tb)
			}
		} else if n := d.lower[k]; n != nil {
			walkTables(n, level-1, first, lo, hi, fn)
		}
	}
}
