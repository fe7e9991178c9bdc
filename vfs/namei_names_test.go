package vfs_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestLookupNameWords looks up names that differ only past one of the
// boundaries of the lock-free compare (nameWords' two 8-byte words, the
// 16 bytes after which the whole name is compared, the length in
// hash_len), in both walk modes, before and after renames that install
// names the dentry was not allocated with.
func TestLookupNameWords(t *testing.T) {
	_, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{
		"a", "ab", "abcdefg", "abcdefgh", "abcdefgh1", "abcdefgi",
		"abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnoq",
		"abcdefghijklmnopq", "abcdefghijklmnopr", "abcdefghijklmnopqrstuvwxyz",
		"abcdefghijklmnopqrstuvwxyZ", strings.Repeat("x", vfs.NAME_MAX),
	}
	if err := task.Mkdir("/n", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := task.Mkdir("/n/"+n, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := createFile(task, "/n/"+n+"/f"); err != nil {
			t.Fatal(err)
		}
	}
	// check stats every name under /n and the file in it: each must be
	// its own inode, found by the lock-free walk by itself.
	check := func(when string, names []string) map[string]uint64 {
		inos := map[string]uint64{}
		seen := map[uint64]string{}
		for _, n := range names {
			for _, p := range []string{"/n/" + n, "/n/" + n + "/f"} {
				var st vfs.Stat
				if err := task.Stat(p, &st); err != nil {
					t.Fatalf("%s: stat %q: %v", when, p, err)
				}
				if other, ok := seen[st.Ino]; ok {
					t.Errorf("%s: %q and %q are both inode %d", when, p, other, st.Ino)
				}
				seen[st.Ino] = p
				inos[p] = st.Ino
				rcu, rcuErr := vfs.WalkForTest(task, p, 0, true)
				ref, refErr := vfs.WalkForTest(task, p, 0, false)
				if rcuErr != nil || refErr != nil || rcu != ref {
					t.Errorf("%s: %q: rcu %v %v, ref-walk %v %v", when, p, dentryName(rcu), rcuErr, dentryName(ref), refErr)
				}
			}
		}
		return inos
	}
	missing := []string{
		"abc", "abcdefgh2", "abcdefghi", "abcdefghijklmn", "abcdefghijklmnoo",
		"abcdefghijklmnopp", "abcdefghijklmnopqr", "abcdefghijklmnopqrstuvwxyz0",
		"abcdefghijklmnopqrstuvwxy", strings.Repeat("x", vfs.NAME_MAX-1) + "y",
	}
	checkMissing := func(when string, missing []string) {
		for _, n := range missing {
			var st vfs.Stat
			if err := task.Stat("/n/"+n, &st); err != vfs.ENOENT {
				t.Errorf("%s: stat of missing %q: %v, want ENOENT", when, n, err)
			}
		}
	}
	// The same names by relative paths, some shorter than a word, and
	// with doubled and trailing slashes.
	for _, n := range names {
		for _, p := range []string{"n/" + n, "n//" + n + "/", "/n/" + n + "//f", "n/" + n + "/f"} {
			rcu, rcuErr := vfs.WalkForTest(task, p, 0, true)
			ref, refErr := vfs.WalkForTest(task, p, 0, false)
			if rcuErr != nil || refErr != nil || rcu != ref {
				t.Errorf("%q: rcu %v %v, ref-walk %v %v", p, dentryName(rcu), rcuErr, dentryName(ref), refErr)
			}
		}
	}
	before := check("allocated names", names)
	checkMissing("allocated names", missing)

	// Rename each to a name of another length and word layout, then
	// back: the lookups must follow every name change.
	renamed := make([]string, len(names))
	for i, n := range names {
		renamed[i] = "r" + n[:len(n)/2] + "-" + n[len(n)/2:]
		if len(renamed[i]) > vfs.NAME_MAX {
			renamed[i] = renamed[i][:vfs.NAME_MAX]
		}
		if err := task.Rename("/n/"+n, "/n/"+renamed[i]); err != nil {
			t.Fatal(err)
		}
	}
	after := check("renamed", renamed)
	checkMissing("renamed", names)
	for i, n := range names {
		if before["/n/"+n] != after["/n/"+renamed[i]] {
			t.Errorf("%q renamed to %q: inode %d became %d", n, renamed[i], before["/n/"+n], after["/n/"+renamed[i]])
		}
		if err := task.Rename("/n/"+renamed[i], "/n/"+n); err != nil {
			t.Fatal(err)
		}
	}
	check("renamed back", names)
	checkMissing("renamed back", renamed)
}

// TestStatErrorOrder: stat's lock-free path reads the name for NUL
// bytes only when its plain walk stops early, yet its errors must come
// in getname()'s order (length, NUL, empty) before any the walk would
// find.
func TestStatErrorOrder(t *testing.T) {
	_, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"/e", "/e/d", "/e/d/sub"} {
		if err := task.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := createFile(task, "/e/d/f"); err != nil {
		t.Fatal(err)
	}
	if err := task.Symlink("d", "/e/l"); err != nil {
		t.Fatal(err)
	}
	long := "/" + strings.Repeat("a/", vfs.PATH_MAX/2)
	tests := []struct {
		name  string
		dfd   int
		path  string
		flags int
		want  error
	}{
		{"plain file", vfs.AT_FDCWD, "/e/d/f", 0, nil},
		{"NUL in the last component", vfs.AT_FDCWD, "/e/d/f\x00", 0, vfs.EINVAL},
		{"NUL alone as the last component", vfs.AT_FDCWD, "/e/d/\x00", 0, vfs.EINVAL},
		{"NUL in a middle component", vfs.AT_FDCWD, "/e/d\x00/f", 0, vfs.EINVAL},
		{"NUL after a trailing slash", vfs.AT_FDCWD, "/e/d/sub/\x00", 0, vfs.EINVAL},
		{"NUL after a missing name", vfs.AT_FDCWD, "/e/nope/x\x00", 0, vfs.EINVAL},
		{"NUL under a file", vfs.AT_FDCWD, "/e/d/f/x\x00", 0, vfs.EINVAL},
		{"NUL after a trailing slash on a file", vfs.AT_FDCWD, "/e/d/f/\x00", 0, vfs.EINVAL},
		{"NUL after a symlink", vfs.AT_FDCWD, "/e/l/f\x00", 0, vfs.EINVAL},
		{"NUL after dotdot", vfs.AT_FDCWD, "/e/d/../d/f\x00", 0, vfs.EINVAL},
		{"NUL, not followed", vfs.AT_FDCWD, "/e/l\x00", vfs.AT_SYMLINK_NOFOLLOW, vfs.EINVAL},
		{"NUL with a bad descriptor", 1000, "d\x00", 0, vfs.EINVAL},
		{"bad descriptor", 1000, "d", 0, vfs.EBADF},
		{"too long, with a NUL", vfs.AT_FDCWD, long + "\x00", 0, vfs.ENAMETOOLONG},
		{"missing", vfs.AT_FDCWD, "/e/nope/x", 0, vfs.ENOENT},
		{"under a file", vfs.AT_FDCWD, "/e/d/f/x", 0, vfs.ENOTDIR},
		{"file with a trailing slash", vfs.AT_FDCWD, "/e/d/f/", 0, vfs.ENOTDIR},
		{"file with trailing slashes", vfs.AT_FDCWD, "/e/d/f//", 0, vfs.ENOTDIR},
		{"directory with a trailing slash", vfs.AT_FDCWD, "/e/d/sub/", 0, nil},
		{"symlink to a directory, trailing slash, not followed", vfs.AT_FDCWD, "/e/l/", vfs.AT_SYMLINK_NOFOLLOW, nil},
		{"empty", vfs.AT_FDCWD, "", 0, vfs.ENOENT},
		{"empty, AT_EMPTY_PATH", vfs.AT_FDCWD, "", vfs.AT_EMPTY_PATH, nil},
	}
	for _, tc := range tests {
		var st vfs.Stat
		if err := task.Fstatat(tc.dfd, tc.path, &st, tc.flags); err != tc.want {
			t.Errorf("%s: fstatat(%d, %q, %#x): %v, want %v", tc.name, tc.dfd, tc.path, tc.flags, err, tc.want)
		}
	}
}

// collidingNames returns two different names that gen makes and whose
// hashes are equal under v's hash, and for which keep agrees: among 2^19
// names of a 32-bit hash, about 32 pairs collide (the chance that none
// of those keep wants does is below e^-16).
func collidingNames(t *testing.T, v *vfs.VFS, gen func(i int) string, keep func(a, b string) bool) (string, string) {
	const n = 1 << 19
	hi := make([]uint64, n) // hash<<32 | index
	for i := range hi {
		hi[i] = uint64(vfs.HashNameForTest(v, gen(i)))<<32 | uint64(i)
	}
	slices.Sort(hi)
	for k := 1; k < n; k++ {
		if hi[k]>>32 == hi[k-1]>>32 {
			a, b := gen(int(uint32(hi[k-1]))), gen(int(uint32(hi[k])))
			if a != b && keep(a, b) {
				return a, b
			}
		}
	}
	t.Fatal("no colliding names among these")
	return "", ""
}

// TestLookupHashCollisions: names whose hashes are equal share a hash
// chain and pass the hash filter, so only the length in hash_len, the
// name's words or its full bytes tell them apart. Each pair must resolve
// to two inodes, and the one not yet created must be missing, in both
// walk modes.
func TestLookupHashCollisions(t *testing.T) {
	v, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const prefix16 = "sixteen-bytes-xx"
	// word is n letters drawn from i: FNV-1a maps names that differ
	// only in a few trailing bytes to distinct hashes, so the letters
	// must vary all along.
	word := func(i, n int) string {
		b := make([]byte, n)
		x := uint64(i)
		for k := range b {
			if k%12 == 0 { // splitmix64
				x += 0x9e3779b97f4a7c15
				x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
				x = (x ^ x>>27) * 0x94d049bb133111eb
				x ^= x >> 31
			}
			b[k] = "0123456789abcdefghijklmnopqrstuv"[x&31]
			x >>= 5
		}
		return string(b)
	}
	anyPair := func(a, b string) bool { return true }
	tests := []struct {
		name string
		gen  func(i int) string
		keep func(a, b string) bool
	}{
		{"7 bytes, the first word", func(i int) string { return word(i, 7) }, anyPair},
		{"8 bytes, the first word full", func(i int) string { return word(i, 8) }, anyPair},
		{"15 bytes, differing in the second word", func(i int) string { return "abcdefgh" + word(i, 7) }, anyPair},
		{"16 bytes, both words full", func(i int) string { return "abcdefgh" + word(i, 8) }, anyPair},
		{"24 bytes, equal in the first 16", func(i int) string { return prefix16 + word(i, 8) }, anyPair},
		{"different lengths", func(i int) string { return word(i/2, 5+i%2) },
			func(a, b string) bool { return len(a) != len(b) }},
	}
	if err := task.Mkdir("/c", 0o755); err != nil {
		t.Fatal(err)
	}
	for k, tc := range tests {
		a, b := collidingNames(t, v, tc.gen, tc.keep)
		dir := "/c/" + strconv.Itoa(k)
		if err := task.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		pa, pb := dir+"/"+a, dir+"/"+b
		if err := createFile(task, pa); err != nil {
			t.Fatal(err)
		}
		var st vfs.Stat
		if err := task.Stat(pa, &st); err != nil {
			t.Fatalf("%s: stat %q: %v", tc.name, pa, err)
		}
		for _, rcu := range []bool{true, false} {
			if d, err := vfs.WalkForTest(task, pb, 0, rcu); err != vfs.ENOENT && !(rcu && err == vfs.ECHILDForTest) {
				t.Errorf("%s: %q before it exists (colliding with %q), rcu %v: %s %v", tc.name, b, a, rcu, dentryName(d), err)
			}
		}
		if err := createFile(task, pb); err != nil {
			t.Fatal(err)
		}
		var sa, sb vfs.Stat
		if err := task.Stat(pa, &sa); err != nil {
			t.Fatal(err)
		}
		if err := task.Stat(pb, &sb); err != nil {
			t.Fatal(err)
		}
		if sa.Ino == sb.Ino || sa.Ino != st.Ino {
			t.Errorf("%s: %q is inode %d (was %d), %q inode %d", tc.name, a, sa.Ino, st.Ino, b, sb.Ino)
		}
		for _, p := range []string{pa, pb} {
			rcu, rcuErr := vfs.WalkForTest(task, p, 0, true)
			ref, refErr := vfs.WalkForTest(task, p, 0, false)
			if rcuErr != nil || refErr != nil || rcu != ref {
				t.Errorf("%s: %q: rcu %v %v, ref-walk %v %v", tc.name, p, dentryName(rcu), rcuErr, dentryName(ref), refErr)
			}
		}
	}
}

// dentryName names a walk's result in a test's message.
func dentryName(d *vfs.Dentry) string {
	if d == nil {
		return "no dentry"
	}
	return fmt.Sprintf("dentry %d %q", d.ID(), d.Name())
}

// TestWalkCallsPermission: a directory whose inode has ->permission is
// no plain step for the lock-free walk (its dentry lacks
// DCACHE_FASTPERM): every walk through it, warm or not, asks the
// method, and its refusal stands. Its parent and the file under it are
// plain.
func TestWalkCallsPermission(t *testing.T) {
	v, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	var gateOps, plainOps *vfs.InodeOperations
	lookup := func(t *vfs.Task, dir *vfs.Inode, d *vfs.Dentry, flags uint32) (*vfs.Dentry, error) {
		var in *vfs.Inode
		switch d.Name() {
		case "gate", "open":
			in = vfs.NewInode(t, dir.SB())
			in.SetModeType(vfs.S_IFDIR | 0o755)
			in.Ops = plainOps
			if d.Name() == "gate" {
				in.Ops = gateOps
			}
		case "leaf":
			in = vfs.NewInode(t, dir.SB())
			in.SetModeType(vfs.S_IFREG | 0o644)
		}
		vfs.DAdd(t, d, in)
		return nil, nil
	}
	plainOps = &vfs.InodeOperations{Lookup: lookup}
	gateOps = &vfs.InodeOperations{Lookup: lookup, Permission: func(t *vfs.Task, in *vfs.Inode, mask int) error {
		asked.Add(1)
		if t.Cred().UID != 0 {
			return vfs.EACCES
		}
		return nil
	}}
	fst := &vfs.FileSystemType{Name: "permprobe", KillSB: vfs.KillAnonSuper}
	fst.Mount = func(t *vfs.Task, fst *vfs.FileSystemType, flags uint32, dev, data string) (*vfs.Dentry, error) {
		return vfs.MountNodev(t, fst, flags, data, func(t *vfs.Task, s *vfs.SuperBlock, data string) error {
			root := vfs.NewInode(t, s)
			root.SetModeType(vfs.S_IFDIR | 0o755)
			root.Ops = plainOps
			d, err := vfs.MakeRoot(t, root)
			if err != nil {
				return err
			}
			s.SetRoot(d)
			return nil
		})
	}
	if err := v.RegisterFilesystem(task, fst); err != nil {
		t.Fatal(err)
	}
	if err := task.Mkdir("/p", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := task.Mount("none", "/p", "permprobe", 0, ""); err != nil {
		t.Fatal(err)
	}
	user := &vfs.Cred{UID: 1000, GID: 1000}
	tests := []struct {
		cred  *vfs.Cred
		path  string
		want  error
		asks  bool
		where string
	}{
		{vfs.RootCred, "/p/open/leaf", nil, false, "a plain path"},
		{vfs.RootCred, "/p/gate/leaf", nil, true, "through the gate, allowed"},
		{vfs.RootCred, "/p/gate", nil, false, "the gate itself"},
		{user, "/p/gate/leaf", vfs.EACCES, true, "through the gate, refused"},
		{user, "/p/open/leaf", nil, false, "a plain path, as a user"},
		{user, "/p/gate/open/leaf", vfs.EACCES, true, "deeper through the gate, refused"},
		{vfs.RootCred, "/p/gate/open/leaf", nil, true, "deeper through the gate, allowed"},
	}
	for round := range 3 { // cold, then warm
		for _, tc := range tests {
			task.SetCred(tc.cred)
			before := asked.Load()
			var st vfs.Stat
			err := task.Stat(tc.path, &st)
			if err != tc.want {
				t.Errorf("round %d, %s: stat %q as uid %d: %v, want %v", round, tc.where, tc.path, tc.cred.UID, err, tc.want)
			}
			if got := asked.Load() > before; got != tc.asks {
				t.Errorf("round %d, %s: stat %q asked ->permission: %v, want %v", round, tc.where, tc.path, got, tc.asks)
			}
		}
	}
	task.SetCred(vfs.RootCred)
}

// TestHashComponent: the general walk's hash of a component (hash_name,
// up to a '/') is the hash of the name alone (full_name_hash), whatever
// follows it; prefixes of one name all hash apart. (The plain walk's
// inlined copy must agree too, or it would find nothing:
// TestLookupNameWords.)
func TestHashComponent(t *testing.T) {
	v, _, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	name := "abcdefghijklmnopqrstuvwxyz\xc3\xa9\xff\x80ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	hashes := map[uint32]string{}
	for n := 0; n <= len(name); n++ {
		comp := name[:n]
		want := vfs.HashNameForTest(v, comp)
		if other, ok := hashes[want]; ok {
			t.Errorf("%q and %q hash alike (%#x)", comp, other, want)
		}
		hashes[want] = comp
		for _, rest := range []string{"", "/", "//x", "/abcdefghijklmnop"} {
			path := comp + rest
			gotLen, got := vfs.HashComponentForTest(v, path)
			if gotLen != n || got != want {
				t.Errorf("hash_name(%q): length %d hash %#x, want %d %#x", path, gotLen, got, n, want)
			}
		}
	}
}
