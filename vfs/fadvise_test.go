package vfs_test

import (
	"reflect"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestFadviseErrors: fadvise64's errors, in Linux's order: EBADF for a
// bad descriptor or one opened O_PATH, ESPIPE for a FIFO whatever the
// arguments, EINVAL for a negative length or an unknown advice; a
// negative offset is no error. On tmpfs, which has no backing device,
// every valid advice succeeds and changes nothing.
func TestFadviseErrors(t *testing.T) {
	v, tk, _ := pcEnv(t)
	fd, _ := raFile(t, tk, "errs", 4, nil)
	defer tk.Close(fd)
	pfd, err := tk.Open("/pc/errs", vfs.O_PATH, 0)
	mustT(t, "open O_PATH", err)
	defer tk.Close(pfd)
	pipe, err := tk.Pipe2(0)
	mustT(t, "pipe2", err)
	defer tk.Close(pipe[0])
	defer tk.Close(pipe[1])
	tfd, err := tk.Open("/tmpfile", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open on tmpfs", err)
	defer tk.Close(tfd)
	for _, tc := range []struct {
		name           string
		fd             int
		offset, length int64
		advice         int
		want           error
	}{
		{"bad descriptor", 99, 0, 0, vfs.POSIX_FADV_NORMAL, vfs.EBADF},
		{"O_PATH", pfd, 0, 0, vfs.POSIX_FADV_NORMAL, vfs.EBADF},
		{"FIFO", pipe[0], 0, -1, 99, vfs.ESPIPE},
		{"negative length", fd, 0, -1, vfs.POSIX_FADV_NORMAL, vfs.EINVAL},
		{"unknown advice", fd, 0, 0, 6, vfs.EINVAL},
		{"negative advice", fd, 0, 0, -1, vfs.EINVAL},
		{"negative offset", fd, -4096, 8192, vfs.POSIX_FADV_WILLNEED, nil},
		{"past the largest offset", fd, 1 << 62, 1 << 62, vfs.POSIX_FADV_DONTNEED, nil},
		{"tmpfs unknown advice", tfd, 0, 0, 7, vfs.EINVAL},
		{"tmpfs negative length", tfd, 0, -5, vfs.POSIX_FADV_NORMAL, vfs.EINVAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tk.Fadvise(tc.fd, tc.offset, tc.length, tc.advice); err != tc.want {
				t.Errorf("fadvise = %v, want %v", err, tc.want)
			}
		})
	}
	// tmpfs: the advice is taken and ignored, its pages (its data) stay.
	mustT(t, "write on tmpfs", pwriteAll(tk, tfd, pattern(0, 3*vfs.PAGE_SIZE, 1), 0))
	for adv := vfs.POSIX_FADV_NORMAL; adv <= vfs.POSIX_FADV_NOREUSE; adv++ {
		mustT(t, "fadvise on tmpfs", tk.Fadvise(tfd, 0, 0, adv))
	}
	if n := vfs.FdInode(tk, tfd).Mapping().NrPages(); n != 3 {
		t.Errorf("tmpfs file: %d pages after DONTNEED, want 3", n)
	}
	if m := vfs.FdFile(tk, tfd).Mode(); m&(vfs.FMODE_RANDOM|vfs.FMODE_NOREUSE) != 0 {
		t.Errorf("tmpfs file: f_mode %#x took the advice", m)
	}
	pcCheck(t, v)
}

// TestFadviseReadahead: RANDOM turns readahead off for the description
// (a read reads what it asks for and sets no window) and NORMAL turns it
// back on; SEQUENTIAL doubles the largest window; NOREUSE is recorded in
// f_mode. Each acts on its description only.
func TestFadviseReadahead(t *testing.T) {
	v, tk, _ := pcEnv(t)
	const P = vfs.PAGE_SIZE

	fd, m := raFile(t, tk, "random", 256, nil)
	mustT(t, "RANDOM", tk.Fadvise(fd, 0, 0, vfs.POSIX_FADV_RANDOM))
	if mode := vfs.FdFile(tk, fd).Mode(); mode&vfs.FMODE_RANDOM == 0 {
		t.Errorf("f_mode %#x after RANDOM", mode)
	}
	buf := make([]byte, 2*P)
	for off := int64(0); off < 8*P; off += 2 * P {
		_, err := tk.Read(fd, buf)
		mustT(t, "read", err)
	}
	if got, want := cachedRuns(m, 256), [][2]int64{{0, 8}}; !reflect.DeepEqual(got, want) {
		t.Errorf("RANDOM: cached %v after 8 pages read in order, want %v", got, want)
	}
	if _, _, _, windows := vfs.FdFile(tk, fd).RaState(); windows != 0 {
		t.Errorf("RANDOM: %d readahead windows", windows)
	}
	mustT(t, "NORMAL", tk.Fadvise(fd, 0, 0, vfs.POSIX_FADV_NORMAL))
	_, err := tk.Read(fd, buf)
	mustT(t, "read", err)
	if _, size, _, windows := vfs.FdFile(tk, fd).RaState(); windows != 1 || size == 0 {
		t.Errorf("NORMAL: %d windows, size %d; want a window", windows, size)
	}
	mustT(t, "close", tk.Close(fd))

	// SEQUENTIAL: the window grows to 64 pages, where a plain
	// description stops at 32.
	for _, tc := range []struct {
		advice  int
		maxSize int
	}{{vfs.POSIX_FADV_NORMAL, 32}, {vfs.POSIX_FADV_SEQUENTIAL, 64}} {
		fd, _ := raFile(t, tk, "seq", 1024, nil)
		mustT(t, "fadvise", tk.Fadvise(fd, 0, 0, tc.advice))
		largest := 0
		for range 512 {
			_, err := tk.Read(fd, make([]byte, P))
			mustT(t, "read", err)
			_, size, _, _ := vfs.FdFile(tk, fd).RaState()
			largest = max(largest, size)
		}
		if largest != tc.maxSize {
			t.Errorf("advice %d: largest window %d pages, want %d", tc.advice, largest, tc.maxSize)
		}
		mustT(t, "close", tk.Close(fd))
	}

	// NOREUSE, then NORMAL clears it.
	fd, _ = raFile(t, tk, "noreuse", 4, nil)
	mustT(t, "NOREUSE", tk.Fadvise(fd, 0, 0, vfs.POSIX_FADV_NOREUSE))
	other, err := tk.Open("/pc/noreuse", vfs.O_RDONLY, 0)
	mustT(t, "open", err)
	if a, b := vfs.FdFile(tk, fd).Mode(), vfs.FdFile(tk, other).Mode(); a&vfs.FMODE_NOREUSE == 0 || b&vfs.FMODE_NOREUSE != 0 {
		t.Errorf("NOREUSE: f_mode %#x, the other description's %#x", a, b)
	}
	mustT(t, "NORMAL", tk.Fadvise(fd, 0, 0, vfs.POSIX_FADV_NORMAL))
	if a := vfs.FdFile(tk, fd).Mode(); a&vfs.FMODE_NOREUSE != 0 {
		t.Errorf("NORMAL left f_mode %#x", a)
	}
	mustT(t, "close", tk.Close(fd))
	mustT(t, "close", tk.Close(other))
	pcCheck(t, v)
}

// TestFadviseWillneedDontneed: WILLNEED reads the range now, no more
// than the larger of the window and the device's I/O size (32 pages,
// 64 after SEQUENTIAL); DONTNEED writes the range's dirty pages and
// drops its whole pages, keeping a partial page at either end unless
// the range ends the file.
func TestFadviseWillneedDontneed(t *testing.T) {
	v, tk, _ := pcEnv(t)
	const P = vfs.PAGE_SIZE
	for _, tc := range []struct {
		name   string
		pre    int // advice given first (-1: none)
		offset int64
		length int64
		want   [][2]int64
	}{
		{"a few pages", -1, 3 * P, 4 * P, [][2]int64{{3, 4}}},
		{"partial pages", -1, 3*P + 100, P, [][2]int64{{3, 2}}},
		{"to the end, capped", -1, 10 * P, 0, [][2]int64{{10, 32}}},
		{"capped by SEQUENTIAL's window", vfs.POSIX_FADV_SEQUENTIAL, 0, 200 * P, [][2]int64{{0, 64}}},
		{"past the end", -1, 300 * P, 4 * P, nil},
	} {
		t.Run("WILLNEED "+tc.name, func(t *testing.T) {
			fd, m := raFile(t, tk, "willneed", 256, nil)
			defer tk.Close(fd)
			if tc.pre >= 0 {
				mustT(t, "fadvise", tk.Fadvise(fd, 0, 0, tc.pre))
			}
			mustT(t, "WILLNEED", tk.Fadvise(fd, tc.offset, tc.length, vfs.POSIX_FADV_WILLNEED))
			if got := cachedRuns(m, 256); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("cached %v, want %v", got, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name           string
		size           int64 // the file's size, if not 16 pages
		offset, length int64
		want           [][2]int64
	}{
		{"whole pages", 0, 2 * P, 3 * P, [][2]int64{{0, 2}, {5, 11}}},
		{"partial pages stay", 0, 2*P + 1, 3 * P, [][2]int64{{0, 3}, {5, 11}}},
		{"within one page", 0, 100, 200, [][2]int64{{0, 16}}},
		{"to the end of the file", 0, 14*P + 7, 2*P - 7, [][2]int64{{0, 15}}},
		// The last page is partial, and goes: the range ends the file.
		{"to a partial end of the file", 15*P + 100, 14 * P, P + 100, [][2]int64{{0, 14}}},
		{"length 0: to the end", 0, 4 * P, 0, [][2]int64{{0, 4}}},
		// Linux's page indexes are unsigned: an offset less than a
		// page below 0 rounds up to page 0, one further down, or one
		// near the largest offset, to past every page.
		{"offset -1", 0, -1, 0, nil},
		{"offset -4095", 0, -(P - 1), 0, nil},
		{"offset -4096", 0, -P, 0, [][2]int64{{0, 16}}},
		{"offset near the largest", 0, 1<<63 - 100, 0, [][2]int64{{0, 16}}},
	} {
		t.Run("DONTNEED "+tc.name, func(t *testing.T) {
			fd, m := raFile(t, tk, "dontneed", 16, [][2]int64{{0, 15}})
			defer tk.Close(fd)
			if tc.size != 0 {
				mustT(t, "truncate", tk.Truncate("/pc/dontneed", tc.size))
			}
			mustT(t, "DONTNEED", tk.Fadvise(fd, tc.offset, tc.length, vfs.POSIX_FADV_DONTNEED))
			if got := cachedRuns(m, 16); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("cached %v, want %v", got, tc.want)
			}
		})
	}

	// Dirty pages are written first, then dropped; what is read back
	// comes from the store.
	fd, err := tk.Open("/pc/dirty", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "open", err)
	data := pattern(0, 8*P, 3)
	mustT(t, "write", pwriteAll(tk, fd, data, 0))
	m := vfs.FdInode(tk, fd).Mapping()
	mustT(t, "DONTNEED", tk.Fadvise(fd, 0, 0, vfs.POSIX_FADV_DONTNEED))
	if n := m.NrPages(); n != 0 {
		t.Errorf("%d pages cached after DONTNEED of written pages, want 0", n)
	}
	got := make([]byte, len(data))
	if n, err := tk.Pread(fd, got, 0); n != len(data) || err != nil || !reflect.DeepEqual(got, data) {
		t.Errorf("read back after DONTNEED: %d, %v, equal %v", n, err, reflect.DeepEqual(got, data))
	}
	mustT(t, "close", tk.Close(fd))
	pcCheck(t, v)
}
