package tmpfs

// pageSet holds a file's pages by index: a slice for the first
// denseLimit pages (a file written from the start grows it by appending,
// so a sequential write is linear), a map beyond (a write at a far
// offset must not allocate an index for the hole before it). Absent
// pages are holes. Protected by the inode's i_rwsem.
type pageSet struct {
	dense  []*[pageSize]byte
	sparse map[int64]*[pageSize]byte
	n      int64 // pages present
}

const denseLimit = 1 << 18 // 1 GiB of file in the slice

func (ps *pageSet) get(idx int64) *[pageSize]byte {
	if idx < int64(len(ps.dense)) {
		return ps.dense[idx]
	}
	if idx >= denseLimit && ps.sparse != nil {
		return ps.sparse[idx]
	}
	return nil
}

// add stores a new page at an index that has none.
func (ps *pageSet) add(idx int64, p *[pageSize]byte) {
	ps.n++
	if idx < denseLimit {
		if idx >= int64(len(ps.dense)) {
			if idx < int64(cap(ps.dense)) {
				ps.dense = ps.dense[:idx+1]
			} else {
				grown := make([]*[pageSize]byte, idx+1, max(2*cap(ps.dense), int(idx)+1, 4))
				copy(grown, ps.dense)
				ps.dense = grown
			}
		}
		ps.dense[idx] = p
		return
	}
	if ps.sparse == nil {
		ps.sparse = make(map[int64]*[pageSize]byte)
	}
	ps.sparse[idx] = p
}

// truncate drops every page at index >= from and returns how many.
func (ps *pageSet) truncate(from int64) int64 {
	var freed int64
	for i := from; i < int64(len(ps.dense)); i++ {
		if ps.dense[i] != nil {
			ps.dense[i] = nil
			freed++
		}
	}
	if from < int64(len(ps.dense)) {
		ps.dense = ps.dense[:from]
	}
	for idx := range ps.sparse {
		if idx >= from {
			delete(ps.sparse, idx)
			freed++
		}
	}
	ps.n -= freed
	return freed
}

// next returns the first index in [idx, limit) with (want true) or
// without (want false) a page; limit if none. It never walks a hole
// page by page: beyond the slice, only the map's pages are present.
func (ps *pageSet) next(idx, limit int64, want bool) int64 {
	for ; idx < limit && idx < int64(len(ps.dense)); idx++ {
		if (ps.dense[idx] != nil) == want {
			return idx
		}
	}
	if idx >= limit {
		return limit
	}
	if !want {
		// Consecutive present pages are bounded by the map's size.
		for ; idx < limit; idx++ {
			if ps.sparse[idx] == nil {
				return idx
			}
		}
		return limit
	}
	best := limit
	for k := range ps.sparse {
		if k >= idx && k < best {
			best = k
		}
	}
	return best
}
