package wasi

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestNarrowParams: a u8 or u16 of the witx signature travels as an i32;
// bits above its width make it invalid (EINVAL), as wazero checks
// fd_seek's whence as a whole (whence 258 is not SEEK_END) and as
// lseek(2) gives EINVAL for an unknown whence (fs/read_write.c).
func TestNarrowParams(t *testing.T) {
	f := newFx(t)
	byName := map[string]Func{}
	for _, fn := range Funcs {
		byName[fn.Name] = fn
	}
	fd, e := f.open("tmp/narrow", OflagCreat, rwFile, 0)
	f.is("open", e, ESUCCESS)
	f.write(fd, "0123456789")
	p, n := f.str("tmp/narrow")
	p2, n2 := f.str("tmp/narrow2")
	for _, c := range []struct {
		name   string
		fn     string
		params []uint64
		want   Errno
	}{
		{"seek whence END", "fd_seek", []uint64{uint64(fd), 0, uint64(WhenceEnd), 8}, ESUCCESS},
		{"seek whence 3", "fd_seek", []uint64{uint64(fd), 0, 3, 8}, EINVAL},
		{"seek whence 256+END", "fd_seek", []uint64{uint64(fd), 0, 256 + uint64(WhenceEnd), 8}, EINVAL},
		{"seek whence 1<<31", "fd_seek", []uint64{uint64(fd), 0, 1 << 31, 8}, EINVAL},
		{"advise normal", "fd_advise", []uint64{uint64(fd), 0, 0, 0}, ESUCCESS},
		{"advise 256+normal", "fd_advise", []uint64{uint64(fd), 0, 0, 256}, EINVAL},
		{"fdstat_set_flags 0", "fd_fdstat_set_flags", []uint64{uint64(fd), 0}, ESUCCESS},
		{"fdstat_set_flags 1<<16", "fd_fdstat_set_flags", []uint64{uint64(fd), 1 << 16}, EINVAL},
		{"filestat_set_times mtim_now", "fd_filestat_set_times", []uint64{uint64(fd), 0, 0, uint64(FstflagMtimNow)}, ESUCCESS},
		{"filestat_set_times 1<<16|mtim_now", "fd_filestat_set_times", []uint64{uint64(fd), 0, 0, 1<<16 | uint64(FstflagMtimNow)}, EINVAL},
		{"path_filestat_set_times 1<<16|mtim_now", "path_filestat_set_times", []uint64{preFd, 0, uint64(p), uint64(n), 0, 0, 1<<16 | uint64(FstflagMtimNow)}, EINVAL},
		{"path_open oflags 1<<16|creat", "path_open", []uint64{preFd, 0, uint64(p2), uint64(n2), 1<<16 | uint64(OflagCreat), uint64(rwFile), 0, 0, 8}, EINVAL},
		{"path_open fdflags 1<<16", "path_open", []uint64{preFd, 0, uint64(p), uint64(n), 0, uint64(rwFile), 0, 1 << 16, 8}, EINVAL},
	} {
		f.is(c.name, byName[c.fn].Call(context.Background(), f.a, f.m, c.params), c.want)
	}
	if err := f.host.Stat("/tmp/narrow2", new(vfs.Stat)); err == nil {
		t.Error("path_open with bad oflags created the file")
	}
}

// TestSetTimesClamp: WASI timestamps are u64 nanoseconds, the VFS's are
// int64 ones. A time past math.MaxInt64 ns (2262-04-11) is clamped to the
// last one the VFS holds, as Linux clamps a time to what the filesystem
// can store (fs/inode.c:timestamp_truncate, s_time_max) instead of
// failing utimensat(2): never wrapped to a time before the epoch.
func TestSetTimesClamp(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/times", OflagCreat, rwFile, 0)
	p, n := f.str("tmp/times")
	// The last time the VFS holds: what it stores for math.MaxInt64 ns
	// (itself clamped to whole seconds where the VFS clamps, as Linux
	// zeroes the nanoseconds of a clamped time).
	last := func() uint64 {
		ts := [2]vfs.Timespec{{Sec: math.MaxInt64 / 1_000_000_000, Nsec: math.MaxInt64 % 1_000_000_000}, {Nsec: vfs.UTIME_OMIT}}
		if err := f.host.Utimensat(vfs.AT_FDCWD, "/tmp/times", &ts, 0); err != nil {
			t.Fatal(err)
		}
		var st vfs.Stat
		f.host.Stat("/tmp/times", &st)
		if st.Atime < math.MaxInt64/1_000_000_000*1_000_000_000 {
			t.Fatalf("the VFS stores %d for math.MaxInt64 ns", st.Atime)
		}
		return uint64(st.Atime)
	}()
	for _, c := range []struct {
		name string
		call func(atim uint64) Errno
	}{
		{"fd_filestat_set_times", func(atim uint64) Errno { return f.a.FdFilestatSetTimes(fd, atim, 0, FstflagAtim) }},
		{"path_filestat_set_times", func(atim uint64) Errno {
			return f.a.PathFilestatSetTimes(f.m, preFd, 0, p, n, atim, 0, FstflagAtim)
		}},
	} {
		for _, tc := range []struct {
			atim, want uint64
		}{
			{1e9 + 7, 1e9 + 7},
			{math.MaxInt64, last},
			{1<<63 + 5, last},
			{math.MaxUint64, last},
		} {
			f.is(c.name, c.call(tc.atim), ESUCCESS)
			var st vfs.Stat
			if err := f.host.Stat("/tmp/times", &st); err != nil {
				t.Fatal(err)
			}
			if uint64(st.Atime) != tc.want {
				t.Errorf("%s(atim %d): atime %d, want %d", c.name, tc.atim, st.Atime, tc.want)
			}
		}
	}
}

// TestUtimesTimespec: the timespec utimes hands the VFS for a WASI
// timestamp is never past math.MaxInt64 ns, whatever the VFS then does
// with it.
func TestUtimesTimespec(t *testing.T) {
	maxTs := vfs.Timespec{Sec: math.MaxInt64 / 1_000_000_000, Nsec: math.MaxInt64 % 1_000_000_000}
	for _, c := range []struct {
		atim uint64
		want vfs.Timespec
	}{
		{0, vfs.Timespec{}},
		{3e9 + 4, vfs.Timespec{Sec: 3, Nsec: 4}},
		{math.MaxInt64, maxTs},
		{1<<63 + 5, maxTs},
		{math.MaxUint64, maxTs},
	} {
		times, e := utimes(c.atim, c.atim, FstflagAtim|FstflagMtim)
		if e != ESUCCESS || times[0] != c.want || times[1] != c.want {
			t.Errorf("utimes(%d) = %v %s, want %v", c.atim, times, e.Name(), c.want)
		}
	}
}

// TestNewArgsEnv: argv and environment entries reach a guest as C
// strings, the environment's as KEY=value: a NUL, or an entry with no
// '=', is an error from New (wazero's ModuleConfig rejects both), before
// anything is forked or opened.
func TestNewArgsEnv(t *testing.T) {
	f := newFx(t)
	for _, c := range []struct {
		name      string
		args, env []string
		err       string
	}{
		{"fine", []string{"p", "", "a b"}, []string{"A=1", "B=", "=x"}, ""},
		{"NUL in argument", []string{"p", "a\x00b"}, nil, "argument 1"},
		{"NUL in environment", []string{"p"}, []string{"A=1\x00B=2"}, "environment entry 0"},
		{"no = in environment", []string{"p"}, []string{"A=1", "NOEQUALS"}, "environment entry 1 (\"NOEQUALS\") is not of the form KEY=value"},
	} {
		a, err := New(Config{Task: f.host, Args: c.args, Env: c.env})
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.err)
		}
		if a != nil {
			a.Close()
		}
	}
}
