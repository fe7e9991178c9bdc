package bridge

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// decodeStat reads a stat result (putStat) the way web/src/stats.ts does.
func decodeStat(d *decoder) vfs.Stat {
	var st vfs.Stat
	st.Dev = uint64(d.num())
	st.Ino = uint64(d.num())
	st.Mode = uint32(d.num())
	st.Nlink = uint32(d.num())
	st.UID = uint32(d.num())
	st.GID = uint32(d.num())
	st.Rdev = uint64(d.num())
	st.Size = d.num()
	st.Blksize = d.num()
	st.Blocks = d.num()
	st.MntID = int32(d.num())
	for _, p := range []*int64{&st.Atime, &st.Mtime, &st.Ctime, &st.Btime} {
		sec, nsec := d.num(), d.num()
		if nsec < 0 || nsec >= 1e9 {
			d.bad = true
		}
		*p = sec*1e9 + nsec
	}
	return st
}

// decodeDirents reads a readdir result the way web/src/ops.ts does:
// types, inode numbers, and the names joined by NUL.
func decodeDirents(t *testing.T, d *decoder) []vfs.Dirent {
	t.Helper()
	n := int(d.u32())
	types := d.bytes()
	inos := (&decoder{b: d.bytes()})
	blob := string(d.bytes())
	if d.bad || len(types) != n || len(inos.b) != 8*n {
		t.Fatalf("readdir: %d entries, %d types, %d bytes of inode numbers (bad=%v)", n, len(types), len(inos.b), d.bad)
	}
	var names []string
	if n > 0 {
		names = strings.Split(blob, "\x00")
	}
	if len(names) != n {
		t.Fatalf("readdir: %d entries, %d names in %q", n, len(names), blob)
	}
	out := make([]vfs.Dirent, n)
	for i := range out {
		out[i] = vfs.Dirent{Ino: uint64(inos.num()), Type: types[i], Name: names[i]}
	}
	return out
}

// TestStatTimes: each time crosses as seconds and nanoseconds, exact for
// times before the epoch too, and the other fields as numbers.
func TestStatTimes(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/f").raw([]byte("abc")).num(vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC).num(0o640), nil)
	for _, tc := range []struct {
		name         string
		atime, mtime int64
	}{
		{"zero", 0, 0},
		{"whole seconds", 5e9, 1700000000e9},
		{"nanoseconds", 123456789123456789, 1},
		{"before the epoch", -1, -1500000001},
		{"last nanosecond of a second", 999999999, 1999999999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := setAndStat(t, b, id, tc.atime, tc.mtime)
			if st.Atime != tc.atime || st.Mtime != tc.mtime {
				t.Errorf("atime %d mtime %d, want %d %d", st.Atime, st.Mtime, tc.atime, tc.mtime)
			}
			if st.Mode != vfs.S_IFREG|0o640 || st.Size != 3 || st.Nlink != 1 || st.Ino == 0 || st.MntID == 0 {
				t.Errorf("stat: %+v", st)
			}
		})
	}
}

// setAndStat sets a file's times with utimes, then stats it.
func setAndStat(t *testing.T, b *Bridge, id uint32, atime, mtime int64) vfs.Stat {
	t.Helper()
	// utimes takes non-negative times and -1/-2 as UTIME_NOW/OMIT, so
	// times before the epoch are set through the VFS directly.
	in := b.vfses[id]
	times := [2]vfs.Timespec{tsOf(atime), tsOf(mtime)}
	if err := in.task.Utimensat(vfs.AT_FDCWD, "/tmp/f", &times, 0); err != nil {
		t.Fatal(err)
	}
	d := exec(t, b, new(req).op("stat", id).str("/tmp/f"), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("stat: errno %d", e)
	}
	st := decodeStat(d)
	if d.bad || d.off != len(d.b) {
		t.Fatalf("stat: bad=%v, %d of %d bytes read", d.bad, d.off, len(d.b))
	}
	return st
}

func tsOf(ns int64) vfs.Timespec {
	sec, nsec := ns/1e9, ns%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	return vfs.Timespec{Sec: sec, Nsec: nsec}
}

// TestReaddirEncoding lists directories of several sizes and names
// (empty, one entry, names of every length class, multibyte names, more
// entries than one getdents64 buffer holds, subdirectories and
// symlinks) and checks every entry against lstat.
func TestReaddirEncoding(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	long := strings.Repeat("x", 255)
	many := make([]string, 3000)
	for i := range many {
		many[i] = fmt.Sprintf("file-with-a-longer-name-%05d", i)
	}
	for _, tc := range []struct {
		name  string
		files []string
		dirs  []string
		links []string
	}{
		{"empty", nil, nil, nil},
		{"one", []string{"a"}, nil, nil},
		{"mixed types", []string{"f"}, []string{"d"}, []string{"l"}},
		{"multibyte and long names", []string{"ünïcødé-文件", long, "😀", "a b\tc"}, nil, nil},
		{"past one getdents buffer", many, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := "/tmp/" + strings.ReplaceAll(tc.name, " ", "-")
			r := new(req).op("mkdir", id).str(dir).num(0o755)
			for _, f := range tc.files {
				r.op("writeFile", id).str(dir + "/" + f).raw(nil).num(vfs.O_WRONLY | vfs.O_CREAT).num(0o644)
			}
			for _, f := range tc.dirs {
				r.op("mkdir", id).str(dir + "/" + f).num(0o755)
			}
			for _, f := range tc.links {
				r.op("symlink", id).str("target").str(dir + "/" + f)
			}
			d := exec(t, b, r, nil)
			for range 1 + len(tc.files) + len(tc.dirs) + len(tc.links) {
				if e := d.u32(); e != 0 {
					t.Fatalf("setup: errno %d", e)
				}
			}
			d = exec(t, b, new(req).op("readdir", id).str(dir), nil)
			if e := d.u32(); e != 0 {
				t.Fatalf("readdir: errno %d", e)
			}
			ents := decodeDirents(t, d)
			if d.off != len(d.b) {
				t.Fatalf("readdir: %d of %d bytes read", d.off, len(d.b))
			}
			want := slices.Concat(tc.files, tc.dirs, tc.links)
			var got []string
			in := b.vfses[id]
			for _, e := range ents {
				got = append(got, e.Name)
				var st vfs.Stat
				if err := in.task.Lstat(dir+"/"+e.Name, &st); err != nil {
					t.Fatalf("lstat %q: %v", e.Name, err)
				}
				if e.Ino != st.Ino || e.Type != vfs.DTType(st.Mode) {
					t.Errorf("%q: ino %d type %d, lstat says %d %d", e.Name, e.Ino, e.Type, st.Ino, vfs.DTType(st.Mode))
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("names %q, want %q", got, want)
			}
		})
	}
}

// TestReaddirErrors: the errno of a path that is not a directory or does
// not exist, and the response stays decodable after it.
func TestReaddirErrors(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	d := exec(t, b, new(req).
		op("writeFile", id).str("/tmp/f").raw(nil).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o644).
		op("readdir", id).str("/tmp/f").
		op("readdir", id).str("/tmp/none").
		op("readdir", id).str("/dev"), nil)
	for i, want := range []vfs.Errno{0, vfs.ENOTDIR, vfs.ENOENT, 0} {
		if got := vfs.Errno(d.u32()); got != want {
			t.Fatalf("operation %d: errno %v, want %v", i, got, want)
		}
	}
	if ents := decodeDirents(t, d); len(ents) == 0 {
		t.Errorf("/dev: no entries")
	}
	if d.off != len(d.b) {
		t.Errorf("%d of %d bytes read", d.off, len(d.b))
	}
}

// TestVFSLookupAfterClose: the VFS an operation names is found again
// after another was used, and a closed one is refused even though the
// previous operation named it.
func TestVFSLookupAfterClose(t *testing.T) {
	b := New()
	v1, v2 := newVFS(t, b), newVFS(t, b)
	exec(t, b, new(req).op("mkdir", v1).str("/tmp/one").num(0o755).op("mkdir", v2).str("/tmp/two").num(0o755), nil)
	for _, tc := range []struct {
		id   uint32
		path string
		want vfs.Errno
	}{
		{v1, "/tmp/one", 0}, {v2, "/tmp/one", vfs.ENOENT}, {v2, "/tmp/two", 0}, {v1, "/tmp/two", vfs.ENOENT},
	} {
		d := exec(t, b, new(req).op("stat", tc.id).str(tc.path), nil)
		if got := vfs.Errno(d.u32()); got != tc.want {
			t.Errorf("VFS %d stat %s: errno %v, want %v", tc.id, tc.path, got, tc.want)
		}
	}
	exec(t, b, new(req).op("stat", v1).str("/").op("vfsClose", v1), nil)
	if _, err := b.Exec(new(req).op("stat", v1).str("/").bytes(), NoEnv{}); err == nil || !strings.Contains(err.Error(), "no VFS") {
		t.Errorf("stat on a closed VFS: %v", err)
	}
}

// TestReadFileSizes: readFile returns every byte of files around the
// page size and past its 64 KiB chunks, of files that grew after an
// earlier read, and of procfs files, which report size 0.
func TestReadFileSizes(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	for _, n := range []int{0, 1, 4095, 4096, 4097, 65536, 200001} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(i*7 + n)
			}
			path := fmt.Sprintf("/tmp/f%d", n)
			d := exec(t, b, new(req).
				op("writeFile", id).str(path).raw(data).num(vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC).num(0o644).
				op("readFile", id).str(path).
				op("writeFile", id).str(path).raw([]byte("more")).num(vfs.O_WRONLY|vfs.O_APPEND).num(0).
				op("readFile", id).str(path), nil)
			for i, want := range [][]byte{data, append(slices.Clone(data), "more"...)} {
				if e := d.u32(); e != 0 {
					t.Fatalf("writeFile %d: errno %d", i, e)
				}
				if e := d.u32(); e != 0 {
					t.Fatalf("readFile %d: errno %d", i, e)
				}
				if got := d.bytes(); !bytes.Equal(got, want) {
					t.Fatalf("readFile %d: %d bytes, want %d (equal prefix: %v)", i, len(got), len(want), bytes.HasPrefix(want, got))
				}
			}
		})
	}
	d := exec(t, b, new(req).op("readFile", id).str("/proc/mounts").op("readFile", id).str("/proc/meminfo"), nil)
	for _, want := range []string{"none / tmpfs", "MemTotal:"} {
		if e := d.u32(); e != 0 {
			t.Fatalf("errno %d", e)
		}
		if got := string(d.bytes()); !strings.Contains(got, want) || !strings.HasSuffix(got, "\n") {
			t.Errorf("procfs file without %q or cut short: %q", want, got)
		}
	}
}

// TestThirtyTwoBitArguments: a mode, flags, uid or gid past 32 bits is
// EINVAL, not its low bits (chown(2)'s uid_t and the mode and flags of
// chmod(2), renameat2(2) and mount(2) are 32-bit; node's fs throws
// ERR_OUT_OF_RANGE for them). uid and gid -1 still mean "unchanged".
func TestThirtyTwoBitArguments(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	exec(t, b, new(req).op("writeFile", id).str("/tmp/f").raw(nil).num(vfs.O_WRONLY|vfs.O_CREAT).num(0o644), nil)
	exec(t, b, new(req).op("mkdir", id).str("/mnt").num(0o755), nil)
	const big = 1 << 32
	for _, tc := range []struct {
		name  string
		r     *req
		errno vfs.Errno
	}{
		{"chown uid 2^32+5", new(req).op("chown", id).str("/tmp/f").num(big + 5).num(0), vfs.EINVAL},
		{"chown gid -2", new(req).op("chown", id).str("/tmp/f").num(0).num(-2), vfs.EINVAL},
		{"chown -1 -1 leaves both", new(req).op("chown", id).str("/tmp/f").num(-1).num(-1), 0},
		{"lchown gid 2^32", new(req).op("lchown", id).str("/tmp/f").num(0).num(big), vfs.EINVAL},
		{"chmod 2^32+0o600", new(req).op("chmod", id).str("/tmp/f").num(big + 0o600), vfs.EINVAL},
		{"chmod 0o600", new(req).op("chmod", id).str("/tmp/f").num(0o600), 0},
		{"mkdir mode -1", new(req).op("mkdir", id).str("/tmp/d").num(-1), vfs.EINVAL},
		{"rename flags 2^32", new(req).op("rename", id).str("/tmp/f").str("/tmp/g").num(big), vfs.EINVAL},
		{"mount flags 2^40", new(req).op("mount", id).str("none").str("/mnt").str("tmpfs").num(1 << 40).str(""), vfs.EINVAL},
		{"umount flags 2^32", new(req).op("umount", id).str("/mnt").num(big), vfs.EINVAL},
		{"open mode 2^32", new(req).op("open", id).str("/tmp/n").num(vfs.O_WRONLY | vfs.O_CREAT).num(big), vfs.EINVAL},
		{"open flags 2^32", new(req).op("open", id).str("/tmp/f").num(big).num(0), vfs.EINVAL},
		{"writeFile mode 2^33", new(req).op("writeFile", id).str("/tmp/n").raw(nil).num(vfs.O_WRONLY | vfs.O_CREAT).num(2 * big), vfs.EINVAL},
		{"access mode 2^32", new(req).op("access", id).str("/tmp/f").num(big), vfs.EINVAL},
	} {
		d := exec(t, b, tc.r, nil)
		if e := vfs.Errno(d.u32()); e != tc.errno {
			t.Errorf("%s: errno %v, want %v", tc.name, e, tc.errno)
		}
	}
}
