package vfs

// havePrefetch: prefetchRead issues prefetch instructions here.
const havePrefetch = true

// prefetchRead asks the CPU to bring into its caches, in this order, the
// cache lines at slot and folio and lines cache lines from page on
// (PREFETCHT0; a zero folio or page is skipped). The page comes last
// because its prefetch may wait for the page's address translation. A
// hint only: it reads nothing the program sees and never faults, so an
// address that is stale, or a guess that was wrong, costs a wasted fetch
// at most. GenericFileRead uses it to overlap the misses on the index,
// the folio and the page (see xaRun).
func prefetchRead(slot, folio, page uintptr, lines int)
