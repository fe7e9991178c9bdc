package vfs

import "testing"

func TestNoSeekEndLlseek(t *testing.T) {
	for _, c := range []struct {
		pos, off int64
		whence   int
		want     int64
		err      error
	}{
		{pos: 5, off: 3, whence: SEEK_SET, want: 3},
		{pos: 5, off: 0, whence: SEEK_SET, want: 0},
		{pos: 5, off: 3, whence: SEEK_CUR, want: 8},
		{pos: 5, off: -5, whence: SEEK_CUR, want: 0},
		{pos: 5, off: -6, whence: SEEK_CUR, want: 5, err: EINVAL},
		{pos: 5, off: -1, whence: SEEK_SET, want: 5, err: EINVAL},
		{pos: 5, off: 0, whence: SEEK_END, want: 5, err: EINVAL},
		{pos: 5, off: 0, whence: SEEK_DATA, want: 5, err: EINVAL},
		{pos: 5, off: 0, whence: SEEK_HOLE, want: 5, err: EINVAL},
		{pos: 5, off: 0, whence: 99, want: 5, err: EINVAL},
	} {
		f := &File{}
		f.pos.Store(c.pos)
		got, err := NoSeekEndLlseek(nil, f, c.off, c.whence)
		if err != c.err || f.pos.Load() != c.want || (err == nil && got != c.want) {
			t.Errorf("pos %d, lseek(%d, %d) = %d, %v, pos %d; want %d, %v", c.pos, c.off, c.whence, got, err, f.pos.Load(), c.want, c.err)
		}
	}
}
