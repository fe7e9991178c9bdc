//go:build linux

package vfs_test

import (
	"syscall"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

func (s *pipeHost) Pipe2(flags int) ([2]int, error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], flags); err != nil {
		return p, hostErr(err)
	}
	s.fds[p[0]], s.fds[p[1]] = true, true
	return p, nil
}

// TestPipe2StatfsOracle: the host's pipes are on pipefs too.
func TestPipe2StatfsOracle(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		t.Skip(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	var sf syscall.Statfs_t
	if err := syscall.Fstatfs(p[0], &sf); err != nil {
		t.Fatal(err)
	}
	if sf.Type != vfs.PIPEFS_MAGIC {
		t.Errorf("host fstatfs type %#x, want PIPEFS_MAGIC", sf.Type)
	}
}
