package wasi

import "testing"

// TestFdstatSetFlagsSync: fd_fdstat_set_flags is fcntl(F_SETFL), which on
// Linux ignores the sync flags: they stay as open set them. Checked on
// Linux 6.18's tmpfs: with an O_SYNC descriptor, F_SETFL(F_GETFL |
// O_NONBLOCK) succeeds and adds O_NONBLOCK, F_SETFL(0) succeeds and
// O_SYNC stays; on a plain descriptor F_SETFL(O_DSYNC) succeeds and
// F_GETFL has no O_DSYNC. wazero and wasmtime refuse the sync flags with
// EINVAL instead, which would break wasi-libc's fcntl(F_SETFL,
// fcntl(F_GETFL) | O_NONBLOCK) on a descriptor opened O_SYNC, as
// fd_fdstat_get reports SYNC|RSYNC there.
func TestFdstatSetFlagsSync(t *testing.T) {
	f := newFx(t)
	syncFd, e := f.open("tmp/s", OflagCreat, rwFile, FdflagSync)
	f.is("open sync", e, ESUCCESS)
	plain, e := f.open("tmp/s", 0, rwFile, 0)
	f.is("open plain", e, ESUCCESS)
	flags := func(fd int32) uint16 {
		f.is("fd_fdstat_get", f.a.FdFdstatGet(f.m, fd, 2048), ESUCCESS)
		return uint16(f.m[2050]) | uint16(f.m[2051])<<8
	}
	for _, c := range []struct {
		name string
		fd   int32
		set  uint16
		want uint16 // fdflags after
	}{
		{"sync fd, its flags | NONBLOCK", syncFd, FdflagSync | FdflagRsync | FdflagNonblock, FdflagSync | FdflagRsync | FdflagNonblock},
		{"sync fd, 0", syncFd, 0, FdflagSync | FdflagRsync},
		{"sync fd, APPEND|DSYNC", syncFd, FdflagAppend | FdflagDsync, FdflagAppend | FdflagSync | FdflagRsync},
		{"plain fd, DSYNC", plain, FdflagDsync, 0},
		{"plain fd, SYNC|RSYNC|APPEND", plain, FdflagSync | FdflagRsync | FdflagAppend, FdflagAppend},
	} {
		if got := f.a.FdFdstatSetFlags(c.fd, c.set); got != ESUCCESS {
			t.Errorf("%s: fd_fdstat_set_flags(%#x) = %s, want ESUCCESS", c.name, c.set, got.Name())
			continue
		}
		if got := flags(c.fd); got != c.want {
			t.Errorf("%s: fdflags %#x after, want %#x", c.name, got, c.want)
		}
	}
}
