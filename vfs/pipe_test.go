package vfs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// pipeSys is what the pipe rows call: vfscope's Task (pipeVFS) or, in
// pipe_oracle_linux_test.go, the host kernel. Names are relative to the
// row's directory; errors are vfs.Errno values.
type pipeSys interface {
	Mkfifo(name string, perm uint32) error
	Open(name string, flags int) (int, error)
	Read(fd, n int) ([]byte, error)
	Write(fd int, b []byte) (int, error)
	// Readv reads into buffers of the lengths given and returns what
	// they hold, joined; errSlept if it did not return within a second.
	Readv(fd int, lens ...int) ([]byte, error)
	Writev(fd int, bufs ...[]byte) (int, error)
	// Times is fstat's atime, mtime and ctime.
	Times(fd int) ([3]int64, error)
	Close(fd int) error
	Seek(fd int, off int64, whence int) (int64, error)
	Pread(fd, n int, off int64) (int, error)
	Pwrite(fd int, b []byte, off int64) (int, error)
	Fcntl(fd, cmd, arg int) (int, error)
	Fstat(fd int) (vfs.Stat, error)
	Stat(name string) (vfs.Stat, error)
	Readlink(name string) (string, error)
	Self() string // the path of the caller's /proc directory
}

// pipeRec is a row's transcript: one word per step.
type pipeRec struct{ w []string }

// errSlept is a Readv that slept (vfscope's is then interrupted).
var errSlept = errors.New("slept")

func errWord(err error) string {
	if err == errSlept {
		return "slept"
	}
	switch e := vfs.ErrnoOf(err); e {
	case 0:
		return "ok"
	case vfs.EPIPE:
		return "EPIPE"
	default:
		return e.Name()
	}
}

func (r *pipeRec) add(s string) { r.w = append(r.w, s) }

// err records ok or the errno.
func (r *pipeRec) err(err error) { r.add(errWord(err)) }

// fd records an open's result and returns the descriptor.
func (r *pipeRec) fd(fd int, err error) int { r.err(err); return fd }

// n records a count or the errno.
func (r *pipeRec) n(n int, err error) {
	if err != nil {
		r.err(err)
		return
	}
	r.add(fmt.Sprint(n))
}

// read records what a read of up to n bytes gave: the data quoted, its
// length for more than 16 bytes, or the errno.
func (r *pipeRec) read(s pipeSys, fd, n int) {
	b, err := s.Read(fd, n)
	switch {
	case err != nil:
		r.err(err)
	case len(b) > 16:
		r.add(fmt.Sprintf("len=%d", len(b)))
	default:
		r.add(fmt.Sprintf("%q", b))
	}
}

// readv records what a readv into buffers of lens gave, as read does,
// with the count first.
func (r *pipeRec) readv(s pipeSys, fd int, lens ...int) {
	b, err := s.Readv(fd, lens...)
	if err != nil {
		r.err(err)
		return
	}
	r.add(fmt.Sprintf("%d %q", len(b), b))
}

// timesChanged records which of atime, mtime and ctime (a, m, c) the
// step changed, "-" for none. The step runs 20ms after the first look,
// so that any update gives a new time.
func (r *pipeRec) timesChanged(s pipeSys, fd int, step func()) {
	a, err := s.Times(fd)
	r.err(err)
	time.Sleep(20 * time.Millisecond)
	step()
	b, err := s.Times(fd)
	r.err(err)
	w := ""
	for i, c := range "amc" {
		if a[i] != b[i] {
			w += string(c)
		}
	}
	if w == "" {
		w = "-"
	}
	r.add(w)
}

func (r *pipeRec) write(s pipeSys, fd, n int) {
	r.n(s.Write(fd, make([]byte, n)))
}

func (r *pipeRec) String() string { return strings.Join(r.w, " ") }

// statWord is "fifo 0600 size=0" for a stat.
func statWord(st vfs.Stat, err error) string {
	if err != nil {
		return errWord(err)
	}
	kind := "other"
	if vfs.IsFifo(st.Mode) {
		kind = "fifo"
	}
	return fmt.Sprintf("%s:%04o:size=%d:nlink=%d", kind, st.Mode&0o7777, st.Size, st.Nlink)
}

// fifoEnds makes the FIFO "q" and opens its two ends, O_NONBLOCK:
// [0] O_RDONLY, [1] O_WRONLY.
func fifoEnds(s pipeSys, r *pipeRec) [2]int {
	r.err(s.Mkfifo("q", 0o600))
	rd := r.fd(s.Open("q", vfs.O_RDONLY|vfs.O_NONBLOCK))
	wr := r.fd(s.Open("q", vfs.O_WRONLY|vfs.O_NONBLOCK))
	return [2]int{rd, wr}
}

// pipeRow is a row run on both vfscope and, on Linux, the host kernel:
// want is the transcript both must give.
type pipeRow struct {
	name string
	run  func(s pipeSys, r *pipeRec)
	want string
	// vfsOnly: the host differs by design (a difference the row names).
	vfsOnly string
}

var pipeRows = []pipeRow{
	{name: "fifo O_RDONLY|O_NONBLOCK without a writer opens, reads EOF",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDONLY|vfs.O_NONBLOCK))
			r.read(s, fd, 10)
		},
		want: `ok ok ""`},
	{name: "fifo O_WRONLY|O_NONBLOCK without a reader is ENXIO",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			r.fd(s.Open("p", vfs.O_WRONLY|vfs.O_NONBLOCK))
		},
		want: "ok ENXIO"},
	{name: "fifo O_RDWR never waits",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDWR))
			r.n(s.Write(fd, []byte("abc")))
			r.read(s, fd, 10)
		},
		want: `ok ok 3 "abc"`},
	{name: "fifo access mode 3 is EINVAL",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			r.fd(s.Open("p", 3|vfs.O_NONBLOCK))
		},
		want: "ok EINVAL"},
	{name: "fifo data in order, short reads, EAGAIN, EOF",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			rd := r.fd(s.Open("p", vfs.O_RDONLY|vfs.O_NONBLOCK))
			wr := r.fd(s.Open("p", vfs.O_WRONLY|vfs.O_NONBLOCK))
			r.n(s.Write(wr, []byte("hello")))
			r.n(s.Write(wr, []byte(" world")))
			r.read(s, rd, 3)
			r.read(s, rd, 100)
			r.read(s, rd, 100)
			r.err(s.Close(wr))
			r.read(s, rd, 100)
		},
		want: `ok ok ok 5 6 "hel" "lo world" EAGAIN ok ""`},
	{name: "fifo write without a reader is EPIPE",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			rd := r.fd(s.Open("p", vfs.O_RDONLY|vfs.O_NONBLOCK))
			wr := r.fd(s.Open("p", vfs.O_WRONLY|vfs.O_NONBLOCK))
			r.err(s.Close(rd))
			r.n(s.Write(wr, []byte("x")))
		},
		want: "ok ok ok ok EPIPE"},
	{name: "fifo data stays out of the filesystem",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDWR))
			r.write(s, fd, 5000)
			r.add(statWord(s.Stat("p")))
			r.add(statWord(s.Fstat(fd)))
		},
		want: "ok ok 5000 fifo:0600:size=0:nlink=1 fifo:0600:size=0:nlink=1"},
	{name: "fifo pipe goes at the last close, the next opens start empty",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDWR))
			r.n(s.Write(fd, []byte("x")))
			r.err(s.Close(fd))
			fd = r.fd(s.Open("p", vfs.O_RDWR|vfs.O_NONBLOCK))
			r.read(s, fd, 10)
		},
		want: "ok ok 1 ok ok EAGAIN"},
	{name: "fifo O_TRUNC is ignored, F_GETFL",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDWR|vfs.O_TRUNC|vfs.O_NONBLOCK))
			fl, err := s.Fcntl(fd, vfs.F_GETFL, 0)
			r.err(err)
			r.add(fmt.Sprintf("%#o", fl))
		},
		want: "ok ok ok 0104002"},
	{name: "fifo lseek, pread and pwrite are ESPIPE",
		run: func(s pipeSys, r *pipeRec) {
			p := fifoEnds(s, r)
			_, err := s.Seek(p[0], 0, vfs.SEEK_CUR)
			r.err(err)
			_, err = s.Seek(p[1], 0, vfs.SEEK_END)
			r.err(err)
			r.n(s.Pread(p[0], 1, 0))
			r.n(s.Pwrite(p[1], []byte("x"), 0))
		},
		want: "ok ok ok ESPIPE ESPIPE ESPIPE ESPIPE"},
	{name: "capacity 16 pages; O_NONBLOCK writes partly, then EAGAIN",
		run: func(s pipeSys, r *pipeRec) {
			p := fifoEnds(s, r)
			r.n(s.Fcntl(p[0], vfs.F_GETPIPE_SZ, 0))
			r.write(s, p[1], 70000)
			r.write(s, p[1], 1)
			r.read(s, p[0], 70000)
			r.read(s, p[0], 1)
		},
		want: "ok ok ok 65536 65536 EAGAIN len=65536 EAGAIN"},
	{name: "a write of at most PIPE_BUF goes in whole or not at all",
		run: func(s pipeSys, r *pipeRec) {
			p := fifoEnds(s, r)
			r.write(s, p[1], 15*4096+1) // 16 slots, the last with 1 byte
			r.write(s, p[1], 4096)
			r.write(s, p[1], 100) // tops up the last page
			r.write(s, p[1], 3995)
			r.write(s, p[1], 1)
		},
		want: "ok ok ok 61441 EAGAIN 100 3995 EAGAIN"},
	{name: "a write above PIPE_BUF moves what fits",
		run: func(s pipeSys, r *pipeRec) {
			p := fifoEnds(s, r)
			r.write(s, p[1], 14*4096)
			r.write(s, p[1], 10000)
			r.read(s, p[0], 100000)
		},
		want: "ok ok ok 57344 8192 len=65536"},
	{name: "F_SETPIPE_SZ rounds up to a power of two of pages; EBUSY below what is held",
		run: func(s pipeSys, r *pipeRec) {
			p := fifoEnds(s, r)
			r.n(s.Fcntl(p[1], vfs.F_SETPIPE_SZ, 5000))
			r.n(s.Fcntl(p[0], vfs.F_GETPIPE_SZ, 0))
			r.n(s.Fcntl(p[1], vfs.F_SETPIPE_SZ, 0))
			r.write(s, p[1], 8192)
			r.n(s.Fcntl(p[1], vfs.F_SETPIPE_SZ, 16384))
			r.write(s, p[1], 8192)
			r.n(s.Fcntl(p[1], vfs.F_SETPIPE_SZ, 8192))
			r.n(s.Fcntl(p[1], vfs.F_SETPIPE_SZ, 1<<20))
			r.n(s.Fcntl(p[1], vfs.F_SETPIPE_SZ, 1<<31+1))
			r.read(s, p[0], 100000)
		},
		want: "ok ok ok 8192 8192 4096 4096 16384 8192 EBUSY 1048576 EINVAL len=12288"},
	{name: "fifo readv returns what is there, however many buffers are left",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDWR)) // a writer: an empty pipe waits
			r.n(s.Write(fd, []byte("abcd")))
			r.readv(s, fd, 4, 10) // the first buffer exactly
			r.n(s.Write(fd, []byte("abcdefgh")))
			r.readv(s, fd, 4, 4, 10) // two buffers exactly
			r.n(s.Write(fd, []byte("abcdef")))
			r.readv(s, fd, 4, 10) // into the second
			r.n(s.Write(fd, []byte("ab")))
			r.readv(s, fd, 0, 4, 10) // less than the first
		},
		want: `ok ok 4 4 "abcd" 8 8 "abcdefgh" 6 6 "abcdef" 2 2 "ab"`},
	{name: "fifo writev of at most PIPE_BUF is one write: whole or not at all",
		run: func(s pipeSys, r *pipeRec) {
			p := fifoEnds(s, r)
			r.write(s, p[1], 15*4096+1) // 16 slots, the last with 1 byte
			// Buffer by buffer, the first would top up the last page.
			r.n(s.Writev(p[1], make([]byte, 2048), make([]byte, 2048)))
			r.n(s.Writev(p[1], []byte("ab"), make([]byte, 4093))) // fills it up
			r.n(s.Writev(p[1], []byte("x"), nil))
			r.read(s, p[0], 4096)
			r.read(s, p[0], 2)
		},
		want: `ok ok ok 61441 EAGAIN 4095 EAGAIN len=4096 "\x00\x00"`},
	{name: "fifo times: a write changes mtime and ctime, a read atime",
		run: func(s pipeSys, r *pipeRec) {
			r.err(s.Mkfifo("p", 0o600))
			fd := r.fd(s.Open("p", vfs.O_RDWR))
			r.timesChanged(s, fd, func() { r.n(s.Write(fd, []byte("hi"))) })
			r.timesChanged(s, fd, func() { r.read(s, fd, 10) })
		},
		want: `ok ok ok 2 ok mc ok "hi" ok a`},
	{name: "F_GETPIPE_SZ of a directory is EBADF",
		run: func(s pipeSys, r *pipeRec) {
			fd := r.fd(s.Open(".", vfs.O_RDONLY))
			r.n(s.Fcntl(fd, vfs.F_GETPIPE_SZ, 0))
		},
		want: "ok EBADF"},
}

// pipeVFS is pipeSys on a vfscope task, in dir.
type pipeVFS struct {
	t   *vfs.Task
	dir string
}

func (s pipeVFS) path(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return s.dir + "/" + name
}
func (s pipeVFS) Mkfifo(name string, perm uint32) error {
	return s.t.Mknod(s.path(name), vfs.S_IFIFO|perm, 0)
}
func (s pipeVFS) Open(name string, flags int) (int, error) { return s.t.Open(s.path(name), flags, 0) }
func (s pipeVFS) Read(fd, n int) ([]byte, error) {
	b := make([]byte, n)
	m, err := s.t.Read(fd, b)
	if m < 0 {
		m = 0
	}
	return b[:m], err
}
func (s pipeVFS) Write(fd int, b []byte) (int, error) { return s.t.Write(fd, b) }

// Readv runs the call in another goroutine: one that sleeps is
// interrupted after a second, and gives errSlept.
func (s pipeVFS) Readv(fd int, lens ...int) ([]byte, error) {
	iov := make([][]byte, len(lens))
	for i, n := range lens {
		iov[i] = make([]byte, n)
	}
	done := make(chan pipeResult, 1)
	go func() {
		n, err := s.t.Readv(fd, iov)
		done <- pipeResult{n: n, err: err}
	}()
	var res pipeResult
	select {
	case res = <-done:
	case <-time.After(time.Second):
		s.t.VFS().Interrupt()
		<-done
		s.t.VFS().ClearInterrupt()
		return nil, errSlept
	}
	var b []byte
	for _, v := range iov {
		b = append(b, v[:min(len(v), res.n-len(b))]...)
	}
	return b, res.err
}
func (s pipeVFS) Writev(fd int, bufs ...[]byte) (int, error) { return s.t.Writev(fd, bufs) }
func (s pipeVFS) Times(fd int) ([3]int64, error) {
	var st vfs.Stat
	err := s.t.Fstat(fd, &st)
	return [3]int64{st.Atime, st.Mtime, st.Ctime}, err
}
func (s pipeVFS) Close(fd int) error { return s.t.Close(fd) }
func (s pipeVFS) Seek(fd int, off int64, whence int) (int64, error) {
	return s.t.Seek(fd, off, whence)
}
func (s pipeVFS) Pread(fd, n int, off int64) (int, error) { return s.t.Pread(fd, make([]byte, n), off) }
func (s pipeVFS) Pwrite(fd int, b []byte, off int64) (int, error) {
	return s.t.Pwrite(fd, b, off)
}
func (s pipeVFS) Fcntl(fd, cmd, arg int) (int, error) { return s.t.Fcntl(fd, cmd, arg) }
func (s pipeVFS) Fstat(fd int) (vfs.Stat, error) {
	var st vfs.Stat
	err := s.t.Fstat(fd, &st)
	return st, err
}
func (s pipeVFS) Stat(name string) (vfs.Stat, error) {
	var st vfs.Stat
	err := s.t.Stat(s.path(name), &st)
	return st, err
}
func (s pipeVFS) Readlink(name string) (string, error) { return s.t.Readlink(s.path(name)) }
func (s pipeVFS) Self() string                         { return "/proc/self" }

// TestPipeRows runs the rows on vfscope; TestPipeOracle checks them
// against the host kernel.
func TestPipeRows(t *testing.T) {
	for _, row := range pipeRows {
		t.Run(strings.ReplaceAll(row.name, " ", "_"), func(t *testing.T) {
			e := vt.New(t)
			e.Must(e.Root.Mkdir("/w", 0o755))
			var r pipeRec
			row.run(pipeVFS{e.Root, "/w"}, &r)
			if got := r.String(); got != row.want {
				t.Errorf("got  %s\nwant %s", got, row.want)
			}
		})
	}
}
