package vfs

import (
	"slices"
	"strings"
)

// The simple_xattr_* helpers of fs/xattr.c, for filesystems that keep
// their extended attributes in memory as a map from full name ("user.x")
// to value. The caller provides the locking: Linux's simple_xattrs has a
// lock of its own; here the map is under the inode's i_rwsem (held
// exclusive around ->set by the VFS, taken shared by ->get and
// ->listxattr) or whatever else the filesystem says protects it.

// SimpleXattrGet is simple_xattr_get(): a copy of the value of name.
//
// Errors: ENODATA when name is not set.
func SimpleXattrGet(xattrs map[string][]byte, name string) ([]byte, error) {
	v, ok := xattrs[name]
	if !ok {
		return nil, ENODATA
	}
	return append([]byte{}, v...), nil
}

// SimpleXattrSet is simple_xattr_set(): set name to a copy of value, or
// remove it for a nil value, in xattrs, which it makes when nil; it
// returns the map (a filesystem that shares its map with readers outside
// its lock passes a copy, maps.Clone, and publishes the result).
//
// Errors, in order: EEXIST for XATTR_CREATE and a name that is set;
// ENODATA for XATTR_REPLACE and a name that is not. A removal of a name
// that is not set, without XATTR_REPLACE, succeeds, as on Linux.
func SimpleXattrSet(xattrs map[string][]byte, name string, value []byte, flags int) (map[string][]byte, error) {
	_, exists := xattrs[name]
	switch {
	case flags&XATTR_CREATE != 0 && exists:
		return xattrs, EEXIST
	case flags&XATTR_REPLACE != 0 && !exists:
		return xattrs, ENODATA
	}
	if value == nil {
		delete(xattrs, name)
		return xattrs, nil
	}
	if xattrs == nil {
		xattrs = make(map[string][]byte)
	}
	xattrs[name] = append([]byte{}, value...)
	return xattrs, nil
}

// SimpleXattrList is simple_xattr_list() without the buffer: the full
// names (->listxattr's result; the VFS filters out the namespaces a
// handler's List hides), in the order Linux lists them. simple_xattrs
// is an rbtree walked from rb_first, and its comparison,
// rbtree_simple_xattr_cmp, is strcmp(node's name, new name): a greater
// name goes left, so the walk yields the names in descending byte order
// (Linux 6.18 on tmpfs lists user.b before user.a before user.B before
// trusted.t).
func SimpleXattrList(xattrs map[string][]byte) []string {
	out := make([]string, 0, len(xattrs))
	for k := range xattrs {
		out = append(out, k)
	}
	// Go compares strings bytewise, as strcmp does.
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(b, a) })
	return out
}
