package tmpfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// casefoldDentryOps are the dentry operations of a casefold tmpfs
// (shmem_ci_dentry_ops): names hash and compare without regard to ASCII
// case, and a dentry nobody uses is not kept (always_delete_dentry), so
// a failed lookup leaves no negative dentry, as on Linux, where
// simple_lookup does not even d_add one in a casefolded directory. The
// revalidation of a negative dentry (generic_ci_d_revalidate) stays for
// the moment one exists, between the lookup and its last dput: a
// create under another spelling must not take it.
var casefoldDentryOps = &vfs.DentryOperations{
	Delete: func(t *vfs.Task, d *vfs.Dentry) bool { return true },
	Hash: func(t *vfs.Task, parent *vfs.Dentry, q *vfs.QStr) error {
		q.Hash = foldHash(q.Name)
		return nil
	},
	Compare: func(t *vfs.Task, d *vfs.Dentry, str string, name vfs.QStr) bool {
		return strings.EqualFold(str, name.Name)
	},
	Revalidate: func(t *vfs.Task, d *vfs.Dentry, flags uint32) (int, error) {
		if !d.Negative() {
			return 1, nil
		}
		// A name being created (or renamed to) must get the spelling
		// asked for, not that of a negative dentry matching it only
		// without regard to case (generic_ci_d_revalidate).
		if flags&(vfs.LOOKUP_CREATE|vfs.LOOKUP_RENAME_TARGET) != 0 {
			return 0, nil
		}
		// A negative dentry stays valid while its directory is unchanged
		// (generic_ci_d_revalidate, keyed on the directory's version).
		dir := d.Parent().Inode()
		if v, ok := d.Fsdata.(uint64); ok && dir != nil && v == dir.Version() {
			return 1, nil
		}
		return 0, nil
	},
}

// foldHash is FNV-1a over the lower-cased name.
func foldHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
