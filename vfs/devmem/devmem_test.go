package devmem_test

import (
	"bytes"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

func TestMemDevices(t *testing.T) {
	v, r, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	open := func(path string, flags int) int {
		t.Helper()
		fd, err := r.Open(path, flags, 0)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		return fd
	}
	buf := bytes.Repeat([]byte{0xff}, 64)
	tests := []struct {
		dev        string
		readN      int
		readZeroes bool
		writeN     int
		writeErr   error
	}{
		{"/dev/null", 0, false, 64, nil},
		{"/dev/zero", 64, true, 64, nil},
		{"/dev/full", 64, true, 0, vfs.ENOSPC},
		{"/dev/urandom", 64, false, 64, nil},
		{"/dev/random", 64, false, 64, nil},
	}
	for _, tc := range tests {
		fd := open(tc.dev, vfs.O_RDWR)
		b := append([]byte(nil), buf...)
		n, err := r.Read(fd, b)
		if n != tc.readN || err != nil {
			t.Errorf("%s: read = %d, %v; want %d", tc.dev, n, err, tc.readN)
		}
		if tc.readZeroes && !bytes.Equal(b, make([]byte, 64)) {
			t.Errorf("%s: read non-zero bytes", tc.dev)
		}
		n, err = r.Write(fd, buf)
		if n != tc.writeN || err != tc.writeErr {
			t.Errorf("%s: write = %d, %v; want %d, %v", tc.dev, n, err, tc.writeN, tc.writeErr)
		}
		var st vfs.Stat
		if err := r.Fstat(fd, &st); err != nil || !vfs.IsChr(st.Mode) || vfs.Major(st.Rdev) != 1 {
			t.Errorf("%s: fstat %+v, %v", tc.dev, st, err)
		}
		r.Close(fd)
	}
	// A node with no driver behind its number opens with ENXIO.
	if err := r.Mknod("/tmp/nodrv", vfs.S_IFCHR|0o600, vfs.MkDev(240, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open("/tmp/nodrv", vfs.O_RDONLY, 0); err != vfs.ENXIO {
		t.Errorf("open of a driverless node: %v, want ENXIO", err)
	}
	// nodev mounts refuse device nodes.
	if err := r.Mount("none", "/tmp", "tmpfs", vfs.MS_NODEV, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Mknod("/tmp/null", vfs.S_IFCHR|0o666, vfs.MkDev(1, 3)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open("/tmp/null", vfs.O_RDONLY, 0); err != vfs.EACCES {
		t.Errorf("open of a device on nodev: %v, want EACCES", err)
	}
	if rep := v.Validator().Reports(); len(rep) > 0 {
		t.Error(rep)
	}
	if rep := v.LockingViolations(); len(rep) > 0 {
		t.Error(rep)
	}
}
