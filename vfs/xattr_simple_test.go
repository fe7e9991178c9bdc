package vfs

import (
	"reflect"
	"testing"
)

// TestSimpleXattrs runs steps against one map: each step sets (value
// non-nil), removes (value nil) or, with get, reads; list is the map's
// names after the step, in simple_xattr_list's order (fs/xattr.c: the
// rbtree's in-order walk, descending by strcmp).
func TestSimpleXattrs(t *testing.T) {
	var m map[string][]byte
	for i, s := range []struct {
		get   bool
		name  string
		value []byte
		flags int
		want  []byte
		err   error
		list  []string
	}{
		{get: true, name: "user.a", err: ENODATA, list: []string{}},
		{name: "user.a", value: nil, flags: XATTR_REPLACE, err: ENODATA, list: []string{}},
		{name: "user.a", value: []byte{}, list: []string{"user.a"}},
		{get: true, name: "user.a", want: []byte{}, list: []string{"user.a"}},
		{name: "user.a", value: []byte("x"), flags: XATTR_CREATE, err: EEXIST, list: []string{"user.a"}},
		{name: "user.a", value: []byte("one"), flags: XATTR_REPLACE, list: []string{"user.a"}},
		{name: "trusted.b", value: []byte("two"), flags: XATTR_CREATE, list: []string{"user.a", "trusted.b"}},
		{get: true, name: "user.a", want: []byte("one"), list: []string{"user.a", "trusted.b"}},
		{name: "trusted.c", value: []byte("3"), flags: XATTR_REPLACE, err: ENODATA, list: []string{"user.a", "trusted.b"}},
		{name: "user.a", value: nil, list: []string{"trusted.b"}},
		{name: "user.a", value: nil, list: []string{"trusted.b"}},
		{get: true, name: "user.a", err: ENODATA, list: []string{"trusted.b"}},
		{name: "trusted.b", value: nil, flags: XATTR_REPLACE, list: []string{}},
	} {
		if s.get {
			got, err := SimpleXattrGet(m, s.name)
			if err != s.err || !reflect.DeepEqual(got, s.want) && err == nil {
				t.Errorf("step %d: get %s = %q, %v; want %q, %v", i, s.name, got, err, s.want, s.err)
			}
		} else {
			var err error
			m, err = SimpleXattrSet(m, s.name, s.value, s.flags)
			if err != s.err {
				t.Errorf("step %d: set %s %q flags %d = %v; want %v", i, s.name, s.value, s.flags, err, s.err)
			}
		}
		if got := SimpleXattrList(m); !reflect.DeepEqual(got, s.list) {
			t.Errorf("step %d: list = %q; want %q", i, got, s.list)
		}
	}
	v := []byte("caller's")
	m, _ = SimpleXattrSet(m, "user.v", v, 0)
	v[0] = 'X'
	if got, _ := SimpleXattrGet(m, "user.v"); string(got) != "caller's" {
		t.Errorf("the stored value follows the caller's slice: %q", got)
	}
	got, _ := SimpleXattrGet(m, "user.v")
	got[0] = 'Y'
	if again, _ := SimpleXattrGet(m, "user.v"); string(again) != "caller's" {
		t.Errorf("the stored value follows a slice get returned: %q", again)
	}
}

// TestSimpleXattrListOrder: the names listxattr(2) gives for a tmpfs
// file on Linux 6.18 (fs/xattr.c simple_xattr_list walks an rbtree whose
// comparison puts greater names first), for the names the Linux run
// set: bytewise descending, so "user.B" comes after "user.a" and a
// prefix before the longer names it starts.
func TestSimpleXattrListOrder(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  []string
	}{
		{nil, []string{}},
		{[]string{"user.a"}, []string{"user.a"}},
		{
			[]string{"user.a", "user.B", "trusted.t", "security.s", "user.big", "user.b", "user.e", "user.nnnnnnnnnnnnnnn"},
			[]string{"user.nnnnnnnnnnnnnnn", "user.e", "user.big", "user.b", "user.a", "user.B", "trusted.t", "security.s"},
		},
		{[]string{"user.ab", "user.a", "user.abc"}, []string{"user.abc", "user.ab", "user.a"}},
	} {
		m := map[string][]byte{}
		for _, n := range c.names {
			m[n] = []byte("v")
		}
		if got := SimpleXattrList(m); !reflect.DeepEqual(got, c.want) {
			t.Errorf("list of %q = %q; want %q", c.names, got, c.want)
		}
	}
}
