//go:build linux

package vfs_test

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/vfscope/vfscope/vfs"
)

// pipeHost is pipeSys on the host kernel, in a directory on /dev/shm.
// Every descriptor it opens is closed by closeAll.
type pipeHost struct {
	dir string
	fds map[int]bool
}

func hostErr(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(syscall.Errno); ok {
		return vfs.Errno(e)
	}
	return err
}

func (s *pipeHost) path(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return s.dir + "/" + name
}
func (s *pipeHost) track(fd int, err error) (int, error) {
	if err == nil {
		s.fds[fd] = true
	}
	return fd, hostErr(err)
}
func (s *pipeHost) closeAll() {
	for fd := range s.fds {
		syscall.Close(fd)
	}
}
func (s *pipeHost) Mkfifo(name string, perm uint32) error {
	return hostErr(syscall.Mkfifo(s.path(name), perm))
}
func (s *pipeHost) Open(name string, flags int) (int, error) {
	return s.track(syscall.Open(s.path(name), flags, 0))
}
func (s *pipeHost) Read(fd, n int) ([]byte, error) {
	b := make([]byte, n)
	m, err := syscall.Read(fd, b)
	if m < 0 {
		m = 0
	}
	return b[:m], hostErr(err)
}
func (s *pipeHost) Write(fd int, b []byte) (int, error) {
	n, err := syscall.Write(fd, b)
	return n, hostErr(err)
}
func (s *pipeHost) Readv(fd int, lens ...int) ([]byte, error) {
	b := make([]byte, 0, 1)
	iov := make([]syscall.Iovec, len(lens))
	for i, n := range lens {
		v := make([]byte, n+1) // +1: a zero-length buffer has a base too
		iov[i] = syscall.Iovec{Base: &v[0]}
		iov[i].SetLen(n)
	}
	n, _, e := syscall.Syscall(syscall.SYS_READV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return nil, vfs.Errno(e)
	}
	for _, v := range iov {
		m := min(int(v.Len), int(n)-len(b))
		b = append(b, unsafe.Slice(v.Base, m)...)
	}
	return b, nil
}
func (s *pipeHost) Writev(fd int, bufs ...[]byte) (int, error) {
	iov := make([]syscall.Iovec, len(bufs))
	for i, v := range bufs {
		v = append(v[:len(v):len(v)], 0) // a base for a zero-length buffer
		iov[i] = syscall.Iovec{Base: &v[0]}
		iov[i].SetLen(len(v) - 1)
	}
	n, _, e := syscall.Syscall(syscall.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return -1, vfs.Errno(e)
	}
	return int(n), nil
}
func (s *pipeHost) Times(fd int) ([3]int64, error) {
	var st syscall.Stat_t
	err := syscall.Fstat(fd, &st)
	return [3]int64{st.Atim.Nano(), st.Mtim.Nano(), st.Ctim.Nano()}, hostErr(err)
}
func (s *pipeHost) Close(fd int) error {
	delete(s.fds, fd)
	return hostErr(syscall.Close(fd))
}
func (s *pipeHost) Seek(fd int, off int64, whence int) (int64, error) {
	n, err := syscall.Seek(fd, off, whence)
	return n, hostErr(err)
}
func (s *pipeHost) Pread(fd, n int, off int64) (int, error) {
	m, err := syscall.Pread(fd, make([]byte, n), off)
	return m, hostErr(err)
}
func (s *pipeHost) Pwrite(fd int, b []byte, off int64) (int, error) {
	n, err := syscall.Pwrite(fd, b, off)
	return n, hostErr(err)
}
func (s *pipeHost) Fcntl(fd, cmd, arg int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), uintptr(uint32(arg)))
	if e != 0 {
		return -1, vfs.Errno(e)
	}
	return int(r), nil
}
func hostStat(st *syscall.Stat_t) vfs.Stat {
	return vfs.Stat{Ino: st.Ino, Mode: st.Mode, Nlink: uint32(st.Nlink), Size: st.Size}
}
func (s *pipeHost) Fstat(fd int) (vfs.Stat, error) {
	var st syscall.Stat_t
	err := syscall.Fstat(fd, &st)
	return hostStat(&st), hostErr(err)
}
func (s *pipeHost) Stat(name string) (vfs.Stat, error) {
	var st syscall.Stat_t
	err := syscall.Stat(s.path(name), &st)
	return hostStat(&st), hostErr(err)
}
func (s *pipeHost) Readlink(name string) (string, error) {
	b := make([]byte, 256)
	n, err := syscall.Readlink(s.path(name), b)
	if err != nil {
		return "", hostErr(err)
	}
	return string(b[:n]), nil
}

// Self is the calling thread's /proc directory: the descriptors are the
// process's, and /proc/thread-self reaches them from any thread.
func (s *pipeHost) Self() string { return "/proc/thread-self" }

// TestPipeOracle: every pipe row gives the host kernel's transcript too
// (FIFOs on /dev/shm, syscall.Pipe2), so the wants are Linux's.
func TestPipeOracle(t *testing.T) {
	if _, err := os.Stat("/dev/shm"); err != nil {
		t.Skip("no /dev/shm")
	}
	for _, row := range pipeRows {
		if row.vfsOnly != "" {
			continue
		}
		t.Run(strings.ReplaceAll(row.name, " ", "_"), func(t *testing.T) {
			dir, err := os.MkdirTemp("/dev/shm", "vfscope-pipe-")
			if err != nil {
				t.Skip(err)
			}
			defer os.RemoveAll(dir)
			old := syscall.Umask(0o022)
			defer syscall.Umask(old)
			s := &pipeHost{dir: dir, fds: map[int]bool{}}
			defer s.closeAll()
			var r pipeRec
			row.run(s, &r)
			if got := r.String(); got != row.want {
				t.Errorf("host kernel:\ngot  %s\nwant %s", got, row.want)
			}
		})
	}
}
