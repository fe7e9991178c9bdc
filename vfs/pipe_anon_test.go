package vfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// pipe2Sys is a pipeSys that makes anonymous pipes.
type pipe2Sys interface {
	Pipe2(flags int) ([2]int, error)
}

func pipe2(s pipeSys, flags int) ([2]int, error) { return s.(pipe2Sys).Pipe2(flags) }

func (s pipeVFS) Pipe2(flags int) ([2]int, error) { return s.t.Pipe2(flags) }

func init() { pipeRows = append(pipeRows, pipe2Rows...) }

// pipe2Rows are the rows of anonymous pipes (pipe2 on pipefs).
var pipe2Rows = []pipeRow{
	{name: "pipe2 lseek, pread and pwrite are ESPIPE",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			_, err = s.Seek(p[0], 0, vfs.SEEK_CUR)
			r.err(err)
			_, err = s.Seek(p[1], 0, vfs.SEEK_SET)
			r.err(err)
			r.n(s.Pread(p[0], 1, 0))
			r.n(s.Pwrite(p[1], []byte("x"), 0))
		},
		want: "ok ESPIPE ESPIPE ESPIPE ESPIPE"},
	{name: "pipe2 read and write ends, F_GETFL, fstat",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			r.read(s, p[1], 1)
			r.n(s.Write(p[0], []byte("x")))
			for _, fd := range p {
				fl, err := s.Fcntl(fd, vfs.F_GETFL, 0)
				r.err(err)
				r.add(fmt.Sprintf("%#o", fl))
				fd, err := s.Fcntl(fd, vfs.F_GETFD, 0)
				r.n(fd, err)
			}
			r.n(s.Write(p[1], []byte("abc")))
			r.read(s, p[0], 100) // what is there, no wait for more
			r.add(statWord(s.Fstat(p[0])))
			r.n(s.Write(p[1], []byte("abc")))
			r.add(statWord(s.Fstat(p[1])))
		},
		want: `ok EBADF EBADF ok 0 0 ok 01 0 3 "abc" fifo:0600:size=0:nlink=1 3 fifo:0600:size=0:nlink=1`},
	{name: "pipe2 O_NONBLOCK and O_CLOEXEC",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, vfs.O_NONBLOCK|vfs.O_CLOEXEC)
			r.err(err)
			for _, fd := range p {
				fl, err := s.Fcntl(fd, vfs.F_GETFL, 0)
				r.err(err)
				r.add(fmt.Sprintf("%#o", fl))
				fd, err := s.Fcntl(fd, vfs.F_GETFD, 0)
				r.n(fd, err)
			}
			r.read(s, p[0], 1)
		},
		want: "ok ok 04000 1 ok 04001 1 EAGAIN"},
	{name: "pipe2 other flags are EINVAL",
		run: func(s pipeSys, r *pipeRec) {
			for _, fl := range []int{vfs.O_APPEND, vfs.O_RDWR, vfs.O_CREAT, vfs.O_NOATIME} {
				_, err := pipe2(s, fl)
				r.err(err)
			}
		},
		want: "EINVAL EINVAL EINVAL EINVAL"},
	{name: "pipe2 O_DIRECT (packet mode) is EINVAL",
		run: func(s pipeSys, r *pipeRec) {
			_, err := pipe2(s, vfs.O_DIRECT)
			r.err(err)
		},
		want:    "EINVAL",
		vfsOnly: "packet mode is not modelled: Linux opens the pipe"},
	{name: "pipe2 capacity 16 pages",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, vfs.O_NONBLOCK)
			r.err(err)
			r.n(s.Fcntl(p[0], vfs.F_GETPIPE_SZ, 0))
			r.write(s, p[1], 70000)
			r.write(s, p[1], 1)
			r.read(s, p[0], 70000)
			r.read(s, p[0], 1)
		},
		want: "ok 65536 65536 EAGAIN len=65536 EAGAIN"},
	{name: "pipe2 reopened through /proc/self/fd never waits for a partner",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			r.err(s.Close(p[1]))
			link := fmt.Sprintf("%s/fd/%d", s.Self(), p[0])
			fd := r.fd(s.Open(link, vfs.O_RDONLY)) // no writer: a FIFO would wait
			r.read(s, fd, 10)
			w := r.fd(s.Open(link, vfs.O_WRONLY))
			r.n(s.Write(w, []byte("x")))
			r.read(s, p[0], 10)
		},
		want: `ok ok ok "" ok 1 "x"`},
	{name: "pipe2 reopened O_WRONLY|O_NONBLOCK without a reader opens, writes EPIPE",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			r.err(s.Close(p[0]))
			link := fmt.Sprintf("%s/fd/%d", s.Self(), p[1])
			w := r.fd(s.Open(link, vfs.O_WRONLY|vfs.O_NONBLOCK)) // a FIFO's is ENXIO
			r.n(s.Write(w, []byte("x")))
		},
		want: "ok ok ok EPIPE"},
	{name: "pipe2 readv returns what is there, however many buffers are left",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			r.n(s.Write(p[1], []byte("abcd")))
			r.readv(s, p[0], 4, 10) // the first buffer exactly
			r.n(s.Writev(p[1], []byte("abcd"), []byte("efgh")))
			r.readv(s, p[0], 4, 4, 10) // two buffers exactly
			r.n(s.Write(p[1], []byte("ab")))
			r.readv(s, p[0], 4, 10) // less than the first
		},
		want: `ok 4 4 "abcd" 8 8 "abcdefgh" 2 2 "ab"`},
	{name: "pipe2 times: neither a write nor a read changes them",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			r.timesChanged(s, p[0], func() { r.n(s.Write(p[1], []byte("hi"))) })
			r.timesChanged(s, p[1], func() { r.read(s, p[0], 10) })
		},
		want: `ok ok 2 ok - ok "hi" ok -`},
	{name: "readlink of /proc/self/fd/N is pipe:[ino]",
		run: func(s pipeSys, r *pipeRec) {
			p, err := pipe2(s, 0)
			r.err(err)
			st, err := s.Fstat(p[0])
			r.err(err)
			l, err := s.Readlink(fmt.Sprintf("%s/fd/%d", s.Self(), p[1]))
			r.err(err)
			if l == fmt.Sprintf("pipe:[%d]", st.Ino) {
				l = "pipe:[ino]"
			}
			r.add(l)
		},
		want: "ok ok ok pipe:[ino]"},
}

// TestPipe2Internal: a pipe's inode lives on pipefs (fstatfs gives
// PIPEFS_MAGIC), whose mount no mount table shows; pipe-max-size bounds
// what F_SETPIPE_SZ grants an unprivileged task (EPERM above it), not
// root.
func TestPipe2Internal(t *testing.T) {
	e := vt.New(t)
	p, err := e.Root.Pipe2(0)
	e.Must(err)
	var sf vfs.Statfs
	e.Must(e.Root.Fstatfs(p[0], &sf))
	if sf.Type != vfs.PIPEFS_MAGIC {
		t.Errorf("fstatfs type %#x, want PIPEFS_MAGIC", sf.Type)
	}
	var st, root vfs.Stat
	e.Must(e.Root.Fstat(p[1], &st))
	e.Must(e.Root.Stat("/", &root))
	if st.Dev == root.Dev || st.Ino == 0 {
		t.Errorf("pipe dev %d ino %d, root dev %d", st.Dev, st.Ino, root.Dev)
	}
	for _, f := range []string{"/proc/self/mountinfo", "/proc/mounts"} {
		s, err := e.ReadFile(f)
		e.Must(err)
		if strings.Contains(s, "pipefs") {
			t.Errorf("%s shows pipefs:\n%s", f, s)
		}
	}
	// A second pipe shares the superblock, not the inode.
	q, err := e.Root.Pipe2(0)
	e.Must(err)
	var st2 vfs.Stat
	e.Must(e.Root.Fstat(q[0], &st2))
	if st2.Dev != st.Dev || st2.Ino == st.Ino {
		t.Errorf("second pipe dev %d ino %d, first %d %d", st2.Dev, st2.Ino, st.Dev, st.Ino)
	}

	user := e.As(1000, 1000)
	up, err := user.Pipe2(0)
	e.Must(err)
	for _, tc := range []struct {
		tk   *vfs.Task
		fd   int
		size int
		want string
	}{
		{user, up[1], 1 << 20, "1048576"},
		{user, up[1], 1<<20 + 1, "EPERM"},
		{user, up[1], 4096, "4096"}, // shrinking is always allowed
		{e.Root, p[1], 1 << 21, "2097152"},
	} {
		n, err := tc.tk.Fcntl(tc.fd, vfs.F_SETPIPE_SZ, tc.size)
		got := errWord(err)
		if err == nil {
			got = fmt.Sprint(n)
		}
		if got != tc.want {
			t.Errorf("uid %d F_SETPIPE_SZ %d: %s, want %s", tc.tk.Cred().UID, tc.size, got, tc.want)
		}
	}
}
