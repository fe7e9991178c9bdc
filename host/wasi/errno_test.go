package wasi

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestErrnoTable checks the mapping row by row: every Linux errno the
// VFS defines reaches the guest as the WASI errno of the same name
// (EOPNOTSUPP is WASI's ENOTSUP, the same number on Linux), except the
// few WASI cannot express, which become EIO.
func TestErrnoTable(t *testing.T) {
	rows := []struct {
		linux vfs.Errno
		wasi  Errno
	}{
		{vfs.EPERM, EPERM},
		{vfs.ENOENT, ENOENT},
		{vfs.EINTR, EINTR},
		{vfs.EIO, EIO},
		{vfs.ENXIO, ENXIO},
		{vfs.E2BIG, E2BIG},
		{vfs.EBADF, EBADF},
		{vfs.EAGAIN, EAGAIN},
		{vfs.ENOMEM, ENOMEM},
		{vfs.EACCES, EACCES},
		{vfs.EFAULT, EFAULT},
		{vfs.EBUSY, EBUSY},
		{vfs.EEXIST, EEXIST},
		{vfs.EXDEV, EXDEV},
		{vfs.ENODEV, ENODEV},
		{vfs.ENOTDIR, ENOTDIR},
		{vfs.EISDIR, EISDIR},
		{vfs.EINVAL, EINVAL},
		{vfs.ENFILE, ENFILE},
		{vfs.EMFILE, EMFILE},
		{vfs.ENOTTY, ENOTTY},
		{vfs.ETXTBSY, ETXTBSY},
		{vfs.EFBIG, EFBIG},
		{vfs.ENOSPC, ENOSPC},
		{vfs.ESPIPE, ESPIPE},
		{vfs.EROFS, EROFS},
		{vfs.EMLINK, EMLINK},
		{vfs.EPIPE, EPIPE},
		{vfs.ERANGE, ERANGE},
		{vfs.EDEADLK, EDEADLK},
		{vfs.ENAMETOOLONG, ENAMETOOLONG},
		{vfs.ENOLCK, ENOLCK},
		{vfs.ENOSYS, ENOSYS},
		{vfs.ENOTEMPTY, ENOTEMPTY},
		{vfs.ELOOP, ELOOP},
		{vfs.ENODATA, EIO}, // no WASI counterpart
		{vfs.EOVERFLOW, EOVERFLOW},
		{vfs.EOPNOTSUPP, ENOTSUP},
		{vfs.ESTALE, ESTALE},
		{vfs.EDQUOT, EDQUOT},
	}
	seen := map[vfs.Errno]bool{}
	for _, r := range rows {
		seen[r.linux] = true
		if got := FromVFS(r.linux); got != r.wasi {
			t.Errorf("FromVFS(%s) = %s, want %s", r.linux.Name(), got.Name(), r.wasi.Name())
		}
		if got := errnoOf(r.linux); got != r.wasi {
			t.Errorf("errnoOf(%s) = %s, want %s", r.linux.Name(), got.Name(), r.wasi.Name())
		}
		// Same name on both sides, but for the documented exceptions.
		if want := r.linux.Name(); r.wasi.Name() != want && r.linux != vfs.EOPNOTSUPP && !noCounterpart[r.linux] {
			t.Errorf("%s maps to %s", want, r.wasi.Name())
		}
	}
	if FromVFS(0) != ESUCCESS || errnoOf(nil) != ESUCCESS {
		t.Error("success is not ESUCCESS")
	}
	if FromVFS(1000) != EIO || FromVFS(15) != EIO { // out of range; ENOTBLK
		t.Error("an errno without a row is not EIO")
	}
	// Every row of the table keeps the name (the whole Linux table, not
	// only what vfs defines today).
	linuxNames := map[vfs.Errno]string{3: "ESRCH", 8: "ENOEXEC", 10: "ECHILD", 33: "EDOM",
		42: "ENOMSG", 43: "EIDRM", 67: "ENOLINK", 71: "EPROTO", 72: "EMULTIHOP", 74: "EBADMSG", 84: "EILSEQ",
		88: "ENOTSOCK", 89: "EDESTADDRREQ", 90: "EMSGSIZE", 91: "EPROTOTYPE", 92: "ENOPROTOOPT",
		93: "EPROTONOSUPPORT", 97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL", 100: "ENETDOWN",
		101: "ENETUNREACH", 102: "ENETRESET", 103: "ECONNABORTED", 104: "ECONNRESET", 105: "ENOBUFS",
		106: "EISCONN", 107: "ENOTCONN", 110: "ETIMEDOUT", 111: "ECONNREFUSED", 113: "EHOSTUNREACH",
		114: "EALREADY", 115: "EINPROGRESS", 125: "ECANCELED", 130: "EOWNERDEAD", 131: "ENOTRECOVERABLE"}
	for l, name := range linuxNames {
		if got := FromVFS(l).Name(); got != name {
			t.Errorf("Linux %d (%s) maps to %s", l, name, got)
		}
	}
	// Every errno vfs defines has a row above or is in the Linux list (an
	// errno vfs comes to define moves from one to the other without
	// breaking this test); the table has one row per errno of the union
	// of both, but for those WASI cannot express.
	union := map[vfs.Errno]bool{}
	for l := range linuxNames {
		union[l] = true
	}
	for _, e := range vfs.Errnos() {
		union[e] = true
		if !seen[e] && linuxNames[e] == "" {
			t.Errorf("vfs.%s has no row in this test", e.Name())
		}
		if _, ok := linuxToWASI[e]; !ok && !noCounterpart[e] {
			t.Errorf("vfs.%s has no row in linuxToWASI", e.Name())
		}
	}
	if want := len(union) - len(noCounterpart); len(linuxToWASI) != want {
		t.Errorf("linuxToWASI has %d rows; this test checks %d", len(linuxToWASI), want)
	}
}

func TestErrnoNames(t *testing.T) {
	if len(errnoNames) != int(ENOTCAPABLE)+1 {
		t.Fatalf("%d names for %d errnos", len(errnoNames), ENOTCAPABLE+1)
	}
	for _, c := range []struct {
		e    Errno
		name string
		n    int
	}{{ESUCCESS, "ESUCCESS", 0}, {E2BIG, "E2BIG", 1}, {EDQUOT, "EDQUOT", 19}, {EMLINK, "EMLINK", 34},
		{ENOSPC, "ENOSPC", 51}, {ENOTEMPTY, "ENOTEMPTY", 55}, {EROFS, "EROFS", 69}, {EXDEV, "EXDEV", 75},
		{ENOTCAPABLE, "ENOTCAPABLE", 76}} {
		if c.e.Name() != c.name || int(c.e) != c.n {
			t.Errorf("%d %s: want %d %s", c.e, c.e.Name(), c.n, c.name)
		}
	}
}
