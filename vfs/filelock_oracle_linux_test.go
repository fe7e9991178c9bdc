//go:build linux

package vfs_test

// The file-lock oracle: the same fcntl, flock and lease sequences run on
// a file of the host's tmpfs (/dev/shm) through package syscall and on
// vfscope; after every step the error, the step's result and the locks
// on the file (as each side's /proc/locks shows them) must agree. One
// process is one POSIX lock owner on the host, so the vfscope side runs
// every step as one Task; a second owner comes from OFD locks, which
// belong to open file descriptions.

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// Steps: "posix D TYPE WHENCE START LEN" (F_SETLK on description D),
// "ofd D TYPE START LEN" (F_OFD_SETLK), "getlk D TYPE START LEN" and
// "ofdgetlk D TYPE START LEN" (result "TYPE START LEN PID", PID "self"
// for this process, -1 for OFD), "flock D HOW", "open D MODE" and
// "close D", "lease D TYPE", "getlease D". TYPE is R, W or U; HOW is
// SH, EX, UN with an optional +NB; MODE is R, W, RW with an optional
// +NB (O_NONBLOCK). " => ERRNO" ends a step expected to fail.
var fileLockOracle = []struct {
	name  string
	steps []string
}{
	{"posix merge and split", []string{
		"posix 0 R SET 0 100",
		"posix 0 W SET 40 20",
		"posix 0 R SET 50 0",
		"posix 0 U SET 10 5",
		"posix 0 W SET 0 0",
		"posix 0 U SET 30 -10",
		"posix 0 R SET 25 1",
		"posix 0 W CUR 3 2",
		"posix 0 W END -5 10",
		"posix 0 U SET 0 0",
	}},
	{"posix adjacent and bridging", []string{
		"posix 0 R SET 0 5",
		"posix 0 R SET 10 5",
		"posix 0 R SET 5 5",
		"posix 0 W SET 20 5",
		"posix 0 W SET 26 5",
		"posix 0 W SET 25 1",
		"posix 0 R SET 14 7",
	}},
	{"posix argument errors", []string{
		"posix 2 W SET 0 1 => EBADF",
		"posix 0 R SET -1 1 => EINVAL",
		"posix 0 R SET 3 -4 => EINVAL",
		"posix 0 R SET 3 -3",
		"posix 0 R END 9223372036854775807 1 => EOVERFLOW",
		"posix 0 R SET 9223372036854775807 2 => EOVERFLOW",
		"posix 0 R SET 9223372036854775807 1",
		"getlk 0 U 0 0 => EINVAL",
	}},
	{"ofd owners", []string{
		"ofd 0 W 0 10",
		"ofd 1 R 5 1 => EAGAIN",
		"ofdgetlk 1 R 0 0",
		"getlk 1 R 0 0",
		"posix 1 R SET 9 1 => EAGAIN",
		"posix 1 R SET 10 10",
		"ofdgetlk 0 W 15 1",
		"ofdgetlk 0 U 5 1",
		"ofd 0 R 0 5",
		"ofd 1 R 0 5",
		"ofd 1 W 0 5 => EAGAIN",
		"close 2",
		"open 2 R",
		"ofd 2 R 100 0",
		"ofd 2 W 100 0",
	}},
	{"close drops the process's posix locks", []string{
		"posix 0 W SET 0 5",
		"ofd 1 W 10 5",
		"posix 2 R SET 20 5",
		"close 2",
		"open 2 R",
		"ofd 1 U 0 0",
		"posix 1 W SET 0 0",
		"close 1",
	}},
	{"flock", []string{
		"flock 0 SH",
		"flock 1 SH+NB",
		"flock 1 EX+NB => EAGAIN",
		"flock 0 EX+NB",
		"flock 2 SH+NB => EAGAIN",
		"flock 0 SH",
		"flock 2 SH",
		"flock 1 UN",
		"close 0",
		"flock 2 EX",
		"flock 0 NB => EINVAL",
		"flock 3 SH => EBADF",
	}},
	{"leases", []string{
		"lease 2 R => EAGAIN",
		"close 0",
		"lease 2 W => EAGAIN",
		"close 1",
		"lease 2 W",
		"getlease 2",
		"lease 2 R",
		"lease 2 U",
		"lease 2 U => EAGAIN",
		"lease 2 W",
		"open 0 R+NB => EAGAIN",
		"getlease 2",
		"lease 2 U",
		"getlease 2",
		"lease 2 R",
		"open 1 RW+NB => EAGAIN",
		"getlease 2",
		"lease 2 X => EINVAL",
		"lease 2 U",
		"open 1 RW",
		"lease 2 R => EAGAIN",
	}},
}

func TestFileLockOracleLinux(t *testing.T) {
	if st, err := os.Stat("/dev/shm"); err != nil || !st.IsDir() {
		t.Skip("no /dev/shm")
	}
	if _, err := os.ReadFile("/proc/locks"); err != nil {
		t.Skip("no /proc/locks")
	}
	for _, sc := range fileLockOracle {
		t.Run(sc.name, func(t *testing.T) {
			dir, err := os.MkdirTemp("/dev/shm", "vfscope-locks-")
			if err != nil {
				t.Skip(err)
			}
			defer os.RemoveAll(dir)
			hostPath := dir + "/f"
			if err := os.WriteFile(hostPath, []byte("0123456789"), 0o644); err != nil {
				t.Fatal(err)
			}
			host := &lockHost{path: hostPath}
			e := vfstest.New(t)
			e.WriteFile("/f", "0123456789", 0o644)
			vs := &lockVFS{tk: e.Root, path: "/f"}
			defer host.closeAll()
			defer vs.closeAll()
			for d, m := range []string{"RW", "RW", "R"} {
				mustStep(t, host.open(d, m), vs.open(d, m))
			}
			for i, line := range sc.steps {
				want := ""
				if j := strings.Index(line, " => "); j >= 0 {
					want, line = line[j+4:], line[:j]
				}
				f := strings.Fields(line)
				hres, herr := host.step(t, f)
				vres, verr := vs.step(t, f)
				hn, vn := lockErrName(herr), lockErrName(verr)
				if want != "" && hn != want {
					t.Errorf("step %d %q: host %s, scenario says %s", i, line, hn, want)
				}
				if hn != vn {
					t.Errorf("step %d %q: host %s, vfscope %s", i, line, hn, vn)
				} else if hres != vres {
					t.Errorf("step %d %q: host %q, vfscope %q", i, line, hres, vres)
				}
				if hl, vl := host.locks(t), vs.locks(t); hl != vl {
					t.Errorf("step %d %q: locks differ:\n  host    %s\n  vfscope %s", i, line, hl, vl)
				}
			}
		})
	}
}

func mustStep(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func lockErrName(err error) string {
	if err == nil {
		return "OK"
	}
	if en, ok := err.(syscall.Errno); ok {
		return vfs.Errno(en).Name()
	}
	return vfs.ErrnoOf(err).Name()
}

func lockType(s string) int16 {
	switch s {
	case "R":
		return vfs.F_RDLCK
	case "W":
		return vfs.F_WRLCK
	case "U":
		return vfs.F_UNLCK
	}
	return 9
}

func lockWhence(s string) int16 {
	switch s {
	case "CUR":
		return vfs.SEEK_CUR
	case "END":
		return vfs.SEEK_END
	}
	return vfs.SEEK_SET
}

func lockNum(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(s)
	}
	return n
}

func lockHow(s string) int {
	how := 0
	for _, p := range strings.Split(s, "+") {
		switch p {
		case "SH":
			how |= vfs.LOCK_SH
		case "EX":
			how |= vfs.LOCK_EX
		case "UN":
			how |= vfs.LOCK_UN
		case "NB":
			how |= vfs.LOCK_NB
		}
	}
	if how == 0 {
		how = vfs.LOCK_SH | vfs.LOCK_EX
	}
	return how
}

func lockOpenFlags(s string) int {
	fl := 0
	for _, p := range strings.Split(s, "+") {
		switch p {
		case "R":
			fl |= vfs.O_RDONLY
		case "W":
			fl |= vfs.O_WRONLY
		case "RW":
			fl |= vfs.O_RDWR
		case "NB":
			fl |= vfs.O_NONBLOCK
		}
	}
	return fl
}

// fmtGetlk formats an F_GETLK answer; self is this side's pid.
func fmtGetlk(typ int16, start, len_ int64, pid, self int32) string {
	if typ == vfs.F_UNLCK {
		return "U"
	}
	p := fmt.Sprint(pid)
	if pid == self {
		p = "self"
	}
	return fmt.Sprintf("%s %d %d %s", typeName(typ), start, len_, p)
}

// parseProcLocks returns the locks of /proc/locks on (dev, ino) as
// sorted "CLASS [STATE] TYPE PID START END" lines, PID "self" for self.
func parseProcLocks(text string, dev, ino uint64, self int32) string {
	want := fmt.Sprintf("%02x:%02x:%d", vfs.Major(dev), vfs.Minor(dev), ino)
	var out []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || f[1] == "->" {
			continue
		}
		f = f[1:]
		// CLASS ADVISORY|STATE TYPE PID DEV START END
		if f[4] != want {
			continue
		}
		pid := f[3]
		if pid == fmt.Sprint(self) {
			pid = "self"
		}
		mid := ""
		if f[0] == "LEASE" {
			mid = f[1] + " "
		}
		out = append(out, fmt.Sprintf("%s %s%s %s %s %s", f[0], mid, f[2], pid, f[5], f[6]))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// lockHost is the host side: raw descriptors of one process.
type lockHost struct {
	path  string
	fds   [4]int
	open_ [4]bool
}

func (h *lockHost) open(d int, mode string) error {
	fd, err := syscall.Open(h.path, lockOpenFlags(mode)|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	h.fds[d], h.open_[d] = fd, true
	return nil
}

func (h *lockHost) closeAll() {
	for d := range h.fds {
		if h.open_[d] {
			syscall.Close(h.fds[d])
		}
	}
}

func (h *lockHost) fd(d int) int {
	if !h.open_[d] {
		return 1 << 20 // EBADF
	}
	return h.fds[d]
}

func (h *lockHost) fcntl(fd, cmd int, l *syscall.Flock_t) error {
	return syscall.FcntlFlock(uintptr(fd), cmd, l)
}

func (h *lockHost) step(t *testing.T, f []string) (string, error) {
	d := int(lockNum(f[1]))
	switch f[0] {
	case "posix":
		l := syscall.Flock_t{Type: lockType(f[2]), Whence: lockWhence(f[3]), Start: lockNum(f[4]), Len: lockNum(f[5])}
		if lockWhence(f[3]) == vfs.SEEK_CUR {
			syscall.Seek(h.fd(d), 4, 0)
		}
		return "", h.fcntl(h.fd(d), vfs.F_SETLK, &l)
	case "ofd", "getlk", "ofdgetlk":
		cmd := map[string]int{"ofd": vfs.F_OFD_SETLK, "getlk": vfs.F_GETLK, "ofdgetlk": vfs.F_OFD_GETLK}[f[0]]
		l := syscall.Flock_t{Type: lockType(f[2]), Start: lockNum(f[3]), Len: lockNum(f[4])}
		if err := h.fcntl(h.fd(d), cmd, &l); err != nil || f[0] == "ofd" {
			return "", err
		}
		return fmtGetlk(l.Type, l.Start, l.Len, l.Pid, int32(os.Getpid())), nil
	case "flock":
		return "", syscall.Flock(h.fd(d), lockHow(f[2]))
	case "open":
		return "", h.open(d, f[2])
	case "close":
		h.open_[d] = false
		return "", syscall.Close(h.fds[d])
	case "lease":
		arg := int(lockType(f[2]))
		_, _, en := syscall.Syscall(syscall.SYS_FCNTL, uintptr(h.fd(d)), vfs.F_SETLEASE, uintptr(arg))
		if en != 0 {
			return "", en
		}
		return "", nil
	case "getlease":
		r, _, en := syscall.Syscall(syscall.SYS_FCNTL, uintptr(h.fd(d)), vfs.F_GETLEASE, 0)
		if en != 0 {
			return "", en
		}
		return typeName(int16(r)), nil
	}
	t.Fatalf("unknown step %v", f)
	return "", nil
}

func (h *lockHost) locks(t *testing.T) string {
	var st syscall.Stat_t
	if err := syscall.Stat(h.path, &st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	return parseProcLocks(string(b), uint64(st.Dev), st.Ino, int32(os.Getpid()))
}

// lockVFS is the vfscope side: one Task.
type lockVFS struct {
	tk    *vfs.Task
	path  string
	fds   [4]int
	open_ [4]bool
}

func (v *lockVFS) open(d int, mode string) error {
	fd, err := v.tk.Open(v.path, lockOpenFlags(mode), 0)
	if err != nil {
		return err
	}
	v.fds[d], v.open_[d] = fd, true
	return nil
}

func (v *lockVFS) closeAll() {
	for d := range v.fds {
		if v.open_[d] {
			v.tk.Close(v.fds[d])
		}
	}
}

func (v *lockVFS) fd(d int) int {
	if !v.open_[d] {
		return 999
	}
	return v.fds[d]
}

func (v *lockVFS) step(t *testing.T, f []string) (string, error) {
	d := int(lockNum(f[1]))
	switch f[0] {
	case "posix":
		if lockWhence(f[3]) == vfs.SEEK_CUR {
			v.tk.Seek(v.fd(d), 4, vfs.SEEK_SET)
		}
		return "", v.tk.FcntlLock(v.fd(d), vfs.F_SETLK, &vfs.Flock{Type: lockType(f[2]), Whence: lockWhence(f[3]), Start: lockNum(f[4]), Len: lockNum(f[5])})
	case "ofd", "getlk", "ofdgetlk":
		cmd := map[string]int{"ofd": vfs.F_OFD_SETLK, "getlk": vfs.F_GETLK, "ofdgetlk": vfs.F_OFD_GETLK}[f[0]]
		l := vfs.Flock{Type: lockType(f[2]), Start: lockNum(f[3]), Len: lockNum(f[4])}
		if err := v.tk.FcntlLock(v.fd(d), cmd, &l); err != nil || f[0] == "ofd" {
			return "", err
		}
		return fmtGetlk(l.Type, l.Start, l.Len, l.PID, v.tk.PID()), nil
	case "flock":
		return "", v.tk.Flock(v.fd(d), lockHow(f[2]))
	case "open":
		return "", v.open(d, f[2])
	case "close":
		v.open_[d] = false
		return "", v.tk.Close(v.fds[d])
	case "lease":
		_, err := v.tk.Fcntl(v.fd(d), vfs.F_SETLEASE, int(lockType(f[2])))
		return "", err
	case "getlease":
		r, err := v.tk.Fcntl(v.fd(d), vfs.F_GETLEASE, 0)
		if err != nil {
			return "", err
		}
		return typeName(int16(r)), nil
	}
	t.Fatalf("unknown step %v", f)
	return "", nil
}

func (v *lockVFS) locks(t *testing.T) string {
	var st vfs.Stat
	if err := v.tk.Stat(v.path, &st); err != nil {
		t.Fatal(err)
	}
	return parseProcLocks(procLocksText(v.tk), st.Dev, st.Ino, v.tk.PID())
}

// TestFileLockOracleLinuxBlocked: requests waiting in F_OFD_SETLKW, as
// both sides' /proc/locks show them: a request that conflicts with an
// earlier waiter waits behind it (two levels deep), and the trees are
// handed on as locks are released.
func TestFileLockOracleLinuxBlocked(t *testing.T) {
	if st, err := os.Stat("/dev/shm"); err != nil || !st.IsDir() {
		t.Skip("no /dev/shm")
	}
	dir, err := os.MkdirTemp("/dev/shm", "vfscope-locks-")
	if err != nil {
		t.Skip(err)
	}
	defer os.RemoveAll(dir)
	hostPath := dir + "/f"
	if err := os.WriteFile(hostPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	host := &lockHost{path: hostPath}
	defer host.closeAll()
	e := vfstest.New(t)
	e.WriteFile("/f", "", 0o644)
	vs := &lockVFS{tk: e.Root, path: "/f"}
	defer vs.closeAll()
	for d := range 3 {
		mustStep(t, host.open(d, "RW"), vs.open(d, "RW"))
	}
	hostDone, vfsDone := make(chan error, 3), make(chan error, 3)
	wait := func(d int, typ int16, start, len_ int64) {
		l := syscall.Flock_t{Type: typ, Start: start, Len: len_}
		fd := host.fd(d)
		go func() { hostDone <- syscall.FcntlFlock(uintptr(fd), vfs.F_OFD_SETLKW, &l) }()
		w := e.Root.Fork(fmt.Sprintf("waiter%d", d)) // shares the descriptions
		vfd := vs.fd(d)
		go func() {
			defer w.Exit()
			vfsDone <- w.FcntlLock(vfd, vfs.F_OFD_SETLKW, &vfs.Flock{Type: typ, Start: start, Len: len_})
		}()
	}
	tree := func(text string, dev, ino uint64) string {
		want := fmt.Sprintf("%02x:%02x:%d", vfs.Major(dev), vfs.Minor(dev), ino)
		var out []string
		for _, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, " "+want+" ") {
				continue
			}
			_, rest, _ := strings.Cut(line, ": ")
			out = append(out, strings.Replace(rest, want, "FILE", 1))
		}
		return strings.Join(out, "\n")
	}
	hostTree := func() string {
		var st syscall.Stat_t
		syscall.Stat(hostPath, &st)
		b, _ := os.ReadFile("/proc/locks")
		return tree(string(b), uint64(st.Dev), st.Ino)
	}
	vfsTree := func() string {
		var st vfs.Stat
		e.Must(e.Root.Stat("/f", &st))
		return tree(procLocksText(e.Root), st.Dev, st.Ino)
	}
	// settle waits until both sides show n blocked requests.
	settle := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(hostTree(), "->") != n || strings.Count(vfsTree(), "->") != n {
			if time.Now().After(deadline) {
				t.Fatalf("want %d waiters:\nhost:\n%s\nvfscope:\n%s", n, hostTree(), vfsTree())
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
	}
	compare := func(what string) {
		t.Helper()
		if h, v := hostTree(), vfsTree(); h != v {
			t.Errorf("%s:\nhost:\n%s\nvfscope:\n%s", what, h, v)
		}
	}
	l := syscall.Flock_t{Type: vfs.F_WRLCK, Start: 0, Len: 10}
	mustStep(t, syscall.FcntlFlock(uintptr(host.fd(0)), vfs.F_OFD_SETLK, &l),
		vs.tk.FcntlLock(vs.fd(0), vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 10}))
	wait(1, vfs.F_WRLCK, 5, 1)
	settle(1)
	wait(2, vfs.F_RDLCK, 4, 3)
	settle(2)
	compare("two waiters, the second behind the first")
	// d0 unlocks: d1 gets 5-5 and d2 waits behind it.
	l = syscall.Flock_t{Type: vfs.F_UNLCK}
	mustStep(t, syscall.FcntlFlock(uintptr(host.fd(0)), vfs.F_OFD_SETLK, &l),
		vs.tk.FcntlLock(vs.fd(0), vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
	mustStep(t, <-hostDone, <-vfsDone)
	settle(1)
	compare("d1 holds, d2 waits")
	mustStep(t, syscall.FcntlFlock(uintptr(host.fd(1)), vfs.F_OFD_SETLK, &l),
		vs.tk.FcntlLock(vs.fd(1), vfs.F_OFD_SETLK, &vfs.Flock{Type: vfs.F_UNLCK}))
	mustStep(t, <-hostDone, <-vfsDone)
	settle(0)
	compare("d2 holds")
}
