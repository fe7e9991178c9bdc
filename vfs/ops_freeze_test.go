package vfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestFreezeNeedsFreezeFS: ioctl_fsfreeze (fs/ioctl.c) returns
// EOPNOTSUPP for a filesystem with neither ->freeze_fs nor
// ->freeze_super, as Linux 6.18 does for tmpfs ("fsfreeze: freeze
// failed: Operation not supported"), and the thaw of what was not
// frozen is EINVAL; billyfs, which has ->freeze_fs, freezes.
func TestFreezeNeedsFreezeFS(t *testing.T) {
	cases := []struct {
		name, fstype, data string
		freeze, thaw       error
	}{
		{"tmpfs", "tmpfs", "", vfs.EOPNOTSUPP, vfs.EINVAL},
		{"proc", "proc", "", vfs.EOPNOTSUPP, vfs.EINVAL},
		{"billyfs", "billyfs", "store=mem", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vfstest.New(t)
			e.Must(e.Root.Mkdir("/mnt", 0o755))
			e.Must(e.Root.Mount("none", "/mnt", c.fstype, 0, c.data))
			if err := e.Root.Freeze("/mnt"); err != c.freeze {
				t.Errorf("freeze: %v, want %v", err, c.freeze)
			}
			if err := e.Root.Thaw("/mnt"); err != c.thaw {
				t.Errorf("thaw: %v, want %v", err, c.thaw)
			}
			if u := e.As(1000, 1000); u.Freeze("/mnt") != vfs.EPERM {
				t.Errorf("freeze as uid 1000: not EPERM")
			}
		})
	}
}

// TestFreezeBlocksWritersUntilThaw: FIFREEZE holds sb_writers for write
// at every level, so a write started while frozen waits for FITHAW, and
// reads go on.
func TestFreezeBlocksWritersUntilThaw(t *testing.T) {
	e := vfstest.New(t)
	r := e.Root
	if err := r.Mkdir("/mnt", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.Mount("none", "/mnt", "billyfs", 0, "store=mem"); err != nil {
		t.Fatal(err)
	}
	fd, err := r.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Freeze("/mnt"); err != nil {
		t.Fatal(err)
	}
	if err := r.Freeze("/mnt"); err != vfs.EBUSY {
		t.Fatalf("second freeze: got %v, want EBUSY", err)
	}
	var st vfs.Stat
	if err := r.Stat("/mnt/f", &st); err != nil {
		t.Fatalf("stat while frozen: %v", err)
	}
	writer := r.Fork("writer")
	done := make(chan error, 1)
	go func() {
		_, err := writer.Write(fd, []byte("x"))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("write finished while frozen (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := r.Thaw("/mnt"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write after thaw: %v", err)
	}
	writer.Exit()
	if err := r.Thaw("/mnt"); err != vfs.EINVAL {
		t.Fatalf("thaw of a thawed fs: got %v, want EINVAL", err)
	}
	u := e.As(1000, 1000)
	if err := u.Freeze("/mnt"); err != vfs.EPERM {
		t.Fatalf("freeze as uid 1000: got %v, want EPERM", err)
	}
	r.Close(fd)
}

// TestAccessNoexec: access(X_OK) of an executable on a noexec mount is
// EACCES even for root; directories stay searchable.
func TestAccessNoexec(t *testing.T) {
	e := vfstest.New(t)
	r := e.Root
	for _, step := range []error{
		r.Mkdir("/mnt", 0o755),
		r.Mount("none", "/mnt", "tmpfs", vfs.MS_NOEXEC, ""),
		r.Mkdir("/mnt/d", 0o755),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	fd, err := r.Open("/mnt/x", vfs.O_CREAT|vfs.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	r.Close(fd)
	if err := r.Access("/mnt/x", vfs.X_OK); err != vfs.EACCES {
		t.Fatalf("X_OK on noexec: got %v, want EACCES", err)
	}
	if err := r.Access("/mnt/d", vfs.X_OK); err != nil {
		t.Fatalf("X_OK of a directory on noexec: %v", err)
	}
	if err := r.Access("/mnt/x", vfs.R_OK|vfs.W_OK); err != nil {
		t.Fatalf("R_OK|W_OK on noexec: %v", err)
	}
}
