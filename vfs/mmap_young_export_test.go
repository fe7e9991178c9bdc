package vfs

// PTEYoungForTest reports whether the mapping's page i is mapped by a
// young entry (pteYoung: accessed since mapped, or since reclaim last
// cleared the bit).
func (vma *Mapping) PTEYoungForTest(t *Task, i int64) bool {
	vma.ptl.Lock(t.o)
	defer vma.ptl.Unlock(t.o)
	p := vma.ptep(i, false)
	return p != nil && p.bits&ptePresent != 0 && p.bits&pteYoung != 0
}
