package billyfs

import "sort"

// extents is the set of pages a file's data file holds, as sorted,
// disjoint, non-adjacent runs (ext4's extent tree, flattened). A page
// outside every run is a hole: it reads as zeros without touching the
// store. The owner's mu protects it.
type extents struct {
	runs []extent
	n    int64 // pages in all runs
}

func (e *extents) set(runs []extent) {
	e.runs = runs
	e.n = 0
	for _, r := range runs {
		e.n += r.len
	}
}

func (e *extents) count() int64 { return e.n }

// find returns the index of the first run that ends after idx.
func (e *extents) find(idx int64) int {
	return sort.Search(len(e.runs), func(i int) bool { return e.runs[i].start+e.runs[i].len > idx })
}

// has reports whether page idx is on the store.
func (e *extents) has(idx int64) bool {
	i := e.find(idx)
	return i < len(e.runs) && e.runs[i].start <= idx
}

// add records page idx as on the store; it reports whether it was new.
// Appending after the last run (a sequential write) is O(1).
func (e *extents) add(idx int64) bool {
	if k := len(e.runs); k > 0 {
		last := &e.runs[k-1]
		if idx == last.start+last.len {
			last.len++
			e.n++
			return true
		}
		if idx > last.start+last.len {
			e.runs = append(e.runs, extent{idx, 1})
			e.n++
			return true
		}
	}
	i := e.find(idx)
	if i < len(e.runs) && e.runs[i].start <= idx {
		return false
	}
	e.n++
	joinPrev := i > 0 && e.runs[i-1].start+e.runs[i-1].len == idx
	joinNext := i < len(e.runs) && e.runs[i].start == idx+1
	switch {
	case joinPrev && joinNext:
		e.runs[i-1].len += 1 + e.runs[i].len
		e.runs = append(e.runs[:i], e.runs[i+1:]...)
	case joinPrev:
		e.runs[i-1].len++
	case joinNext:
		e.runs[i].start--
		e.runs[i].len++
	default:
		e.runs = append(e.runs, extent{})
		copy(e.runs[i+1:], e.runs[i:])
		e.runs[i] = extent{idx, 1}
	}
	return true
}

// remove drops the pages [start, end) and returns how many were there.
func (e *extents) remove(start, end int64) int64 {
	if end <= start {
		return 0
	}
	var out []extent
	var freed int64
	for _, r := range e.runs {
		rs, re := r.start, r.start+r.len
		if re <= start || rs >= end {
			out = append(out, r)
			continue
		}
		if rs < start {
			out = append(out, extent{rs, start - rs})
		}
		if re > end {
			out = append(out, extent{end, re - end})
		}
		freed += min(re, end) - max(rs, start)
	}
	e.runs = out
	e.n -= freed
	return freed
}

// next returns the first page >= idx that is (data true) or is not
// (data false) on the store.
func (e *extents) next(idx int64, data bool) int64 {
	i := e.find(idx)
	if i == len(e.runs) {
		if data {
			return -1
		}
		return idx
	}
	r := e.runs[i]
	if data {
		return max(r.start, idx)
	}
	if r.start > idx {
		return idx
	}
	return r.start + r.len
}
