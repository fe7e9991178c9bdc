package tmpfs

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vfscope/vfscope/vfs"
)

// casefoldDentryOps are the dentry operations of a casefold tmpfs
// (shmem_ci_dentry_ops): names hash and compare without regard to case,
// by Unicode simple case folding (foldHash, foldEqual; RATIONALE.md says
// where that differs from Linux's utf8 casefolding), and a dentry nobody uses is not kept (always_delete_dentry), so
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
		return foldEqual(str, name.Name)
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

// Names that are not valid UTF-8 are opaque bytes, compared exactly and
// hashed as they are: what Linux does on a casefolded directory without
// strict_encoding (generic_ci_d_hash leaves their hash alone and
// generic_ci_d_compare falls back to memcmp), and vfscope has no
// strict_encoding. strings.EqualFold would instead read each invalid
// byte as U+FFFD and find "\xff" and "\xfe" equal.

// foldEqual is the casefold ->d_compare: strings.EqualFold (each rune
// equal to another of its unicode.SimpleFold orbit) for valid UTF-8,
// byte equality otherwise.
func foldEqual(a, b string) bool {
	if !utf8.ValidString(a) || !utf8.ValidString(b) {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// foldHash is the casefold ->d_hash: FNV-1a over the runes of the name,
// each replaced by the smallest rune of its unicode.SimpleFold orbit
// (foldRune), so that names foldEqual finds equal (k, K and KELVIN SIGN;
// é and É) hash alike. A name that is not valid UTF-8 hashes its bytes.
func foldHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// ASCII: the smallest rune of a letter's orbit is its
			// upper case (the other members, such as U+212A KELVIN
			// SIGN and U+017F LONG S, are above ASCII).
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			h = (h ^ uint32(c)) * 16777619
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return byteHash(s)
		}
		h = (h ^ uint32(foldRune(r))) * 16777619
		i += n
	}
	return h
}

// foldRune returns the smallest rune of r's unicode.SimpleFold orbit:
// one representative for every rune strings.EqualFold takes for r.
func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}

// byteHash is FNV-1a over the bytes of s, for names that are not UTF-8.
func byteHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}
