package host

import (
	"fmt"
	"os"
	"strings"
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/vfscope/vfscope/vfs"
)

// sysNames names wazero's errno values (sys.Errno has no Name method).
var sysNames = map[experimentalsys.Errno]string{
	experimentalsys.EACCES:       "EACCES",
	experimentalsys.EAGAIN:       "EAGAIN",
	experimentalsys.EBADF:        "EBADF",
	experimentalsys.EEXIST:       "EEXIST",
	experimentalsys.EFAULT:       "EFAULT",
	experimentalsys.EINTR:        "EINTR",
	experimentalsys.EINVAL:       "EINVAL",
	experimentalsys.EIO:          "EIO",
	experimentalsys.EISDIR:       "EISDIR",
	experimentalsys.ELOOP:        "ELOOP",
	experimentalsys.ENAMETOOLONG: "ENAMETOOLONG",
	experimentalsys.ENOENT:       "ENOENT",
	experimentalsys.ENOSYS:       "ENOSYS",
	experimentalsys.ENOTDIR:      "ENOTDIR",
	experimentalsys.ERANGE:       "ERANGE",
	experimentalsys.ENOTEMPTY:    "ENOTEMPTY",
	experimentalsys.ENOTSOCK:     "ENOTSOCK",
	experimentalsys.ENOTSUP:      "ENOTSUP",
	experimentalsys.EPERM:        "EPERM",
	experimentalsys.EROFS:        "EROFS",
}

// wantSys is the expectation, written out a second time on purpose: a
// change of ErrnoTable must be made here too, deliberately.
var wantSys = map[vfs.Errno]experimentalsys.Errno{
	vfs.EPERM:        experimentalsys.EPERM,
	vfs.ENOENT:       experimentalsys.ENOENT,
	vfs.ESRCH:        experimentalsys.ENOENT,
	vfs.EINTR:        experimentalsys.EINTR,
	vfs.EIO:          experimentalsys.EIO,
	vfs.ENXIO:        experimentalsys.EIO,
	vfs.E2BIG:        experimentalsys.EINVAL,
	vfs.EBADF:        experimentalsys.EBADF,
	vfs.EAGAIN:       experimentalsys.EAGAIN,
	vfs.ENOMEM:       experimentalsys.EIO,
	vfs.EACCES:       experimentalsys.EACCES,
	vfs.EFAULT:       experimentalsys.EFAULT,
	vfs.EBUSY:        experimentalsys.EIO,
	vfs.EEXIST:       experimentalsys.EEXIST,
	vfs.EXDEV:        experimentalsys.EIO,
	vfs.ENODEV:       experimentalsys.EIO,
	vfs.ENOTDIR:      experimentalsys.ENOTDIR,
	vfs.EISDIR:       experimentalsys.EISDIR,
	vfs.EINVAL:       experimentalsys.EINVAL,
	vfs.ENFILE:       experimentalsys.EBADF,
	vfs.EMFILE:       experimentalsys.EBADF,
	vfs.ENOTTY:       experimentalsys.ENOTSUP,
	vfs.ETXTBSY:      experimentalsys.EIO,
	vfs.EFBIG:        experimentalsys.EINVAL,
	vfs.ENOSPC:       experimentalsys.EIO,
	vfs.ESPIPE:       experimentalsys.EINVAL,
	vfs.EROFS:        experimentalsys.EROFS,
	vfs.EMLINK:       experimentalsys.EIO,
	vfs.EPIPE:        experimentalsys.EIO,
	vfs.ERANGE:       experimentalsys.ERANGE,
	vfs.EDEADLK:      experimentalsys.EIO,
	vfs.ENAMETOOLONG: experimentalsys.ENAMETOOLONG,
	vfs.ENOLCK:       experimentalsys.EIO,
	vfs.ENOSYS:       experimentalsys.ENOSYS,
	vfs.ENOTEMPTY:    experimentalsys.ENOTEMPTY,
	vfs.ELOOP:        experimentalsys.ELOOP,
	vfs.ENODATA:      experimentalsys.ENOENT,
	vfs.EOVERFLOW:    experimentalsys.ERANGE,
	vfs.EOPNOTSUPP:   experimentalsys.ENOTSUP,
	vfs.ESTALE:       experimentalsys.EIO,
	vfs.EDQUOT:       experimentalsys.EIO,
}

// TestToSysErrno checks every errno the VFS defines, row by row.
func TestToSysErrno(t *testing.T) {
	rows := map[vfs.Errno]ErrnoRow{}
	for _, r := range ErrnoTable {
		if _, dup := rows[r.Linux]; dup {
			t.Errorf("%s has two rows", r.Linux.Name())
		}
		rows[r.Linux] = r
	}
	for _, e := range vfs.Errnos() {
		t.Run(e.Name(), func(t *testing.T) {
			r, ok := rows[e]
			if !ok {
				t.Fatalf("no row in ErrnoTable for %s (%d)", e.Name(), e)
			}
			want, ok := wantSys[e]
			if !ok {
				t.Fatalf("no expectation for %s in wantSys", e.Name())
			}
			if got := ToSysErrno(e); got != want {
				t.Errorf("ToSysErrno(%s) = %s, want %s", e.Name(), sysNames[got], sysNames[want])
			}
			if r.Sys != want {
				t.Errorf("row says %s, want %s", sysNames[r.Sys], sysNames[want])
			}
			if _, ok := sysNames[r.Sys]; !ok {
				t.Errorf("row maps to %d, not a wazero errno", r.Sys)
			}
			// Exact means the same name, or Linux's one number for
			// EOPNOTSUPP and ENOTSUP.
			same := sysNames[r.Sys] == e.Name() || e == vfs.EOPNOTSUPP && r.Sys == experimentalsys.ENOTSUP
			if r.Exact != same {
				t.Errorf("Exact = %v, but %s -> %s", r.Exact, e.Name(), sysNames[r.Sys])
			}
			if !r.Exact && len(r.Why) < 20 {
				t.Errorf("a lossy row needs its reason, got %q", r.Why)
			}
			if err := error(e); sysErr(err) != want {
				t.Errorf("sysErr(%s) = %s", e.Name(), sysNames[sysErr(err)])
			}
		})
	}
	defined := map[vfs.Errno]bool{}
	for _, e := range vfs.Errnos() {
		defined[e] = true
	}
	prev := vfs.Errno(0)
	for _, r := range ErrnoTable {
		if !defined[r.Linux] {
			t.Errorf("row for %d, which the VFS does not define", r.Linux)
		}
		if r.Linux <= prev {
			t.Errorf("rows out of numeric order at %s", r.Linux.Name())
		}
		prev = r.Linux
	}
}

func TestToSysErrnoEdges(t *testing.T) {
	for _, c := range []struct {
		name string
		in   vfs.Errno
		want experimentalsys.Errno
	}{
		{"zero is success", 0, 0},
		{"a number without a row is EIO", 200, experimentalsys.EIO},
		{"beyond the index is EIO", 4000, experimentalsys.EIO},
	} {
		if got := ToSysErrno(c.in); got != c.want {
			t.Errorf("%s: ToSysErrno(%d) = %v, want %v", c.name, c.in, got, c.want)
		}
	}
	if got := sysErr(nil); got != 0 {
		t.Errorf("sysErr(nil) = %v", got)
	}
	if got := sysErr(fmt.Errorf("foreign")); got != experimentalsys.EIO {
		t.Errorf("sysErr(foreign error) = %v, want EIO (vfs.ErrnoOf)", got)
	}
}

// readmeTable renders ErrnoTable as README.md's "WASI errno mapping"
// table prints it.
func readmeTable() []string {
	out := []string{
		"| Linux errno | wazero `sys.Errno` | kept? | where the VFS returns it, and why this value |",
		"| --- | --- | --- | --- |",
	}
	for _, r := range ErrnoTable {
		kept := "exact"
		if !r.Exact {
			kept = "**lost**"
		}
		out = append(out, fmt.Sprintf("| `%s` (%d) | `%s` | %s | %s |", r.Linux.Name(), r.Linux, sysNames[r.Sys], kept, r.Why))
	}
	return out
}

// TestErrnoREADME keeps README.md's table equal to ErrnoTable.
func TestErrnoREADME(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skipf("README.md: %v", err)
	}
	lines := strings.Split(string(b), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == "## WASI errno mapping" {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatal(`README.md has no "## WASI errno mapping" section`)
	}
	var got []string
	for _, l := range lines[start+1:] {
		if strings.HasPrefix(l, "## ") {
			break
		}
		if strings.HasPrefix(l, "|") {
			got = append(got, l)
		} else if len(got) > 0 {
			break
		}
	}
	want := readmeTable()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README.md's WASI errno mapping table differs from ErrnoTable; it should read:\n%s", strings.Join(want, "\n"))
	}
}
