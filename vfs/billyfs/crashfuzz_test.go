package billyfs_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// byteAt is what every write of the file whose seed is seed puts at
// offset off, so that any byte read back is either that or zero (a
// hole), never another file's or another place's.
func byteAt(seed byte, off int64) byte { return seed ^ byte(off*7+off>>12) | 1 }

// TestCrashRandom runs random workloads (create, write, truncate,
// rename, unlink, link, fsync, sync) and crashes each at a random
// point (Shutdown), then mounts the store again and checks what a
// crash may and may not do:
//
//   - every name resolves (no entry names a missing inode);
//   - each inode's link count is its number of names;
//   - statfs counts exactly the pages the files hold;
//   - every byte of every file is that file's own or zero;
//   - a file fsync'd and not changed since has its fsync'd content.
func TestCrashRandom(t *testing.T) {
	iterations := 25
	if testing.Short() {
		iterations = 5
	}
	for it := 0; it < iterations; it++ {
		t.Run(fmt.Sprint(it), func(t *testing.T) { crashOnce(t, int64(it)) })
	}
}

func crashOnce(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	e := newEnv(t, "")
	e.mount("size=16m")
	r := e.Root
	type state struct {
		seed   byte
		data   []byte // the content now
		synced []byte // the content at the last fsync, nil if changed since
	}
	files := map[uint64]*state{} // by inode number
	names := []string{"a", "b", "c", "d", "e", "f"}
	path := func(n string) string { return "/mnt/" + n }
	ino := func(n string) (uint64, bool) {
		var st vfs.Stat
		if r.Lstat(path(n), &st) != nil {
			return 0, false
		}
		return st.Ino, true
	}
	steps := 20 + rng.Intn(40)
	for s := 0; s < steps; s++ {
		n := names[rng.Intn(len(names))]
		i, exists := ino(n)
		switch op := rng.Intn(11); {
		case !exists || op == 0:
			if exists {
				continue
			}
			e.WriteFile(path(n), "", 0o644)
			i, _ = ino(n)
			files[i] = &state{seed: byte(rng.Intn(256)), synced: []byte{}}
		case op < 5:
			f := files[i]
			off := int64(rng.Intn(30000))
			ln := 1 + rng.Intn(12000)
			buf := make([]byte, ln)
			for k := range buf {
				buf[k] = byteAt(f.seed, off+int64(k))
			}
			fd, err := r.Open(path(n), vfs.O_WRONLY, 0)
			e.Must(err)
			_, err = r.Pwrite(fd, buf, off)
			e.Must(err)
			e.Must(r.Close(fd))
			if int64(len(f.data)) < off+int64(ln) {
				f.data = append(f.data, make([]byte, off+int64(ln)-int64(len(f.data)))...)
			}
			copy(f.data[off:], buf)
			f.synced = nil
		case op == 5:
			f := files[i]
			size := int64(rng.Intn(20000))
			e.Must(r.Truncate(path(n), size))
			if size < int64(len(f.data)) {
				f.data = f.data[:size]
			} else {
				f.data = append(f.data, make([]byte, size-int64(len(f.data)))...)
			}
			f.synced = nil
		case op == 6:
			e.Must(r.Rename(path(n), path(names[rng.Intn(len(names))])))
		case op == 7:
			e.Must(r.Unlink(path(n)))
		case op == 9:
			to := names[rng.Intn(len(names))]
			if _, taken := ino(to); !taken {
				e.Must(r.Link(path(n), path(to)))
			}
		case op == 8:
			fd, err := r.Open(path(n), vfs.O_RDWR, 0)
			e.Must(err)
			e.Must(r.Fsync(fd))
			e.Must(r.Close(fd))
			files[i].synced = append([]byte{}, files[i].data...)
		default:
			r.Sync()
		}
	}
	// The files still named, by inode, before the crash.
	named := map[uint64]bool{}
	for _, n := range names {
		if i, ok := ino(n); ok {
			named[i] = true
		}
	}
	e.Must(billyfs.Shutdown(e.store))
	e.umount()
	e.mount("size=16m")

	links := map[uint64]int{}
	var pages int64
	seen := map[uint64]bool{}
	got, err := e.Names("/mnt")
	e.Must(err)
	for _, n := range got {
		var st vfs.Stat
		if err := r.Lstat(path(n), &st); err != nil {
			t.Fatalf("%s: %v after the crash", n, err)
		}
		links[st.Ino]++
		f := files[st.Ino]
		if f == nil {
			t.Fatalf("%s: inode %d was never made", n, st.Ino)
		}
		content := e.content(path(n))
		for k, b := range content {
			if b != 0 && b != byteAt(f.seed, int64(k)) {
				t.Fatalf("%s: byte %d is %#x: not the file's, not zero", n, k, b)
			}
		}
		if f.synced != nil && named[st.Ino] && !bytes.Equal(content, f.synced) {
			t.Fatalf("%s: fsync'd and unchanged, but differs at %d (%d bytes, fsync'd %d)", n, firstDiff(content, f.synced), len(content), len(f.synced))
		}
		if !seen[st.Ino] {
			seen[st.Ino] = true
			pages += st.Blocks / 8
		}
	}
	for i, c := range links {
		var st vfs.Stat
		for _, n := range got {
			if j, _ := ino(n); j == i {
				e.Must(r.Lstat(path(n), &st))
				break
			}
		}
		if int(st.Nlink) != c {
			t.Fatalf("inode %d has %d names and link count %d", i, c, st.Nlink)
		}
	}
	if fs := e.statfs(); int64(fs.Blocks-fs.Bfree) != pages {
		t.Fatalf("statfs counts %d pages in use, the files hold %d", fs.Blocks-fs.Bfree, pages)
	}
}

// TestCrashPoints crashes at a random store call instead of between
// operations: from the chosen call on, every call on the store fails
// (power is lost mid-operation), the workload (files as in
// TestCrashRandom, and empty directories made and removed) stops at
// its first EIO, and the store is mounted again with the same checks,
// and directories' link counts.
func TestCrashPoints(t *testing.T) {
	iterations := 40
	if testing.Short() {
		iterations = 8
	}
	for it := 0; it < iterations; it++ {
		t.Run(fmt.Sprint(it), func(t *testing.T) { crashPointOnce(t, int64(it)) })
	}
}

func crashPointOnce(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	e, s := faultEnv(t)
	e.umount()
	e.mount("size=16m")
	r := e.Root
	type state struct {
		seed   byte
		synced []byte
	}
	files := map[uint64]*state{}
	names := []string{"a", "b", "c", "d", "e"}
	path := func(n string) string { return "/mnt/" + n }
	ino := func(n string) (uint64, error) {
		var st vfs.Stat
		err := r.Lstat(path(n), &st)
		return st.Ino, err
	}
	data := map[uint64][]byte{}
	s.Add(faultstore.Rule{Nth: 1 + rng.Intn(120), Always: true, Err: vfs.EIO})
	var err error
	for step := 0; step < 60 && err != vfs.EIO; step++ {
		n := names[rng.Intn(len(names))]
		var i uint64
		i, err = ino(n)
		if err == vfs.ENOENT && rng.Intn(4) == 0 {
			err = r.Mkdir(path(n), 0o755)
			continue
		}
		if err == vfs.ENOENT {
			var fd int
			if fd, err = r.Open(path(n), vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0o644); err == nil {
				err = r.Close(fd)
				if i, err = ino(n); err == nil {
					files[i] = &state{seed: byte(rng.Intn(256))}
				}
			}
			continue
		}
		if err != nil {
			break
		}
		f := files[i]
		if f == nil {
			// A directory: remove it (the other names may go into it
			// no deeper than this test looks).
			err = r.Rmdir(path(n))
			continue
		}
		switch op := rng.Intn(8); {
		case op < 4:
			f.synced = nil
			off := int64(rng.Intn(30000))
			buf := make([]byte, 1+rng.Intn(12000))
			for k := range buf {
				buf[k] = byteAt(f.seed, off+int64(k))
			}
			var fd int
			if fd, err = r.Open(path(n), vfs.O_WRONLY, 0); err == nil {
				if _, err = r.Pwrite(fd, buf, off); err == nil {
					err = r.Close(fd)
				}
			}
			d := data[i]
			if end := off + int64(len(buf)); int64(len(d)) < end {
				d = append(d, make([]byte, end-int64(len(d)))...)
			}
			copy(d[off:], buf)
			data[i] = d
		case op == 4:
			f.synced = nil
			size := int64(rng.Intn(20000))
			err = r.Truncate(path(n), size)
			d := data[i]
			if size < int64(len(d)) {
				d = d[:size]
			} else {
				d = append(d, make([]byte, size-int64(len(d)))...)
			}
			data[i] = d
		case op == 5:
			err = r.Rename(path(n), path(names[rng.Intn(len(names))]))
		case op == 6:
			err = r.Unlink(path(n))
		default:
			var fd int
			if fd, err = r.Open(path(n), vfs.O_RDWR, 0); err == nil {
				if err = r.Fsync(fd); err == nil {
					f.synced = append([]byte{}, data[i]...)
				}
				r.Close(fd)
			}
		}
	}
	billyfs.Shutdown(e.store)
	e.umount()
	s.Clear()
	e.mount("size=16m")

	got, err := e.Names("/mnt")
	e.Must(err)
	links := map[uint64]int{}
	nlink := map[uint64]uint32{}
	var pages int64
	dirs := uint32(0)
	for _, n := range got {
		var st vfs.Stat
		if err := r.Lstat(path(n), &st); err != nil {
			t.Fatalf("%s: %v after the crash", n, err)
		}
		if vfs.IsDir(st.Mode) {
			sub, err := e.Names(path(n))
			e.Must(err)
			if len(sub) != 0 || st.Nlink != 2 {
				t.Fatalf("directory %s: entries %v, link count %d", n, sub, st.Nlink)
			}
			dirs++
			continue
		}
		f := files[st.Ino]
		if f == nil {
			// Made by a create the crash cut short: empty or holes.
			f = &state{}
		}
		content := e.content(path(n))
		for k, b := range content {
			if b != 0 && (files[st.Ino] == nil || b != byteAt(f.seed, int64(k))) {
				t.Fatalf("%s: byte %d is %#x: not the file's, not zero", n, k, b)
			}
		}
		if f.synced != nil && !bytes.Equal(content, f.synced) {
			t.Fatalf("%s: fsync'd and unchanged, but differs at %d (%d bytes, fsync'd %d)", n, firstDiff(content, f.synced), len(content), len(f.synced))
		}
		if links[st.Ino] == 0 {
			pages += st.Blocks / 8
		}
		links[st.Ino]++
		nlink[st.Ino] = st.Nlink
	}
	for i, c := range links {
		if int(nlink[i]) != c {
			t.Fatalf("inode %d has %d names and link count %d", i, c, nlink[i])
		}
	}
	if fs := e.statfs(); int64(fs.Blocks-fs.Bfree) != pages {
		t.Fatalf("statfs counts %d pages in use, the files hold %d", fs.Blocks-fs.Bfree, pages)
	}
	if st := e.Stat("/mnt"); st.Nlink != 2+dirs {
		t.Fatalf("the root has link count %d with %d subdirectories", st.Nlink, dirs)
	}
}
