package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestLlseekMaxBytes: generic_file_llseek takes the superblock's
// s_maxbytes for the largest position (vfs_setpos): one past it is
// EINVAL, whatever the whence, and leaves the position alone. pcfs has
// s_maxbytes 1 TiB; ext4 on the host (s_maxbytes 2^44-4096) answers the
// same at its limit: lseek to it succeeds, to one byte more is EINVAL.
func TestLlseekMaxBytes(t *testing.T) {
	v, tk, _ := pcEnv(t)
	const max = int64(1) << 40 // pcfs's s_maxbytes
	const size = 100
	fd, err := tk.Open("/pc/seek", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	defer tk.Close(fd)
	mustT(t, "write", pwriteAll(tk, fd, pattern(0, size, 1), 0))
	for _, tc := range []struct {
		name    string
		start   int64 // position before the call
		off     int64
		whence  int
		want    int64
		err     error
		wantPos int64
	}{
		{"set to s_maxbytes", 0, max, vfs.SEEK_SET, max, nil, max},
		{"set past s_maxbytes", 7, max + 1, vfs.SEEK_SET, 0, vfs.EINVAL, 7},
		{"cur to s_maxbytes", max - 10, 10, vfs.SEEK_CUR, max, nil, max},
		{"cur past s_maxbytes", max - 10, 11, vfs.SEEK_CUR, 0, vfs.EINVAL, max - 10},
		{"end to s_maxbytes", 0, max - size, vfs.SEEK_END, max, nil, max},
		{"end past s_maxbytes", 3, max - size + 1, vfs.SEEK_END, 0, vfs.EINVAL, 3},
		{"set negative", 5, -1, vfs.SEEK_SET, 0, vfs.EINVAL, 5},
		{"data at eof", 5, size, vfs.SEEK_DATA, 0, vfs.ENXIO, 5},
		{"hole", 5, 10, vfs.SEEK_HOLE, size, nil, size},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tk.Seek(fd, tc.start, vfs.SEEK_SET); err != nil {
				t.Fatalf("seek to the start position %d: %v", tc.start, err)
			}
			got, err := tk.Seek(fd, tc.off, tc.whence)
			if got != tc.want || err != tc.err {
				t.Errorf("lseek(%d, %d) = %d, %v; want %d, %v", tc.off, tc.whence, got, err, tc.want, tc.err)
			}
			if pos, err := tk.Seek(fd, 0, vfs.SEEK_CUR); pos != tc.wantPos || err != nil {
				t.Errorf("position after: %d, %v; want %d", pos, err, tc.wantPos)
			}
		})
	}
	pcCheck(t, v)
}
