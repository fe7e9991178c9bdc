package vfs

// Streaming page copies. A write that streams through a large file fills
// pages nobody will read soon and that have long left the caches: with
// ordinary stores the CPU first reads each cache line of the page from
// memory (the read for ownership), then writes it back, so the copy moves
// every byte twice. Non-temporal stores write whole lines without reading
// them, as memmove itself does for copies of a megabyte or more, which a
// page never is. GenericPerformWrite streams a write of streamWriteMin
// bytes or more whose whole pages land in a mapping of streamFilePages
// pages or more; a smaller file's pages stay in the caches for the reads
// that often follow. See RATIONALE.md, "Why do large writes bypass the
// CPU's caches?".

const (
	// streamWriteMin is the smallest write whose whole pages are
	// streamed.
	streamWriteMin = 64 << 10
	// streamFilePages is how many pages the mapping holds already before
	// its writes are streamed: 4 MiB, the size of a large L2 cache.
	streamFilePages = 1024
)

// writeStreams tells whether a write of n bytes to m copies its whole
// pages with copyPageStream.
func writeStreams(m *AddressSpace, n int) bool {
	return haveStreamCopy && n >= streamWriteMin && m.nrpages.Load() >= streamFilePages
}
