package vfs_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestListxattrListMax: listxattr returns at most XATTR_LIST_MAX bytes
// of names (each with its NUL): a longer list is E2BIG, for the path
// and the descriptor forms alike. The host kernel on tmpfs, with 300
// user.* names of 248 bytes (74700 bytes of list): listxattr with size 0
// says 74700; with a 64 KiB or 1 MiB buffer, E2BIG.
func TestListxattrListMax(t *testing.T) {
	// names makes n user.* names of length l each, told apart by a
	// number after the prefix.
	names := func(n, l int) []string {
		var out []string
		for i := 0; i < n; i++ {
			p := fmt.Sprintf("user.%04d", i)
			out = append(out, p+strings.Repeat("x", l-len(p)))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		attrs []string
		want  error
	}{
		{"300 of 248 bytes (74700)", names(300, 248), E2BIG},
		{"256 of 255 bytes (65536, the limit)", names(256, 255), nil},
		{"one name more than the limit", append(names(256, 255), "user.a"), E2BIG},
		{"a few", names(3, 20), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := vt.New(t)
			r := e.Root
			e.WriteFile("/f", "", 0o644)
			for _, n := range tc.attrs {
				e.Must(r.Setxattr("/f", n, nil, 0))
			}
			got, err := r.Listxattr("/f")
			if err != tc.want {
				t.Fatalf("listxattr: %d names, %v; want %v", len(got), err, tc.want)
			}
			if err == nil && len(got) != len(tc.attrs) {
				t.Errorf("listxattr: %d names, want %d", len(got), len(tc.attrs))
			}
			fd, err := r.Open("/f", O_RDONLY, 0)
			e.Must(err)
			defer r.Close(fd)
			if _, err := r.Flistxattr(fd); err != tc.want {
				t.Errorf("flistxattr: %v, want %v", err, tc.want)
			}
		})
	}
}
