package billyfs

import (
	"github.com/vfscope/vfscope/vfs"
)

// maxRun is the most pages one store write of ->writepages carries.
const maxRun = 64

// wbRun is a run of consecutive pages under writeback, gathered by
// ->writepage inside ->writepages and written to the store in one write
// (mpage_writepages's bio). Its folios are unlocked with PG_writeback
// set; flush writes them and ends their writeback. Used by one task.
type wbRun struct {
	t      *vfs.Task
	in     *vfs.Inode
	start  int64
	folios []*vfs.Folio
	privs  []any
	data   []byte
	short  bool // the last page is cut at i_size: the run cannot grow
}

// writepages is ->writepages (mpage_writepages): the generic walk over
// the dirty (or, for WB_SYNC_ALL, to-write) pages in index order, where
// ->writepage adds each page to a run that goes to the store in one
// write when it ends (a gap, maxRun pages, a page cut at i_size, or the
// end of the walk). Errors go to the mapping's errseq.
func writepages(t *vfs.Task, m *vfs.AddressSpace, wbc *vfs.WritebackControl) error {
	in := m.Host()
	n := node(in)
	n.wbMu.Lock()
	defer n.wbMu.Unlock()
	r := &wbRun{t: t, in: in}
	n.run.Store(r)
	err := vfs.WriteCachePages(t, m, wbc)
	n.run.Store(nil)
	if ferr := r.flush(); err == nil {
		err = ferr
	}
	return err
}

// add takes a locked folio under writeback (l bytes of it below i_size)
// into the run, writing the run first if the page does not continue it,
// and unlocks the folio. It returns the error of a run it wrote.
func (r *wbRun) add(folio *vfs.Folio, l int, private any) error {
	var err error
	idx := folio.Index()
	if len(r.folios) > 0 && (r.short || idx != r.start+int64(len(r.folios)) || len(r.folios) >= maxRun) {
		err = r.flush()
	}
	if len(r.folios) == 0 {
		r.start = idx
	}
	// The buffer grows as the run does (a one-page file costs one page)
	// and is kept for the next run of the same ->writepages.
	r.data = append(r.data, folio.Data()[:l]...)
	r.folios = append(r.folios, folio)
	r.privs = append(r.privs, private)
	r.short = l < pageSize
	vfs.FolioUnlock(r.t, folio)
	return err
}

// flush writes the run and ends its pages' writeback.
func (r *wbRun) flush() error {
	if len(r.folios) == 0 {
		return nil
	}
	err := writeRun(r.t, r.in, r.start, r.data, r.privs)
	if err != nil {
		vfs.MappingSetError(r.in.Mapping(), err)
	}
	for _, f := range r.folios {
		vfs.FolioEndWriteback(r.t, f)
	}
	clear(r.folios)
	clear(r.privs)
	r.folios, r.privs, r.data, r.short = r.folios[:0], r.privs[:0], r.data[:0], false
	return err
}
