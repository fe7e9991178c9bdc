package vfs

// Test-only access to a description's readahead state (file_ra_state).

// RaState reports f's readahead window: first page, size and async
// size in pages, and how many windows it has set up.
func (f *File) RaState() (start int64, size, asyncSize int, windows int64) {
	return f.ra.start.Load(), int(f.ra.size.Load()), int(f.ra.asyncSize.Load()), int64(f.ra.windows.Load())
}

// MmapMiss is f's ra->mmap_miss; SetMmapMiss sets it.
func (f *File) MmapMiss() uint32 { miss, _ := f.ra.mmapMiss(); return miss }
func (f *File) SetMmapMiss(n uint32) {
	for {
		if miss, old := f.ra.mmapMiss(); miss == n || f.ra.setMmapMiss(old, n) {
			return
		}
	}
}
