package wasi

import "testing"

// TestRenumberPreopen: fd_renumber neither moves a preopened directory
// nor replaces one: ENOTSUP if either end is a preopen, as wazero's
// FSContext.Renumber (internal/sys/fs.go) answers, checked after fd is
// found open and before to is (EBADF for a closed fd, then ENOTSUP for
// a preopen fd, then EBADF for a closed to). Linux has no preopens; its
// dup2(2) is the model for everything else: renumbering a file over a
// file or a standard stream succeeds. After a refused call the preopen
// and the other descriptor are as they were.
func TestRenumberPreopen(t *testing.T) {
	const (
		file   = -1 // a file the test opens
		closed = 40
	)
	for _, tc := range []struct {
		name     string
		from, to int32
		want     Errno
		fileGone bool // the file's descriptor was moved
	}{
		{"a file onto the preopen", file, preFd, ENOTSUP, false},
		{"the preopen onto a file", preFd, file, ENOTSUP, false},
		{"the preopen onto itself", preFd, preFd, ENOTSUP, false},
		{"the preopen onto a closed fd", preFd, closed, ENOTSUP, false},
		{"stdout onto the preopen", 1, preFd, ENOTSUP, false},
		{"the preopen onto stdin", preFd, 0, ENOTSUP, false},
		{"a closed fd onto the preopen", closed, preFd, EBADF, false},
		{"a file onto stdin", file, 0, ESUCCESS, true},
		{"a file onto a closed fd", file, closed, EBADF, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			fd, errno := f.open("tmp/f", OflagCreat, rwFile, 0)
			f.is("path_open", errno, ESUCCESS)
			from, to := tc.from, tc.to
			if from == file {
				from = fd
			}
			if to == file {
				to = fd
			}
			f.is("fd_renumber", f.a.FdRenumber(from, to), tc.want)
			// The preopen is still fd 3, named "/", and opens paths.
			f.is("fd_prestat_get(3)", f.a.FdPrestatGet(f.m, preFd, 8), ESUCCESS)
			f.is("fd_prestat_dir_name(3)", f.a.FdPrestatDirName(f.m, preFd, 16, 1), ESUCCESS)
			if f.m[16] != '/' {
				t.Errorf("the preopen's name is %q", f.m[16:17])
			}
			g, errno := f.open("tmp/g", OflagCreat, rwFile, 0)
			f.is("path_open through the preopen", errno, ESUCCESS)
			f.is("fd_close(g)", f.a.FdClose(g), ESUCCESS)
			// The file is where the call left it.
			at, gone := fd, int32(-1)
			if tc.fileGone {
				at, gone = to, fd
			}
			if n, errno := f.write(at, "x"); errno != ESUCCESS || n != 1 {
				t.Errorf("write to the file at %d: %d, %s", at, n, errno.Name())
			}
			if gone >= 0 {
				f.is("fd_fdstat_get of the moved fd", f.a.FdFdstatGet(f.m, gone, 32), EBADF)
			}
		})
	}
}

// TestRenumberReleasesReplaced: the entry of the descriptor fd_renumber
// replaces goes to the spare pool, as fd_close sends a closed one, so a
// guest that renumbers onto its files does not make every path_open
// after it allocate; a stream's entry is left out of the pool, as
// fd_close leaves it, and renumbering a descriptor onto itself replaces
// nothing.
func TestRenumberReleasesReplaced(t *testing.T) {
	const file = -1 // the file the test opens second
	for _, tc := range []struct {
		name  string
		to    int32
		spare int // entries the call adds to the pool
	}{
		{"onto a file", file, 1},
		{"onto stdout", 1, 0},
		{"onto itself", 0, 0}, // to is the moved file itself
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			fd, errno := f.open("tmp/f", OflagCreat, rwFile, 0)
			f.is("path_open(f)", errno, ESUCCESS)
			g, errno := f.open("tmp/g", OflagCreat, rwFile, 0)
			f.is("path_open(g)", errno, ESUCCESS)
			to := tc.to
			switch to {
			case file:
				to = g
			case 0:
				to = fd
			}
			replaced := f.a.fds[to]
			before := len(f.a.spare)
			f.is("fd_renumber", f.a.FdRenumber(fd, to), ESUCCESS)
			if got := len(f.a.spare) - before; got != tc.spare {
				t.Fatalf("fd_renumber added %d entries to the pool, want %d", got, tc.spare)
			}
			if tc.spare == 1 && f.a.spare[len(f.a.spare)-1] != replaced {
				t.Errorf("the pool's new entry is not the replaced descriptor's")
			}
			// The moved file is still usable at to.
			if n, errno := f.write(to, "x"); errno != ESUCCESS || n != 1 {
				t.Errorf("write to the file at %d: %d, %s", to, n, errno.Name())
			}
		})
	}
}
