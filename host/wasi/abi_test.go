package wasi

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// fx is a guest without code: an ABI over a byte-slice memory, driven by
// calls as a guest would make them. Results go to the first KiB of
// memory (res); strings and iovecs are placed after it.
type fx struct {
	t      *testing.T
	a      *ABI
	m      Bytes
	host   *vfs.Task // the task the guest was forked from
	stdout bytes.Buffer
	stderr bytes.Buffer
	heap   uint32
}

const (
	res    = 0 // result area
	preFd  = 3 // the preopened "/"
	rwFile = RightFdRead | RightFdWrite | RightFdSeek | RightFdTell | RightFdFilestatGet |
		RightFdFilestatSetSize | RightFdFilestatSetTimes | RightFdAllocate | RightFdFdstatSetFlags |
		RightFdSync | RightFdDatasync | RightFdAdvise | RightPollFdReadwrite
	dirRead = RightFdReaddir | RightPathOpen | RightFdFilestatGet | RightPathFilestatGet
)

func newFx(t *testing.T) *fx {
	t.Helper()
	_, task, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	f := &fx{t: t, host: task, m: make(Bytes, 1<<16), heap: 1024}
	f.a, err = New(Config{
		Task: task, Args: []string{"prog", "-v", ""}, Env: []string{"A=1", "HOME=/"},
		Stdin: strings.NewReader("typed\n"), Stdout: &f.stdout, Stderr: &f.stderr,
		Now:      func() time.Time { return time.Unix(1700000000, 5) },
		Nanotime: func() int64 { return 42 },
		Rand:     bytes.NewReader(bytes.Repeat([]byte{0xab}, 64)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.a.Close()
		if r := task.VFS().Validator().Reports(); len(r) > 0 {
			t.Errorf("lock validator: %v", r)
		}
	})
	return f
}

// str places s in memory and returns its pointer and length.
func (f *fx) str(s string) (uint32, uint32) {
	p := f.heap
	copy(f.m[p:], s)
	f.heap += uint32(len(s)+7) &^ 7
	return p, uint32(len(s))
}

// iov places iovecs over the given buffers (data or, for reads, sizes).
func (f *fx) iov(bufs ...[]byte) (uint32, uint32) {
	ptrs := make([]uint32, len(bufs))
	for i, b := range bufs {
		ptrs[i], _ = f.str(string(b))
	}
	vec := f.heap
	for i, b := range bufs {
		f.m.WriteUint32Le(vec+uint32(8*i), ptrs[i])
		f.m.WriteUint32Le(vec+uint32(8*i)+4, uint32(len(b)))
	}
	f.heap += uint32(8 * len(bufs))
	return vec, uint32(len(bufs))
}

func (f *fx) u32(off uint32) uint32 { v, _ := f.m.ReadUint32Le(off); return v }
func (f *fx) u64(off uint32) uint64 { v, _ := f.m.ReadUint64Le(off); return v }

// is fails the test unless got == want.
func (f *fx) is(call string, got, want Errno) {
	f.t.Helper()
	if got != want {
		f.t.Errorf("%s = %s, want %s", call, got.Name(), want.Name())
	}
}

// open is path_open relative to the preopen, following symlinks.
func (f *fx) open(path string, oflags uint16, base Rights, fdflags uint16) (int32, Errno) {
	p, n := f.str(path)
	e := f.a.PathOpen(f.m, preFd, LookupSymlinkFollow, p, n, oflags, base, 0, fdflags, res)
	return int32(f.u32(res)), e
}

func (f *fx) write(fd int32, data string) (uint32, Errno) {
	vec, n := f.iov([]byte(data))
	e := f.a.FdWrite(f.m, fd, vec, n, res)
	return f.u32(res), e
}

func (f *fx) read(fd int32, n int) (string, Errno) {
	vec, cnt := f.iov(make([]byte, n))
	e := f.a.FdRead(f.m, fd, vec, cnt, res)
	ptr := f.u32(vec)
	return string(f.m[ptr : ptr+f.u32(res)]), e
}

func TestArgsEnviron(t *testing.T) {
	f := newFx(t)
	f.is("args_sizes_get", f.a.ArgsSizesGet(f.m, 0, 4), ESUCCESS)
	if f.u32(0) != 3 || f.u32(4) != uint32(len("prog\x00-v\x00\x00")) {
		t.Errorf("args sizes %d %d", f.u32(0), f.u32(4))
	}
	f.is("args_get", f.a.ArgsGet(f.m, 100, 200), ESUCCESS)
	if got := string(f.m[200:209]); got != "prog\x00-v\x00\x00" {
		t.Errorf("argv_buf %q", got)
	}
	if f.u32(100) != 200 || f.u32(104) != 205 || f.u32(108) != 208 {
		t.Errorf("argv %d %d %d", f.u32(100), f.u32(104), f.u32(108))
	}
	f.is("environ_sizes_get", f.a.EnvironSizesGet(f.m, 0, 4), ESUCCESS)
	if f.u32(0) != 2 || f.u32(4) != 11 {
		t.Errorf("environ sizes %d %d", f.u32(0), f.u32(4))
	}
	f.is("environ_get", f.a.EnvironGet(f.m, 100, 200), ESUCCESS)
	if got := string(f.m[200:211]); got != "A=1\x00HOME=/\x00" {
		t.Errorf("environ_buf %q", got)
	}
	f.is("args_get out of memory", f.a.ArgsGet(f.m, 1<<16-2, 200), EFAULT)
	f.is("environ_sizes_get out of memory", f.a.EnvironSizesGet(f.m, 1<<16, 0), EFAULT)
}

func TestClockRandomSched(t *testing.T) {
	f := newFx(t)
	for _, c := range []struct {
		id   uint32
		want uint64
	}{{ClockRealtime, 1700000000*1e9 + 5}, {ClockMonotonic, 42}, {ClockProcessCputimeID, 42}, {ClockThreadCputimeID, 42}} {
		f.is("clock_time_get", f.a.ClockTimeGet(f.m, c.id, 1, 8), ESUCCESS)
		if got := f.u64(8); got != c.want {
			t.Errorf("clock %d = %d, want %d", c.id, got, c.want)
		}
		f.is("clock_res_get", f.a.ClockResGet(f.m, c.id, 16), ESUCCESS)
		if f.u64(16) != 1 {
			t.Errorf("clock %d resolution %d", c.id, f.u64(16))
		}
	}
	f.is("clock_time_get(4)", f.a.ClockTimeGet(f.m, 4, 0, 8), EINVAL)
	f.is("clock_res_get(9)", f.a.ClockResGet(f.m, 9, 8), EINVAL)
	f.is("clock_time_get bad pointer", f.a.ClockTimeGet(f.m, 0, 0, 1<<16-4), EFAULT)
	f.is("random_get", f.a.RandomGet(f.m, 32, 5), ESUCCESS)
	if !bytes.Equal(f.m[32:37], bytes.Repeat([]byte{0xab}, 5)) || f.m[37] != 0 {
		t.Errorf("random bytes % x", f.m[32:38])
	}
	f.is("random_get bad pointer", f.a.RandomGet(f.m, 1<<16-1, 2), EFAULT)
	f.is("sched_yield", f.a.SchedYield(), ESUCCESS)
	f.is("proc_raise", f.a.ProcRaise(9), ENOSYS)
}

func TestProcExit(t *testing.T) {
	f := newFx(t)
	defer func() {
		e, ok := recover().(*ExitError)
		if !ok || e.Code != 3 {
			t.Errorf("proc_exit(3) panicked with %v", e)
		}
	}()
	f.a.ProcExit(3)
	t.Error("proc_exit returned")
}

func TestStdio(t *testing.T) {
	f := newFx(t)
	n, e := f.write(1, "out")
	f.is("fd_write(1)", e, ESUCCESS)
	vec, cnt := f.iov([]byte("err"), []byte("or\n"))
	f.is("fd_write(2, 2 iovecs)", f.a.FdWrite(f.m, 2, vec, cnt, res), ESUCCESS)
	if n != 3 || f.stdout.String() != "out" || f.stderr.String() != "error\n" || f.u32(res) != 6 {
		t.Errorf("stdout %q stderr %q n %d", f.stdout.String(), f.stderr.String(), n)
	}
	s, e := f.read(0, 64)
	f.is("fd_read(0)", e, ESUCCESS)
	if s != "typed\n" {
		t.Errorf("stdin read %q", s)
	}
	s, e = f.read(0, 64)
	if e != ESUCCESS || s != "" {
		t.Errorf("stdin at EOF: %q %s", s, e.Name())
	}
	_, e = f.read(1, 4)
	f.is("fd_read(1)", e, ENOTCAPABLE)
	_, e = f.write(0, "x")
	f.is("fd_write(0)", e, ENOTCAPABLE)
	f.is("fd_seek(1)", f.a.FdSeek(f.m, 1, 0, WhenceSet, res), ESPIPE)
	f.is("fd_fdstat_get(1)", f.a.FdFdstatGet(f.m, 1, 64), ESUCCESS)
	if f.m[64] != FiletypeCharacterDevice {
		t.Errorf("stdout filetype %d", f.m[64])
	}
	f.is("fd_fdstat_set_flags(1, NONBLOCK)", f.a.FdFdstatSetFlags(1, FdflagNonblock), ESUCCESS)
	f.is("fd_fdstat_get(1)", f.a.FdFdstatGet(f.m, 1, 64), ESUCCESS)
	if fl := uint16(f.u32(64) >> 16); fl != FdflagNonblock {
		t.Errorf("stdout fdflags %#x", fl)
	}
	f.is("fd_write(9)", f.a.FdWrite(f.m, 9, 0, 0, res), EBADF)
	f.is("fd_write bad iovec", f.a.FdWrite(f.m, 1, 1<<16-4, 1, res), EFAULT)
}

func TestPrestat(t *testing.T) {
	f := newFx(t)
	f.is("fd_prestat_get(3)", f.a.FdPrestatGet(f.m, 3, 8), ESUCCESS)
	if f.m[8] != 0 || f.u32(12) != 1 {
		t.Errorf("prestat tag %d len %d", f.m[8], f.u32(12))
	}
	f.is("fd_prestat_dir_name(3)", f.a.FdPrestatDirName(f.m, 3, 16, 1), ESUCCESS)
	if f.m[16] != '/' {
		t.Errorf("preopen name %q", f.m[16:17])
	}
	f.is("fd_prestat_dir_name short", f.a.FdPrestatDirName(f.m, 3, 16, 0), ENAMETOOLONG)
	f.is("fd_prestat_get(4)", f.a.FdPrestatGet(f.m, 4, 8), EBADF)
	f.is("fd_prestat_get(1)", f.a.FdPrestatGet(f.m, 1, 8), EBADF)
	f.is("fd_fdstat_get(3)", f.a.FdFdstatGet(f.m, 3, 32), ESUCCESS)
	if f.m[32] != FiletypeDirectory || Rights(f.u64(40)) != RightsDirBase || Rights(f.u64(48)) != RightsAll {
		t.Errorf("preopen fdstat type %d base %#x inh %#x", f.m[32], f.u64(40), f.u64(48))
	}
}

func TestReadWriteSeek(t *testing.T) {
	f := newFx(t)
	fd, e := f.open("tmp/f", OflagCreat|OflagExcl, rwFile, 0)
	f.is("path_open(tmp/f, creat|excl)", e, ESUCCESS)
	if fd != 4 {
		t.Errorf("first fd %d, want 4", fd)
	}
	vec, n := f.iov([]byte("hello "), []byte("world"))
	f.is("fd_write", f.a.FdWrite(f.m, fd, vec, n, res), ESUCCESS)
	if f.u32(res) != 11 {
		t.Errorf("wrote %d", f.u32(res))
	}
	f.is("fd_tell", f.a.FdTell(f.m, fd, 8), ESUCCESS)
	if f.u64(8) != 11 {
		t.Errorf("tell %d", f.u64(8))
	}
	f.is("fd_seek(-5, END)", f.a.FdSeek(f.m, fd, -5, WhenceEnd, 8), ESUCCESS)
	if f.u64(8) != 6 {
		t.Errorf("seek to %d", f.u64(8))
	}
	s, e := f.read(fd, 100)
	if e != ESUCCESS || s != "world" {
		t.Errorf("read %q %s", s, e.Name())
	}
	f.is("fd_seek(-1, SET)", f.a.FdSeek(f.m, fd, -1, WhenceSet, 8), EINVAL)
	f.is("fd_seek(0, 3)", f.a.FdSeek(f.m, fd, 0, 3, 8), EINVAL)
	// pread into two iovecs, at an offset, position unchanged.
	vec, n = f.iov(make([]byte, 2), make([]byte, 3))
	f.is("fd_pread", f.a.FdPread(f.m, fd, vec, n, 1, res), ESUCCESS)
	p0, p1 := f.u32(vec), f.u32(vec+8)
	if got := string(f.m[p0:p0+2]) + "|" + string(f.m[p1:p1+3]); got != "el|lo " || f.u32(res) != 5 {
		t.Errorf("pread %q n=%d", got, f.u32(res))
	}
	vec, n = f.iov([]byte("J"))
	f.is("fd_pwrite", f.a.FdPwrite(f.m, fd, vec, n, 6, res), ESUCCESS)
	f.is("fd_pread at EOF", f.a.FdPread(f.m, fd, vec, n, 100, res), ESUCCESS)
	if f.u32(res) != 0 {
		t.Errorf("pread at EOF gave %d", f.u32(res))
	}
	var st vfs.Stat
	data := make([]byte, 32)
	hfd, _ := f.host.Open("/tmp/f", vfs.O_RDONLY, 0)
	k, _ := f.host.Read(hfd, data)
	f.host.Close(hfd)
	if string(data[:k]) != "hello Jorld" {
		t.Errorf("file holds %q", data[:k])
	}
	// Rights: a read-only descriptor cannot write, nor seek without the right.
	ro, e := f.open("tmp/f", 0, RightFdRead, 0)
	f.is("path_open(read only)", e, ESUCCESS)
	_, e = f.write(ro, "x")
	f.is("fd_write(read-only rights)", e, ENOTCAPABLE)
	f.is("fd_seek without FD_SEEK", f.a.FdSeek(f.m, ro, 1, WhenceSet, 8), ENOTCAPABLE)
	f.is("fd_tell without FD_TELL", f.a.FdTell(f.m, ro, 8), ENOTCAPABLE)
	f.is("fd_pread without FD_SEEK", f.a.FdPread(f.m, ro, vec, n, 0, res), ENOTCAPABLE)
	// A descriptor with the right but opened read-only gets Linux's EBADF.
	rw, _ := f.open("tmp/f", 0, RightFdRead|RightFdWrite, 0)
	f.a.FdFdstatSetRights(rw, RightFdRead|RightFdWrite, 0)
	f.is("fd_close", f.a.FdClose(rw), ESUCCESS)
	f.is("fd_close again", f.a.FdClose(rw), EBADF)
	w2, _ := f.open("tmp/f", 0, RightFdRead|RightFdReaddir, 0)
	f.a.fds[w2].base |= RightFdWrite // forge the right: the VFS still says no
	_, e = f.write(w2, "x")
	f.is("fd_write on O_RDONLY", e, EBADF)
	// A directory read is EISDIR, as Linux says.
	d, e := f.open("tmp", OflagDirectory, RightFdRead|RightFdReaddir, 0)
	f.is("path_open(tmp, directory)", e, ESUCCESS)
	_, e = f.read(d, 8)
	f.is("fd_read(dir)", e, EISDIR)
	_ = st
}

func TestFdstatFlagsRights(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/log", OflagCreat, rwFile, FdflagAppend)
	f.write(fd, "a")
	f.a.FdSeek(f.m, fd, 0, WhenceSet, 8)
	f.write(fd, "b")
	f.is("fd_fdstat_get", f.a.FdFdstatGet(f.m, fd, 64), ESUCCESS)
	if f.m[64] != FiletypeRegularFile || uint16(f.u32(64)>>16) != FdflagAppend || Rights(f.u64(72)) != rwFile || f.u64(80) != 0 {
		t.Errorf("fdstat % x", f.m[64:88])
	}
	f.is("fd_fdstat_set_flags(NONBLOCK)", f.a.FdFdstatSetFlags(fd, FdflagNonblock), ESUCCESS)
	f.a.FdSeek(f.m, fd, 0, WhenceSet, 8)
	f.write(fd, "c") // no longer appends: overwrites "a"
	f.a.FdFdstatGet(f.m, fd, 64)
	if fl := uint16(f.u32(64) >> 16); fl != FdflagNonblock {
		t.Errorf("flags %#x after set_flags", fl)
	}
	f.a.FdSeek(f.m, fd, 0, WhenceSet, 8)
	if s, _ := f.read(fd, 9); s != "cb" {
		t.Errorf("file %q", s)
	}
	f.is("fd_fdstat_set_flags(1<<5)", f.a.FdFdstatSetFlags(fd, 1<<5), EINVAL)
	// Rights only shrink.
	f.is("fd_fdstat_set_rights(shrink)", f.a.FdFdstatSetRights(fd, RightFdRead|RightFdFdstatSetFlags, 0), ESUCCESS)
	f.is("fd_fdstat_set_rights(grow)", f.a.FdFdstatSetRights(fd, RightFdRead|RightFdWrite, 0), ENOTCAPABLE)
	f.is("fd_fdstat_set_rights(inheriting)", f.a.FdFdstatSetRights(fd, RightFdRead, RightFdRead), ENOTCAPABLE)
	_, e := f.write(fd, "x")
	f.is("fd_write after dropping FD_WRITE", e, ENOTCAPABLE)
	f.is("fd_fdstat_get(99)", f.a.FdFdstatGet(f.m, 99, 64), EBADF)
	f.is("fd_fdstat_get(-1)", f.a.FdFdstatGet(f.m, -1, 64), EBADF)
}

func TestFilestat(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/s", OflagCreat, rwFile, 0)
	f.write(fd, "12345")
	f.is("fd_filestat_get", f.a.FdFilestatGet(f.m, fd, 64), ESUCCESS)
	var st vfs.Stat
	f.host.Stat("/tmp/s", &st)
	if f.u64(64) != st.Dev || f.u64(72) != st.Ino || st.Ino == 0 || f.m[80] != FiletypeRegularFile ||
		f.u64(88) != 1 || f.u64(96) != 5 || f.u64(112) != uint64(st.Mtime) {
		t.Errorf("filestat % x (stat %+v)", f.m[64:128], st)
	}
	f.is("fd_filestat_set_size(2)", f.a.FdFilestatSetSize(fd, 2), ESUCCESS)
	f.is("fd_allocate(0, 10)", f.a.FdAllocate(fd, 0, 10), ESUCCESS)
	f.is("fd_allocate(4, 0)", f.a.FdAllocate(fd, 4, 0), EINVAL)
	f.is("fd_allocate(0, 3) within", f.a.FdAllocate(fd, 0, 3), ESUCCESS)
	f.host.Stat("/tmp/s", &st)
	if st.Size != 10 {
		t.Errorf("size %d after allocate", st.Size)
	}
	f.a.FdSeek(f.m, fd, 0, WhenceSet, 8)
	if s, _ := f.read(fd, 20); s != "12\x00\x00\x00\x00\x00\x00\x00\x00" {
		t.Errorf("contents %q", s)
	}
	f.is("fd_filestat_set_times(atim, mtim)", f.a.FdFilestatSetTimes(fd, 1e9+1, 2e9+2, FstflagAtim|FstflagMtim), ESUCCESS)
	f.host.Stat("/tmp/s", &st)
	if st.Atime != 1e9+1 || st.Mtime != 2e9+2 {
		t.Errorf("times %d %d", st.Atime, st.Mtime)
	}
	f.is("fd_filestat_set_times(atim|atim_now)", f.a.FdFilestatSetTimes(fd, 0, 0, FstflagAtim|FstflagAtimNow), EINVAL)
	f.is("fd_filestat_set_times(mtim only)", f.a.FdFilestatSetTimes(fd, 0, 7e9, FstflagMtim), ESUCCESS)
	f.host.Stat("/tmp/s", &st)
	if st.Atime != 1e9+1 || st.Mtime != 7e9 {
		t.Errorf("times %d %d after mtim only", st.Atime, st.Mtime)
	}
	p, n := f.str("tmp/s")
	f.is("path_filestat_set_times", f.a.PathFilestatSetTimes(f.m, preFd, 0, p, n, 3e9, 0, FstflagAtim), ESUCCESS)
	f.host.Stat("/tmp/s", &st)
	if st.Atime != 3e9 {
		t.Errorf("atime %d after path_filestat_set_times", st.Atime)
	}
	// A read-only descriptor: ftruncate is EINVAL, fallocate EBADF (Linux).
	ro, _ := f.open("tmp/s", 0, RightFdRead|RightFdFilestatSetSize|RightFdAllocate, 0)
	f.is("fd_filestat_set_size(read-only)", f.a.FdFilestatSetSize(ro, 0), EINVAL)
	f.is("fd_allocate(read-only)", f.a.FdAllocate(ro, 0, 100), EBADF)
	f.is("fd_advise", f.a.FdAdvise(fd, 0, 10, AdviceSequential), ESUCCESS)
	f.is("fd_advise(9)", f.a.FdAdvise(fd, 0, 10, 9), EINVAL)
	f.is("fd_sync", f.a.FdSync(fd), ESUCCESS)
	f.is("fd_datasync", f.a.FdDatasync(fd), ESUCCESS)
	f.is("fd_filestat_get bad pointer", f.a.FdFilestatGet(f.m, fd, 1<<16-8), EFAULT)
}

func TestPathOpen(t *testing.T) {
	f := newFx(t)
	f.host.Mkdir("/tmp/dir", 0o755)
	f.host.Symlink("dir", "/tmp/ldir")
	f.host.Symlink("nowhere", "/tmp/dangling")
	fd, _ := f.host.Creat("/tmp/file", 0o644)
	f.host.Write(fd, []byte("data"))
	f.host.Close(fd)
	f.host.Creat("/tmp/secret", 0)
	ro := f.host.Fork("ro")
	_ = ro

	for _, c := range []struct {
		name    string
		path    string
		lookup  uint32
		oflags  uint16
		base    Rights
		fdflags uint16
		want    Errno
	}{
		{"existing file", "tmp/file", LookupSymlinkFollow, 0, RightFdRead, 0, ESUCCESS},
		{"missing", "tmp/none", LookupSymlinkFollow, 0, RightFdRead, 0, ENOENT},
		{"creat", "tmp/new", LookupSymlinkFollow, OflagCreat, rwFile, 0, ESUCCESS},
		{"creat existing", "tmp/file", LookupSymlinkFollow, OflagCreat, rwFile, 0, ESUCCESS},
		{"creat|excl existing", "tmp/file", LookupSymlinkFollow, OflagCreat | OflagExcl, rwFile, 0, EEXIST},
		{"creat|excl through dangling symlink", "tmp/dangling", LookupSymlinkFollow, OflagCreat | OflagExcl, rwFile, 0, EEXIST},
		{"creat|directory", "tmp/nd", LookupSymlinkFollow, OflagCreat | OflagDirectory, rwFile, 0, EINVAL},
		{"directory on a file", "tmp/file", LookupSymlinkFollow, OflagDirectory, RightFdReaddir, 0, ENOTDIR},
		{"directory", "tmp/dir", LookupSymlinkFollow, OflagDirectory, dirRead, 0, ESUCCESS},
		{"directory through symlink", "tmp/ldir", LookupSymlinkFollow, OflagDirectory, dirRead, 0, ESUCCESS},
		{"symlink without follow", "tmp/ldir", 0, OflagDirectory, dirRead, 0, ENOTDIR},
		{"file symlink without follow", "tmp/dangling", 0, 0, RightFdRead, 0, ELOOP},
		{"directory for writing", "tmp/dir", LookupSymlinkFollow, 0, RightFdWrite, 0, EISDIR},
		{"trailing slash on a file", "tmp/file/", LookupSymlinkFollow, 0, RightFdRead, 0, ENOTDIR},
		{"dotdot beyond the root stays at the root", "../../tmp/file", LookupSymlinkFollow, 0, RightFdRead, 0, ESUCCESS},
		{"absolute path is under the root", "/tmp/file", LookupSymlinkFollow, 0, RightFdRead, 0, ESUCCESS},
		{"name too long", "tmp/" + strings.Repeat("n", 256), LookupSymlinkFollow, OflagCreat, rwFile, 0, ENAMETOOLONG},
		{"bad oflags", "tmp/file", LookupSymlinkFollow, 1 << 4, RightFdRead, 0, EINVAL},
		{"bad fdflags", "tmp/file", LookupSymlinkFollow, 0, RightFdRead, 1 << 5, EINVAL},
		{"no rights: O_PATH", "tmp/secret", LookupSymlinkFollow, 0, RightFdFilestatGet, 0, ESUCCESS},
		{"proc file read-only", "proc/mounts", LookupSymlinkFollow, 0, RightFdRead | RightFdFilestatSetSize, 0, ESUCCESS},
		{"read-only sysctl for writing", "proc/sys/fs/dentry-state", LookupSymlinkFollow, 0, RightFdWrite, 0, EACCES},
		{"trunc", "tmp/new", LookupSymlinkFollow, OflagTrunc, RightFdWrite, FdflagSync, ESUCCESS},
	} {
		p, n := f.str(c.path)
		got := f.a.PathOpen(f.m, preFd, c.lookup, p, n, c.oflags, c.base, 0, c.fdflags, res)
		if got != c.want {
			t.Errorf("%s: path_open(%q) = %s, want %s", c.name, c.path, got.Name(), c.want.Name())
		}
	}
	// O_PATH: fstat works, read does not.
	fdP, e := f.open("tmp/secret", 0, RightFdFilestatGet|RightFdRead, 0)
	f.is("path_open(secret, read)", e, ESUCCESS) // root task: no EACCES
	fdP, _ = f.open("tmp/secret", 0, RightFdFilestatGet, 0)
	f.is("fd_filestat_get(O_PATH)", f.a.FdFilestatGet(f.m, fdP, 64), ESUCCESS)
	f.a.fds[fdP].base |= RightFdRead
	_, e = f.read(fdP, 4)
	f.is("fd_read(O_PATH)", e, EBADF)
	// Trunc emptied the file.
	var st vfs.Stat
	f.host.Stat("/tmp/new", &st)
	if st.Size != 0 {
		t.Errorf("size after trunc %d", st.Size)
	}
}

// TestPathOpenRights: the checks wasi-libc relies on.
func TestPathOpenRights(t *testing.T) {
	f := newFx(t)
	f.host.Creat("/tmp/file", 0o644)
	dir, e := f.open("tmp", OflagDirectory, dirRead|RightPathCreateFile, 0)
	f.is("path_open(tmp)", e, ESUCCESS)
	f.a.fds[dir].inh = RightFdRead | RightFdWrite
	at := func(fd int32, path string, oflags uint16, base, inh Rights) Errno {
		p, n := f.str(path)
		return f.a.PathOpen(f.m, fd, LookupSymlinkFollow, p, n, oflags, base, inh, 0, res)
	}
	f.is("base within inheriting", at(dir, "file", 0, RightFdRead, 0), ESUCCESS)
	if got := Rights(f.a.fds[f.u32(res)].base); got != RightFdRead {
		t.Errorf("new fd rights %#x", got)
	}
	f.is("base beyond inheriting", at(dir, "file", 0, RightFdRead|RightFdSeek, 0), ENOTCAPABLE)
	f.is("inheriting beyond inheriting", at(dir, "file", 0, RightFdRead, RightFdSeek), ENOTCAPABLE)
	f.is("creat with PATH_CREATE_FILE", at(dir, "new", OflagCreat, RightFdWrite, 0), ESUCCESS)
	f.is("trunc without PATH_FILESTAT_SET_SIZE", at(dir, "file", OflagTrunc, RightFdWrite, 0), ENOTCAPABLE)
	f.a.fds[dir].inh |= RightFdFilestatSetSize
	f.is("trunc with FD_FILESTAT_SET_SIZE inherited", at(dir, "file", OflagTrunc, RightFdWrite, 0), ESUCCESS)
	f.a.fds[dir].inh &^= RightFdFilestatSetSize
	p0, n0 := f.str("file")
	f.is("dsync without FD_DATASYNC inherited", f.a.PathOpen(f.m, dir, 0, p0, n0, 0, RightFdRead, 0, FdflagDsync, res), ENOTCAPABLE)
	f.is("sync without FD_SYNC inherited", f.a.PathOpen(f.m, dir, 0, p0, n0, 0, RightFdRead, 0, FdflagSync, res), ENOTCAPABLE)
	pz, nz := f.str("fi\x00le")
	f.is("NUL in the path", f.a.PathOpen(f.m, dir, 0, pz, nz, 0, RightFdRead, 0, 0, res), EINVAL)
	f.a.FdFdstatSetRights(dir, dirRead, f.a.fds[dir].inh)
	f.is("creat without PATH_CREATE_FILE", at(dir, "new2", OflagCreat, RightFdWrite, 0), ENOTCAPABLE)
	f.a.FdFdstatSetRights(dir, RightFdReaddir, f.a.fds[dir].inh)
	f.is("no PATH_OPEN", at(dir, "file", 0, RightFdRead, 0), ENOTCAPABLE)
	f.is("path_open on stdout", at(1, "file", 0, RightFdRead, 0), ENOTCAPABLE)
	f.is("path_open on a bad fd", at(77, "file", 0, RightFdRead, 0), EBADF)
	file, _ := f.open("tmp/file", 0, RightsAll, 0)
	f.a.fds[file].inh = RightsAll
	f.is("path_open on a file", at(file, "x", 0, RightFdRead, 0), ENOTDIR)
	p, n := f.str("tmp/x")
	f.is("path_open bad path pointer", f.a.PathOpen(f.m, preFd, 0, 1<<16-2, n, 0, 0, 0, 0, res), EFAULT)
	f.is("path_open bad result pointer", f.a.PathOpen(f.m, preFd, 0, p, n, OflagCreat, RightFdWrite, 0, 0, 1<<16), EFAULT)
}

func TestPathOps(t *testing.T) {
	f := newFx(t)
	f.host.Mkdir("/mnt", 0o755)
	f.host.Mount("tmpfs", "/mnt", "tmpfs", 0, "")
	f.host.Mkdir("/ro", 0o755)
	f.host.Mount("tmpfs", "/ro", "tmpfs", vfs.MS_RDONLY, "")
	call := func(name string, got, want Errno) { t.Helper(); f.is(name, got, want) }
	s := f.str
	p := func(path string) (uint32, uint32) { return s(path) }

	a, an := p("tmp/a")
	call("path_create_directory(tmp/a)", f.a.PathCreateDirectory(f.m, preFd, a, an), ESUCCESS)
	call("path_create_directory(tmp/a) again", f.a.PathCreateDirectory(f.m, preFd, a, an), EEXIST)
	ro, ron := p("ro/x")
	call("path_create_directory(ro/x)", f.a.PathCreateDirectory(f.m, preFd, ro, ron), EROFS)
	var st vfs.Stat
	f.host.Stat("/tmp/a", &st)
	if st.Mode != vfs.S_IFDIR|0o755 {
		t.Errorf("mkdir mode %o (umask 022 applies)", st.Mode)
	}
	fd, _ := f.open("tmp/a/f", OflagCreat, rwFile, 0)
	f.write(fd, "abc")
	f.a.FdClose(fd)

	// path_filestat_get, following or not.
	tgt, tn := p("a/f")
	l, ln := p("tmp/l")
	call("path_symlink(a/f, tmp/l)", f.a.PathSymlink(f.m, tgt, tn, preFd, l, ln), ESUCCESS)
	call("path_symlink again", f.a.PathSymlink(f.m, tgt, tn, preFd, l, ln), EEXIST)
	call("path_filestat_get(tmp/l, follow)", f.a.PathFilestatGet(f.m, preFd, LookupSymlinkFollow, l, ln, 64), ESUCCESS)
	if f.m[80] != FiletypeRegularFile || f.u64(96) != 3 {
		t.Errorf("followed stat type %d size %d", f.m[80], f.u64(96))
	}
	call("path_filestat_get(tmp/l)", f.a.PathFilestatGet(f.m, preFd, 0, l, ln, 64), ESUCCESS)
	if f.m[80] != FiletypeSymbolicLink || f.u64(96) != 3 {
		t.Errorf("link stat type %d size %d", f.m[80], f.u64(96))
	}
	// path_readlink, truncating to the buffer.
	call("path_readlink", f.a.PathReadlink(f.m, preFd, l, ln, 200, 64, 8), ESUCCESS)
	if string(f.m[200:200+f.u32(8)]) != "a/f" {
		t.Errorf("readlink %q", f.m[200:200+f.u32(8)])
	}
	call("path_readlink(short buffer)", f.a.PathReadlink(f.m, preFd, l, ln, 300, 2, 8), ESUCCESS)
	if string(f.m[300:300+f.u32(8)]) != "a/" {
		t.Errorf("short readlink %q", f.m[300:300+f.u32(8)])
	}
	call("path_readlink(not a link)", f.a.PathReadlink(f.m, preFd, a, an, 300, 20, 8), EINVAL)

	// path_link: EXDEV across mounts, EPERM on a directory.
	af, afn := p("tmp/a/f")
	h, hn := p("tmp/h")
	call("path_link(tmp/a/f, tmp/h)", f.a.PathLink(f.m, preFd, 0, af, afn, preFd, h, hn), ESUCCESS)
	f.host.Stat("/tmp/h", &st)
	if st.Nlink != 2 {
		t.Errorf("nlink %d after link", st.Nlink)
	}
	mx, mxn := p("mnt/x")
	call("path_link across mounts", f.a.PathLink(f.m, preFd, 0, af, afn, preFd, mx, mxn), EXDEV)
	call("path_link(directory) across mounts: EXDEV first", f.a.PathLink(f.m, preFd, 0, a, an, preFd, mx, mxn), EXDEV)
	ad, adn := p("tmp/adir")
	call("path_link(directory)", f.a.PathLink(f.m, preFd, 0, a, an, preFd, ad, adn), EPERM)
	hl, hln := p("tmp/hl")
	call("path_link(symlink, follow)", f.a.PathLink(f.m, preFd, LookupSymlinkFollow, l, ln, preFd, hl, hln), ESUCCESS)
	f.host.Lstat("/tmp/hl", &st)
	if !vfs.IsReg(st.Mode) {
		t.Errorf("linked through symlink: mode %o", st.Mode)
	}

	// path_rename: EXDEV, ENOTEMPTY, EISDIR, ENOTDIR.
	b, bn := p("tmp/b")
	call("path_rename(tmp/a, mnt/x)", f.a.PathRename(f.m, preFd, a, an, preFd, mx, mxn), EXDEV)
	call("path_rename(tmp/a, tmp/b)", f.a.PathRename(f.m, preFd, a, an, preFd, b, bn), ESUCCESS)
	f.host.Mkdir("/tmp/c", 0o755)
	f.host.Mkdir("/tmp/c/sub", 0o755)
	c, cn := p("tmp/c")
	call("path_rename onto a non-empty directory", f.a.PathRename(f.m, preFd, b, bn, preFd, c, cn), ENOTEMPTY)
	call("path_rename a file onto a directory", f.a.PathRename(f.m, preFd, h, hn, preFd, c, cn), EISDIR)
	call("path_rename a directory onto a file", f.a.PathRename(f.m, preFd, b, bn, preFd, h, hn), ENOTDIR)
	sp1, sn1 := s("tmp/c/sub/c")
	call("path_rename into itself", f.a.PathRename(f.m, preFd, c, cn, preFd, sp1, sn1), EINVAL)

	// path_unlink_file and path_remove_directory.
	call("path_unlink_file(directory)", f.a.PathUnlinkFile(f.m, preFd, b, bn), EISDIR)
	call("path_remove_directory(non-empty)", f.a.PathRemoveDirectory(f.m, preFd, c, cn), ENOTEMPTY)
	call("path_remove_directory(file)", f.a.PathRemoveDirectory(f.m, preFd, h, hn), ENOTDIR)
	sp2, sn2 := s("mnt")
	call("path_remove_directory(mountpoint)", f.a.PathRemoveDirectory(f.m, preFd, sp2, sn2), EBUSY)
	call("path_unlink_file(tmp/h)", f.a.PathUnlinkFile(f.m, preFd, h, hn), ESUCCESS)
	call("path_unlink_file(tmp/h) again", f.a.PathUnlinkFile(f.m, preFd, h, hn), ENOENT)
	sp3, sn3 := s("tmp/c/sub")
	call("path_remove_directory(tmp/c/sub)", f.a.PathRemoveDirectory(f.m, preFd, sp3, sn3), ESUCCESS)
	call("path_remove_directory(tmp/c)", f.a.PathRemoveDirectory(f.m, preFd, c, cn), ESUCCESS)

	// Rights are checked on each directory.
	dir, _ := f.open("tmp", OflagDirectory, RightPathFilestatGet, 0)
	sp4, sn4 := s("b/f")
	call("path_unlink_file without the right", f.a.PathUnlinkFile(f.m, dir, sp4, sn4), ENOTCAPABLE)
	sp5, sn5 := s("z")
	call("path_create_directory without the right", f.a.PathCreateDirectory(f.m, dir, sp5, sn5), ENOTCAPABLE)
	sp6, sn6 := s("tmp/b")
	sp7, sn7 := s("q")
	call("path_rename without RENAME_TARGET", f.a.PathRename(f.m, preFd, sp6, sn6, dir, sp7, sn7), ENOTCAPABLE)
	sp8, sn8 := s("q")
	call("path_link without LINK_TARGET", f.a.PathLink(f.m, preFd, 0, af, afn, dir, sp8, sn8), ENOTCAPABLE)
	sp9, sn9 := s("q")
	call("path_symlink without the right", f.a.PathSymlink(f.m, tgt, tn, dir, sp9, sn9), ENOTCAPABLE)
	sp10, sn10 := s("l")
	call("path_readlink without the right", f.a.PathReadlink(f.m, dir, sp10, sn10, 300, 20, 8), ENOTCAPABLE)
	sp11, sn11 := s("b")
	call("path_filestat_get relative to tmp", f.a.PathFilestatGet(f.m, dir, 0, sp11, sn11, 64), ESUCCESS)
	call("path_filestat_get bad pointer", f.a.PathFilestatGet(f.m, dir, 0, 1<<16-1, 4, 64), EFAULT)
}

// TestFdReaddir: cookies are the VFS's directory offsets, so a listing
// resumed from a cookie neither repeats nor misses an entry that stayed,
// while entries are added and removed around it.
func TestFdReaddir(t *testing.T) {
	f := newFx(t)
	f.host.Mkdir("/tmp/d", 0o755)
	for _, n := range []string{"a", "b", "c", "d"} {
		f.host.Creat("/tmp/d/"+n, 0o644)
	}
	dir, _ := f.open("tmp/d", OflagDirectory, dirRead, 0)
	type ent struct {
		next uint64
		ino  uint64
		typ  uint8
		name string
	}
	list := func(buf, n uint32, cookie uint64) ([]ent, uint32, Errno) {
		e := f.a.FdReaddir(f.m, dir, buf, n, cookie, 8)
		used := f.u32(8)
		var out []ent
		for off := buf; off+sizeDirent <= buf+used; {
			nl := f.u32(off + 16)
			if off+sizeDirent+nl > buf+used {
				break // truncated entry
			}
			out = append(out, ent{f.u64(off), f.u64(off + 8), f.m[off+20], string(f.m[off+24 : off+24+nl])})
			off += sizeDirent + nl
		}
		return out, used, e
	}
	all, used, e := list(4096, 4096, 0)
	f.is("fd_readdir", e, ESUCCESS)
	var names []string
	for _, d := range all {
		names = append(names, d.name)
		if d.ino == 0 {
			t.Errorf("%s: d_ino 0", d.name)
		}
	}
	if strings.Join(names, " ") != ". .. d c b a" || used >= 4096 { // tmpfs: newest first
		t.Fatalf("listing %v used %d", names, used)
	}
	if all[0].typ != FiletypeDirectory || all[2].typ != FiletypeRegularFile {
		t.Errorf("types %d %d", all[0].typ, all[2].typ)
	}
	// A buffer that holds two entries and part of the third: truncated,
	// bufused == buf_len.
	two, used, _ := list(8192, 2*sizeDirent+1+2+10, 0)
	if len(two) != 2 || used != 2*sizeDirent+3+10 {
		t.Errorf("small buffer: %d entries, used %d", len(two), used)
	}
	// Resume after "d" (tmpfs lists newest first) while "b" is removed
	// and "z" is added: the listing goes on with the entries that stayed,
	// never repeating "d"; "z", newer than the listing, is not in it.
	cookieAfterA := all[2].next
	f.host.Unlink("/tmp/d/b")
	f.host.Creat("/tmp/d/z", 0o644)
	rest, _, _ := list(4096, 4096, cookieAfterA)
	names = nil
	for _, d := range rest {
		names = append(names, d.name)
	}
	if strings.Join(names, " ") != "c a" {
		t.Errorf("resumed listing %v", names)
	}
	// The end of the directory: nothing, bufused 0.
	end, used, e := list(4096, 4096, rest[len(rest)-1].next)
	if e != ESUCCESS || len(end) != 0 || used != 0 {
		t.Errorf("at the end: %v used %d %s", end, used, e.Name())
	}
	// A buffer smaller than one header still gets the truncated start.
	_, used, e = list(4096, 10, 0)
	if e != ESUCCESS || used != 10 {
		t.Errorf("tiny buffer used %d %s", used, e.Name())
	}
	file, _ := f.open("tmp/d/a", 0, RightFdRead|RightFdReaddir, 0)
	_, _, e = list(4096, 4096, 0)
	f.is("fd_readdir(dir)", e, ESUCCESS)
	f.is("fd_readdir(file)", f.a.FdReaddir(f.m, file, 4096, 100, 0, 8), ENOTDIR)
	f.is("fd_readdir(stdout)", f.a.FdReaddir(f.m, 1, 4096, 100, 0, 8), ENOTCAPABLE)
	f.is("fd_readdir bad buffer", f.a.FdReaddir(f.m, dir, 1<<16-10, 100, 0, 8), EFAULT)
	// A removed directory lists as ENOENT (Linux: getdents on a dead directory).
	f.host.Unlink("/tmp/d/a")
	f.host.Unlink("/tmp/d/c")
	f.host.Unlink("/tmp/d/d")
	f.host.Unlink("/tmp/d/z")
	f.host.Rmdir("/tmp/d")
	f.is("fd_readdir(removed)", f.a.FdReaddir(f.m, dir, 4096, 100, 0, 8), ENOENT)
}

func TestRenumber(t *testing.T) {
	f := newFx(t)
	a, _ := f.open("tmp/a", OflagCreat, rwFile, 0)
	b, _ := f.open("tmp/b", OflagCreat, rwFile, 0)
	f.is("fd_renumber(a, b)", f.a.FdRenumber(a, b), ESUCCESS)
	f.write(b, "to a")
	f.is("fd_close(a)", f.a.FdClose(a), EBADF)
	var st vfs.Stat
	f.host.Stat("/tmp/a", &st)
	if st.Size != 4 {
		t.Errorf("write through renumbered fd: size %d", st.Size)
	}
	f.is("fd_renumber(b, 40)", f.a.FdRenumber(b, 40), EBADF)
	f.is("fd_renumber(40, b)", f.a.FdRenumber(40, b), EBADF)
	f.is("fd_renumber(b, b)", f.a.FdRenumber(b, b), ESUCCESS)
	// The old descriptor of b was closed in the task.
	if fds := f.a.task.FDs(); len(fds) != 2 {
		t.Errorf("task descriptors %v, want the preopen and one file", fds)
	}
}

func TestPollOneoff(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/p", OflagCreat, rwFile, 0)
	f.write(fd, "12345")
	f.a.FdSeek(f.m, fd, 1, WhenceSet, 8)
	sub := func(i uint32, userdata uint64, tag uint8, a uint32, timeout uint64, flags uint16) {
		o := 2048 + i*sizeSubscription
		f.m.WriteUint64Le(o, userdata)
		f.m[o+8] = tag
		f.m.WriteUint32Le(o+16, a)
		f.m.WriteUint64Le(o+24, timeout)
		f.m[o+40] = byte(flags)
	}
	type ev struct {
		userdata uint64
		errno    Errno
		typ      uint8
		nbytes   uint64
	}
	events := func() []ev {
		var out []ev
		for i := uint32(0); i < f.u32(8); i++ {
			o := 4096 + i*sizeEvent
			out = append(out, ev{f.u64(o), Errno(f.m[o+8]) | Errno(f.m[o+9])<<8, f.m[o+10], f.u64(o + 16)})
		}
		return out
	}
	// A file is ready at once, with what remains to read; a bad fd is
	// an event with EBADF; the clock does not fire.
	sub(0, 1, EventtypeFdRead, uint32(fd), 0, 0)
	sub(1, 2, EventtypeFdWrite, uint32(fd), 0, 0)
	sub(2, 3, EventtypeFdRead, 99, 0, 0)
	sub(3, 4, EventtypeClock, ClockMonotonic, uint64(time.Hour), 0)
	f.is("poll_oneoff(files)", f.a.PollOneoff(context.Background(), f.m, 2048, 4096, 4, 8), ESUCCESS)
	got := events()
	want := []ev{{1, ESUCCESS, EventtypeFdRead, 4}, {2, ESUCCESS, EventtypeFdWrite, 0}, {3, EBADF, EventtypeFdRead, 0}}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// A relative clock of 1 ms sleeps and fires; an absolute one in the
	// past fires at once.
	f.a.nano = func() int64 { return time.Now().UnixNano() }
	sub(0, 7, EventtypeClock, ClockMonotonic, uint64(time.Millisecond), 0)
	start := time.Now()
	f.is("poll_oneoff(clock)", f.a.PollOneoff(context.Background(), f.m, 2048, 4096, 1, 8), ESUCCESS)
	if d := time.Since(start); d < time.Millisecond {
		t.Errorf("slept %v", d)
	}
	if got := events(); len(got) != 1 || got[0] != (ev{7, ESUCCESS, EventtypeClock, 0}) {
		t.Errorf("clock events %+v", got)
	}
	sub(0, 8, EventtypeClock, ClockRealtime, 5, SubscriptionClockAbstime)
	f.is("poll_oneoff(abstime past)", f.a.PollOneoff(context.Background(), f.m, 2048, 4096, 1, 8), ESUCCESS)
	if got := events(); len(got) != 1 || got[0].userdata != 8 {
		t.Errorf("abstime events %+v", got)
	}
	// Cancelled while sleeping.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sub(0, 9, EventtypeClock, ClockMonotonic, uint64(time.Hour), 0)
	f.is("poll_oneoff(cancelled)", f.a.PollOneoff(ctx, f.m, 2048, 4096, 1, 8), EINTR)
	f.is("poll_oneoff(0 subscriptions)", f.a.PollOneoff(context.Background(), f.m, 2048, 4096, 0, 8), EINVAL)
	f.is("poll_oneoff bad pointer", f.a.PollOneoff(context.Background(), f.m, 1<<16-8, 4096, 1, 8), EFAULT)
	// A host's Sleep replaces the timer; its error is EINTR.
	var slept []time.Duration
	var sleepErr error
	f.a.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		f.a.nano = func() int64 { return time.Now().UnixNano() + int64(time.Hour) }
		return sleepErr
	}
	f.a.nano = func() int64 { return 1000 }
	sub(0, 10, EventtypeClock, ClockMonotonic, uint64(time.Second), 0)
	f.is("poll_oneoff(clock, host Sleep)", f.a.PollOneoff(context.Background(), f.m, 2048, 4096, 1, 8), ESUCCESS)
	if len(slept) != 1 || slept[0] != time.Second {
		t.Errorf("Sleep called with %v, want [1s]", slept)
	}
	if got := events(); len(got) != 1 || got[0] != (ev{10, ESUCCESS, EventtypeClock, 0}) {
		t.Errorf("clock events after Sleep %+v", got)
	}
	f.a.nano = func() int64 { return 1000 }
	sleepErr = context.Canceled
	f.is("poll_oneoff(host Sleep interrupted)", f.a.PollOneoff(context.Background(), f.m, 2048, 4096, 1, 8), EINTR)
}

func TestSock(t *testing.T) {
	f := newFx(t)
	for _, fn := range Funcs {
		if !strings.HasPrefix(fn.Name, "sock_") {
			continue
		}
		p := make([]uint64, len(fn.Params))
		p[0] = 1
		f.is(fn.Name+"(1)", fn.Call(context.Background(), f.a, f.m, p), ENOTSUP)
		p[0] = 50
		f.is(fn.Name+"(50)", fn.Call(context.Background(), f.a, f.m, p), EBADF)
	}
}

// TestFuncs: the table holds every preview1 function once, and a call
// through it reaches the method with its parameters in order.
func TestFuncs(t *testing.T) {
	want := strings.Fields(`args_get args_sizes_get clock_res_get clock_time_get environ_get
		environ_sizes_get fd_advise fd_allocate fd_close fd_datasync fd_fdstat_get fd_fdstat_set_flags
		fd_fdstat_set_rights fd_filestat_get fd_filestat_set_size fd_filestat_set_times fd_pread
		fd_prestat_dir_name fd_prestat_get fd_pwrite fd_read fd_readdir fd_renumber fd_seek fd_sync
		fd_tell fd_write path_create_directory path_filestat_get path_filestat_set_times path_link
		path_open path_readlink path_remove_directory path_rename path_symlink path_unlink_file
		poll_oneoff proc_exit proc_raise random_get sched_yield sock_accept sock_recv sock_send
		sock_shutdown`)
	if len(Funcs) != len(want) {
		t.Fatalf("%d functions, want %d", len(Funcs), len(want))
	}
	for i, fn := range Funcs {
		if fn.Name != want[i] {
			t.Errorf("Funcs[%d] = %s, want %s", i, fn.Name, want[i])
		}
	}
	f := newFx(t)
	byName := map[string]Func{}
	for _, fn := range Funcs {
		byName[fn.Name] = fn
	}
	p, n := f.str("tmp/viatable")
	rights := uint64(rwFile)
	e := byName["path_open"].Call(context.Background(), f.a, f.m,
		[]uint64{preFd, uint64(LookupSymlinkFollow), uint64(p), uint64(n), uint64(OflagCreat), rights, 0, 0, 16})
	f.is("path_open via Funcs", e, ESUCCESS)
	vec, cnt := f.iov([]byte("xyz"))
	e = byName["fd_pwrite"].Call(context.Background(), f.a, f.m, []uint64{uint64(f.u32(16)), uint64(vec), uint64(cnt), 2, 24})
	f.is("fd_pwrite via Funcs", e, ESUCCESS)
	e = byName["fd_seek"].Call(context.Background(), f.a, f.m, []uint64{uint64(f.u32(16)), uint64(0xffff_ffff_ffff_ffff), uint64(WhenceEnd), 32})
	f.is("fd_seek(-1, END) via Funcs", e, ESUCCESS)
	if f.u32(24) != 3 || f.u64(32) != 4 {
		t.Errorf("pwrite n=%d, seek to %d", f.u32(24), f.u64(32))
	}
}

// TestRoot: a guest chrooted to a directory cannot name anything above
// it, by "..", absolute paths or symlinks.
func TestRoot(t *testing.T) {
	_, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	task.Mkdir("/tmp/jail", 0o755)
	task.Creat("/tmp/outside", 0o644)
	task.Symlink("/tmp/outside", "/tmp/jail/abs")
	task.Symlink("../../../tmp/outside", "/tmp/jail/rel")
	a, err := New(Config{Task: task, Root: "/tmp/jail"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	m := make(Bytes, 4096)
	for _, path := range []string{"../outside", "/tmp/outside", "abs", "rel", "../../tmp/outside"} {
		copy(m[100:], path)
		if e := a.PathOpen(m, 3, LookupSymlinkFollow, 100, uint32(len(path)), 0, RightFdRead, 0, 0, 0); e != ENOENT {
			t.Errorf("path_open(%q) in the jail = %s, want ENOENT", path, e.Name())
		}
	}
	var st vfs.Stat
	if err := task.Stat("/tmp/outside", &st); err != nil {
		t.Errorf("the host task's root changed: %v", err)
	}
}

// TestFdstatFiletype: fd_fdstat_get gives each descriptor's type, asked
// of the VFS once per descriptor and kept; a descriptor number that is
// closed and opened again on a file of another type gets the new type.
func TestFdstatFiletype(t *testing.T) {
	f := newFx(t)
	if _, e := f.open("tmp/file", OflagCreat, rwFile, 0); e != ESUCCESS {
		t.Fatal(e)
	}
	steps := []struct {
		path   string
		oflags uint16
		rights Rights
		want   uint8
	}{
		{"tmp", OflagDirectory, RightFdReaddir, FiletypeDirectory},
		{"tmp/file", 0, RightFdRead, FiletypeRegularFile},
		{"tmp", OflagDirectory, RightFdReaddir, FiletypeDirectory},
	}
	for _, s := range steps {
		fd, e := f.open(s.path, s.oflags, s.rights, 0)
		if e != ESUCCESS {
			t.Fatalf("open %s: %v", s.path, e)
		}
		for range 2 {
			f.is("fd_fdstat_get", f.a.FdFdstatGet(f.m, fd, 64), ESUCCESS)
			if f.m[64] != s.want {
				t.Errorf("%s (fd %d): filetype %d, want %d", s.path, fd, f.m[64], s.want)
			}
		}
		f.is("fd_close", f.a.FdClose(fd), ESUCCESS)
	}
}
