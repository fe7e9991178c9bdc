package vfs_test

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// within reports whether s's bytes lie inside the bytes of outer.
func within(s, outer string) bool {
	if s == "" || outer == "" {
		return false
	}
	p, o := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(outer)))
	return p >= o && p < o+uintptr(len(outer))
}

// TestDentryNameCopied creates files whose paths are built at run time
// and checks that each dentry's name is its own copy (inline up to
// DNAME_INLINE_LEN bytes, an external copy beyond), never a slice of the
// path it was created from; that it stays the same string through
// renames and exchanges of the dentry and of others; and that no name a
// caller got before a rename changes.
func TestDentryNameCopied(t *testing.T) {
	_, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Mkdir("/d", 0o755); err != nil {
		t.Fatal(err)
	}
	il := vfs.DnameInlineLenForTest
	for _, tc := range []struct {
		name   string
		inline bool
	}{
		{"a", true},
		{strings.Repeat("b", il-1), true},
		{strings.Repeat("c", il), true},
		{strings.Repeat("d", il+1), false},
		{strings.Repeat("e", vfs.NAME_MAX), false},
	} {
		path := strings.Join([]string{"", "d", tc.name}, "/") // made at run time
		if err := createFile(task, path); err != nil {
			t.Fatalf("create %d-byte name: %v", len(tc.name), err)
		}
		d, err := vfs.WalkForTest(task, path, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		got := d.Name()
		if got != tc.name {
			t.Fatalf("name %q, want %q", got, tc.name)
		}
		if within(got, path) {
			t.Errorf("%d-byte name: the dentry's name aliases the path it was created from", len(tc.name))
		}
		if vfs.NameInlineForTest(d) != tc.inline {
			t.Errorf("%d-byte name: inline %v, want %v", len(tc.name), !tc.inline, tc.inline)
		}

		// Rename it: the name held from before stays what it was; the
		// new name is the dentry's own (not the target's inline bytes,
		// not the path's).
		before := got
		to := strings.Join([]string{"", "d", "r" + tc.name[1:]}, "/")
		if err := task.Rename(path, to); err != nil {
			t.Fatal(err)
		}
		if before != tc.name {
			t.Errorf("a name held across rename changed to %q", before)
		}
		nn := d.Name()
		if nn != "r"+tc.name[1:] || within(nn, to) {
			t.Errorf("after rename: name %q (aliases the path: %v)", nn, within(nn, to))
		}

		// Exchange it with another file: each takes a copy of the other's
		// name, and the strings held before are unchanged.
		other := strings.Join([]string{"", "d", "x" + tc.name[1:]}, "/")
		if err := createFile(task, other); err != nil {
			t.Fatal(err)
		}
		od, err := vfs.WalkForTest(task, other, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		dn, on := d.Name(), od.Name()
		if err := task.Renameat2(vfs.AT_FDCWD, to, vfs.AT_FDCWD, other, vfs.RENAME_EXCHANGE); err != nil {
			t.Fatal(err)
		}
		if dn != "r"+tc.name[1:] || on != "x"+tc.name[1:] {
			t.Errorf("names held across exchange changed: %q, %q", dn, on)
		}
		if d.Name() != on || od.Name() != dn {
			t.Errorf("after exchange: %q and %q, want %q and %q", d.Name(), od.Name(), on, dn)
		}
		if vfs.NameInlineForTest(d) || vfs.NameInlineForTest(od) {
			t.Errorf("after exchange a dentry's name still points at inline bytes")
		}
		for _, p := range []string{to, other} {
			if err := task.Unlink(p); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDAllocAllocs checks that a name of up to DNAME_INLINE_LEN bytes
// costs d_alloc no allocation of its own (it lies in the dentry), and a
// longer one exactly one (its external copy).
func TestDAllocAllocs(t *testing.T) {
	_, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	root, err := vfs.WalkForTest(task, "/", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	allocs := func(name string) float64 {
		return testing.AllocsPerRun(100, func() {
			d, err := vfs.DAllocForTest(task, root, name)
			if err != nil {
				t.Fatal(err)
			}
			if inline := len(name) <= vfs.DnameInlineLenForTest; vfs.NameInlineForTest(d) != inline {
				t.Fatalf("%d-byte name: inline %v, want %v", len(name), !inline, inline)
			}
		})
	}
	base := allocs("a")
	for _, tc := range []struct {
		name  string
		extra float64
	}{
		{"short", 0},
		{strings.Repeat("s", vfs.DnameInlineLenForTest), 0},
		{strings.Repeat("l", vfs.DnameInlineLenForTest+1), 1},
		{strings.Repeat("m", vfs.NAME_MAX), 1},
	} {
		if got := allocs(tc.name) - base; got != tc.extra {
			t.Errorf("d_alloc of a %d-byte name: %v allocations more than of a 1-byte one, want %v", len(tc.name), got, tc.extra)
		}
	}
}
