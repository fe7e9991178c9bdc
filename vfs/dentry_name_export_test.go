package vfs

import "unsafe"

// DnameInlineLenForTest is DNAME_INLINE_LEN.
const DnameInlineLenForTest = dnameInlineLen

// NameInlineForTest reports whether d's name lies in d's own inline bytes.
func NameInlineForTest(d *Dentry) bool {
	n := d.Name()
	return n != "" && unsafe.StringData(n) == &d.inameBuf[0]
}

// DAllocForTest is d_alloc of name under parent, with the reference
// dropped again (the dentry is unhashed: it dies at once).
func DAllocForTest(t *Task, parent *Dentry, name string) (*Dentry, error) {
	d, err := DAlloc(t, parent, name)
	if err == nil {
		dput(t, d)
	}
	return d, err
}
