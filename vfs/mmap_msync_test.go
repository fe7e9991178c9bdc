package vfs_test

import (
	"math"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMsyncRange: which pages msync(2) writes and what it returns for
// ranges at and past the end of a 3-page shared mapping, as mm/msync.c
// does: a length of 0 is 0 wherever it starts (end == start); a range
// running past the mapping syncs the mapped part (vfs_fsync_range) and
// then returns ENOMEM ("return error ? : unmapped_error"); a range that
// starts past the mapping finds no vma and syncs nothing; len is a
// size_t and start unsigned, so a negative length rounds up to 0 or
// ends below the start (ENOMEM), and a negative offset starts below the
// mapping, which is synced from its start (host: the same calls against
// a mapping with holes around it).
func TestMsyncRange(t *testing.T) {
	cases := []struct {
		name        string
		off, length int64
		flags       int
		want        error
		clean       string // which of the 3 dirtied pages msync cleaned
	}{
		{"len 0 at the end", 3 * P, 0, vfs.MS_SYNC, nil, "---"},
		{"len 0 past the end", 5 * P, 0, vfs.MS_SYNC, nil, "---"},
		{"the whole mapping", 0, 3 * P, vfs.MS_SYNC, nil, "ccc"},
		{"a page more than mapped", 0, 4 * P, vfs.MS_SYNC, vfs.ENOMEM, "ccc"},
		{"from page 1, past the end", P, 3 * P, vfs.MS_SYNC, vfs.ENOMEM, "-cc"},
		{"a length that does not fit", P, math.MaxInt64, vfs.MS_SYNC, vfs.ENOMEM, "-cc"},
		{"starting at the end", 3 * P, P, vfs.MS_SYNC, vfs.ENOMEM, "---"},
		{"async past the end", 0, 4 * P, vfs.MS_ASYNC, vfs.ENOMEM, "---"},
		{"part of a page", P, 1, vfs.MS_SYNC, nil, "-c-"},
		{"len -1: SIZE_MAX rounds up to 0", 0, -1, vfs.MS_SYNC, nil, "---"},
		{"len -P: the end wraps below the start", 2 * P, -P, vfs.MS_SYNC, vfs.ENOMEM, "---"},
		{"from a page below the mapping", -P, 2 * P, vfs.MS_SYNC, vfs.ENOMEM, "c--"},
		{"async from below the mapping", -P, 2 * P, vfs.MS_ASYNC, vfs.ENOMEM, "---"},
		{"invalidate from below the mapping", -P, 2 * P, vfs.MS_INVALIDATE, vfs.ENOMEM, "---"},
		{"ending at the mapping's start", -2 * P, 2 * P, vfs.MS_SYNC, vfs.ENOMEM, "---"},
		{"an offset of -2^63", math.MinInt64, P, vfs.MS_SYNC, vfs.ENOMEM, "---"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, 3*P, 4), vfs.O_RDWR)
			mustT(t, "fsync", tk.Fsync(fd))
			vma, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			mustT(t, "mmap", err)
			for i := int64(0); i < 3; i++ {
				store(t, vma, i*P+5, []byte("dirty"))
			}
			if err := tk.Msync(vma, c.off, c.length, c.flags); err != c.want {
				t.Errorf("msync(%d, %d) = %v, want %v", c.off, c.length, err, c.want)
			}
			var got strings.Builder
			for i := int64(0); i < 3; i++ {
				if strings.Contains(pageFlags(tk, fd, i), "dirty") {
					got.WriteByte('-')
				} else {
					got.WriteByte('c')
				}
			}
			if got.String() != c.clean {
				t.Errorf("pages cleaned %s, want %s", got.String(), c.clean)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}

// TestMsyncNotVMShared: msync(MS_SYNC) writes a file's dirty pages only
// through a VM_SHARED mapping. do_mmap (mm/mmap.c) clears VM_SHARED (and
// VM_MAYWRITE) of a MAP_SHARED mapping of a description not open for
// writing, leaving VM_MAYSHARE, and msync (mm/msync.c) calls
// vfs_fsync_range only for VM_SHARED: a page dirtied by write(2) through
// another descriptor stays dirty, and nothing reaches the store (on a
// host: msync of such a mapping leaves /proc/meminfo's Dirty as it was).
// /proc/PID/maps still shows the mapping as shared (VM_MAYSHARE).
func TestMsyncNotVMShared(t *testing.T) {
	cases := []struct {
		name      string
		open      int
		flags     int
		writesOut bool
	}{
		{"shared of O_RDONLY", vfs.O_RDONLY, vfs.MAP_SHARED, false},
		{"shared validated of O_RDONLY", vfs.O_RDONLY, vfs.MAP_SHARED_VALIDATE, false},
		{"shared of O_RDWR", vfs.O_RDWR, vfs.MAP_SHARED, true},
		{"private of O_RDWR", vfs.O_RDWR, vfs.MAP_PRIVATE, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, p := mmEnv(t)
			rw := mmFile(t, tk, "/pm/ms", make([]byte, 2*P), vfs.O_RDWR)
			mustT(t, "fsync", tk.Fsync(rw))
			fd, err := tk.Open("/pm/ms", c.open, 0)
			mustT(t, "open", err)
			vma, err := tk.Mmap(fd, 0, 2*P, vfs.PROT_READ, c.flags)
			mustT(t, "mmap", err)
			if got, want := vma.Flags()&vfs.MAP_TYPE, c.flags&vfs.MAP_TYPE; got != want {
				t.Errorf("mapping's type %#x, want %#x as asked", got, want)
			}
			if _, err := tk.Pwrite(rw, []byte("dirty"), 0); err != nil {
				t.Fatal(err)
			}
			mustT(t, "msync", tk.Msync(vma, 0, 2*P, vfs.MS_SYNC))
			in := vfs.FdInode(tk, fd)
			fo := vfs.FilemapGetFolio(in.Mapping(), 0)
			if fo == nil {
				t.Fatal("page 0 not cached")
			}
			dirty := fo.Dirty()
			vfs.FolioPut(fo)
			written := strings.HasPrefix(string(p.storeBytes(in.Ino())), "dirty")
			if dirty == c.writesOut || written != c.writesOut {
				t.Errorf("after msync(MS_SYNC): page dirty %v, on the store %v; want written out %v", dirty, written, c.writesOut)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			mustT(t, "close", tk.Close(rw))
			pcCheck(t, v)
		})
	}
}
