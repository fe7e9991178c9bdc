package wasi

import "testing"

// TestSetTimesBothOmitted: path_filestat_set_times and
// fd_filestat_set_times with no fst_flags (both times UTIME_OMIT) succeed
// without looking at the descriptor, the path or its memory, as Linux
// 6.18's utimensat(999, "" or "/nonexistent/x" or an unmapped name or
// NULL, {UTIME_OMIT, UTIME_OMIT}, 0x7777) returns 0; with a time to set,
// the same calls fail as before.
func TestSetTimesBothOmitted(t *testing.T) {
	f := newFx(t)
	fd, e := f.open("tmp/f", OflagCreat, rwFile, 0)
	f.is("open", e, ESUCCESS)
	noRights, e := f.open("tmp/f", 0, RightFdRead, 0)
	f.is("open without rights", e, ESUCCESS)
	empty, _ := f.str("")
	missing, nMissing := f.str("nonexistent/x")
	file, nFile := f.str("tmp/f")
	for _, c := range []struct {
		name    string
		fd      int32
		path, n uint32
		flags   uint32
		want    Errno // with fst_flags ATIM_NOW
	}{
		{"empty path", preFd, empty, 0, 0, ENOENT},
		{"missing path", preFd, missing, nMissing, LookupSymlinkFollow, ENOENT},
		{"bad fd", 99, file, nFile, 0, EBADF},
		{"path outside memory", preFd, 1<<32 - 4, 100, 0, EFAULT},
		{"unknown lookup flags", preFd, file, nFile, 0xfffe, ESUCCESS},
		{"no rights", noRights, file, nFile, 0, ENOTCAPABLE},
	} {
		if got := f.a.PathFilestatSetTimes(f.m, c.fd, c.flags, c.path, c.n, 5, 6, 0); got != ESUCCESS {
			t.Errorf("path_filestat_set_times(%s, no fst_flags) = %s, want ESUCCESS", c.name, got.Name())
		}
		if got := f.a.PathFilestatSetTimes(f.m, c.fd, c.flags, c.path, c.n, 5, 6, FstflagAtimNow); got != c.want {
			t.Errorf("path_filestat_set_times(%s, ATIM_NOW) = %s, want %s", c.name, got.Name(), c.want.Name())
		}
	}
	for _, c := range []struct {
		name string
		fd   int32
		want Errno // with fst_flags ATIM_NOW
	}{
		{"file", fd, ESUCCESS},
		{"bad fd", 99, EBADF},
		{"no rights", noRights, ENOTCAPABLE},
	} {
		if got := f.a.FdFilestatSetTimes(c.fd, 5, 6, 0); got != ESUCCESS {
			t.Errorf("fd_filestat_set_times(%s, no fst_flags) = %s, want ESUCCESS", c.name, got.Name())
		}
		if got := f.a.FdFilestatSetTimes(c.fd, 5, 6, FstflagAtimNow); got != c.want {
			t.Errorf("fd_filestat_set_times(%s, ATIM_NOW) = %s, want %s", c.name, got.Name(), c.want.Name())
		}
	}
}
