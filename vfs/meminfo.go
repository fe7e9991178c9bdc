package vfs

// MemInfo is /proc/meminfo (fs/proc/meminfo.c's meminfo_proc_show) for
// the VFS's budget, in bytes. The fields the VFS has are real; the rest
// of Linux's lines (swap, anonymous memory, page tables, huge pages...)
// are 0, since the VFS has no such memory.
type MemInfo struct {
	MemTotal     int64 // the budget
	MemFree      int64 // budget - charged, the slab in whole pages (0 when over it)
	MemAvailable int64 // si_mem_available's estimate
	Cached       int64 // page-cache pages, tmpfs's included (as Linux)
	Active       int64 // Active(anon) + Active(file)
	Inactive     int64
	ActiveFile   int64 // Active(file)
	InactiveFile int64 // Inactive(file)
	Dirty        int64
	Writeback    int64
	Shmem        int64 // tmpfs pages
	Mapped       int64 // NR_FILE_MAPPED: file pages in page tables (each PTE counted)
	KReclaimable int64 // = SReclaimable
	Slab         int64 // SReclaimable + SUnreclaim
	SReclaimable int64 // unused dentries and inodes, in whole pages
	SUnreclaim   int64 // dentries and inodes in use and ChargeKmem's bytes, in whole pages
	CommitLimit  int64 // overcommit_ratio (50%) of MemTotal, no swap
}

// MemInfo returns the counters of /proc/meminfo.
func (v *VFS) MemInfo() MemInfo {
	ms := v.MemStat()
	ds, is := v.DentryState(), v.InodeState()
	var mi MemInfo
	mi.MemTotal = v.rc.budget
	mi.Cached = ms.FilePages * PAGE_SIZE
	mi.ActiveFile = ms.Active * PAGE_SIZE
	mi.InactiveFile = ms.Inactive * PAGE_SIZE
	mi.Active = mi.ActiveFile
	mi.Inactive = mi.InactiveFile
	mi.Dirty = ms.Dirty * PAGE_SIZE
	mi.Writeback = ms.Writeback * PAGE_SIZE
	mi.Shmem = ms.Shmem * PAGE_SIZE
	mi.Mapped = ms.Mapped * PAGE_SIZE
	// Linux counts slab in whole pages (NR_SLAB_RECLAIMABLE_B and
	// NR_SLAB_UNRECLAIMABLE_B, read as pages): each of the two is
	// rounded up to pages here, and Slab is their sum, so that the
	// three lines, in kB, are multiples of 4 and add up.
	slab := ds.NrDentry*DentryCost + is.NrInodes*InodeCost + v.stats.kmem.Load()
	reclaimable := min(ds.NrUnused*DentryCost+is.NrFreeInodes*InodeCost, slab)
	mi.SReclaimable = pageRoundUp(reclaimable)
	mi.SUnreclaim = pageRoundUp(slab - reclaimable)
	mi.Slab = mi.SReclaimable + mi.SUnreclaim
	mi.KReclaimable = mi.SReclaimable
	// MemFree is the budget less what is charged, with the slab as the
	// whole pages shown: free memory is whole pages on Linux too, and
	// MemFree, Cached and Slab then add up to no more than MemTotal.
	mi.MemFree = max(v.memFree()-(mi.Slab-slab), 0)
	mi.CommitLimit = mi.MemTotal / 2
	// si_mem_available(): free memory past the reserve (Linux's
	// totalreserve_pages, the high watermark here as in
	// dirtyableMemory), plus the page cache and the reclaimable slab
	// that could be freed without going below the low watermark (half
	// of each, at most the watermark, is kept back). tmpfs pages cannot
	// be freed. So MemAvailable may be below MemFree, as on Linux.
	low := v.rc.wmarkLow
	pagecache := max(mi.Cached-mi.Shmem, 0)
	avail := mi.MemFree - v.rc.wmarkHigh + pagecache - min(pagecache/2, low) +
		mi.SReclaimable - min(mi.SReclaimable/2, low)
	mi.MemAvailable = max(avail, 0)
	return mi
}

// pageRoundUp rounds bytes up to a whole number of pages.
func pageRoundUp(bytes int64) int64 {
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE
}

// MemInfoLine is one line of /proc/meminfo: a name and a value in bytes.
type MemInfoLine struct {
	Name  string
	Bytes int64
}

// Lines returns /proc/meminfo's lines in Linux's order (6.x, x86_64
// without zswap, hugetlb or the direct-map lines, which describe memory
// the VFS does not have).
func (mi MemInfo) Lines() []MemInfoLine {
	return []MemInfoLine{
		{"MemTotal", mi.MemTotal},
		{"MemFree", mi.MemFree},
		{"MemAvailable", mi.MemAvailable},
		{"Buffers", 0},
		{"Cached", mi.Cached},
		{"SwapCached", 0},
		{"Active", mi.Active},
		{"Inactive", mi.Inactive},
		{"Active(anon)", 0},
		{"Inactive(anon)", 0},
		{"Active(file)", mi.ActiveFile},
		{"Inactive(file)", mi.InactiveFile},
		{"Unevictable", 0},
		{"Mlocked", 0},
		{"SwapTotal", 0},
		{"SwapFree", 0},
		{"Dirty", mi.Dirty},
		{"Writeback", mi.Writeback},
		{"AnonPages", 0},
		{"Mapped", mi.Mapped},
		{"Shmem", mi.Shmem},
		{"KReclaimable", mi.KReclaimable},
		{"Slab", mi.Slab},
		{"SReclaimable", mi.SReclaimable},
		{"SUnreclaim", mi.SUnreclaim},
		{"KernelStack", 0},
		{"PageTables", 0},
		{"SecPageTables", 0},
		{"NFS_Unstable", 0},
		{"Bounce", 0},
		{"WritebackTmp", 0},
		{"CommitLimit", mi.CommitLimit},
		{"Committed_AS", 0},
		{"VmallocTotal", 0},
		{"VmallocUsed", 0},
		{"VmallocChunk", 0},
		{"Percpu", 0},
		{"HardwareCorrupted", 0},
		{"AnonHugePages", 0},
		{"ShmemHugePages", 0},
		{"ShmemPmdMapped", 0},
		{"FileHugePages", 0},
		{"FilePmdMapped", 0},
		{"Balloon", 0}, // since Linux 6.15
	}
}
