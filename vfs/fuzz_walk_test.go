package vfs_test

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// A map-based model of Linux path resolution and of the directory
// operations, written from fs/namei.c's rules, as the oracle for fuzzing
// the walk and operation sequences. Linux semantics decide: a mismatch is
// a bug in vfscope or in the model.

type mnode struct {
	kind   byte // 'd', 'f', 'l'
	kids   map[string]*mnode
	parent *mnode // directories: the parent (the root's is itself)
	target string // symlinks: the body
	id     int
}

type model struct {
	root   *mnode
	nextID int
}

func newModel() *model {
	m := &model{}
	m.root = m.node('d')
	m.root.parent = m.root
	return m
}

func (m *model) node(kind byte) *mnode {
	m.nextID++
	n := &mnode{kind: kind, id: m.nextID}
	if kind == 'd' {
		n.kids = map[string]*mnode{}
	}
	return n
}

const (
	mLastNorm = iota
	mLastRoot
	mLastDot
	mLastDotdot
)

// parentWalk is link_path_walk: every component but the last, following
// symlinks; the last is returned with its type and whether a slash
// followed it.
func (m *model) parentWalk(base *mnode, path string, links *int) (dir *mnode, last string, typ int, trailing bool, err error) {
	cur := base
	if strings.HasPrefix(path, "/") {
		cur = m.root
	}
	rest := path
	for {
		rest = strings.TrimLeft(rest, "/")
		if rest == "" {
			return cur, "", mLastRoot, false, nil
		}
		if cur.kind != 'd' {
			return nil, "", 0, false, vfs.ENOTDIR
		}
		comp := rest
		tail := ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			comp, tail = rest[:i], rest[i:]
		}
		if len(comp) > vfs.NAME_MAX {
			return nil, "", 0, false, vfs.ENAMETOOLONG
		}
		trimmed := strings.TrimLeft(tail, "/")
		if trimmed == "" {
			typ := mLastNorm
			switch comp {
			case ".":
				typ = mLastDot
			case "..":
				typ = mLastDotdot
			}
			return cur, comp, typ, tail != "", nil
		}
		switch comp {
		case ".":
		case "..":
			cur = cur.parent
		default:
			child := cur.kids[comp]
			if child == nil {
				return nil, "", 0, false, vfs.ENOENT
			}
			if child.kind == 'l' {
				*links++
				if *links > vfs.MAXSYMLINKS {
					return nil, "", 0, false, vfs.ELOOP
				}
				res, err := m.walk(cur, child.target, true, links)
				if err != nil {
					return nil, "", 0, false, err
				}
				child = res
			}
			cur = child
		}
		rest = trimmed
	}
}

// walk is path_lookupat: follow says whether a symlink in the last
// component is followed (a trailing slash always follows).
func (m *model) walk(base *mnode, path string, follow bool, links *int) (*mnode, error) {
	if path == "" {
		return nil, vfs.ENOENT
	}
	dir, last, typ, trailing, err := m.parentWalk(base, path, links)
	if err != nil {
		return nil, err
	}
	switch typ {
	case mLastRoot, mLastDot:
		return dir, nil
	case mLastDotdot:
		return dir.parent, nil
	}
	child := dir.kids[last]
	if child == nil {
		return nil, vfs.ENOENT
	}
	if child.kind == 'l' && (follow || trailing) {
		*links++
		if *links > vfs.MAXSYMLINKS {
			return nil, vfs.ELOOP
		}
		res, err := m.walk(dir, child.target, true, links)
		if err != nil {
			return nil, err
		}
		child = res
	}
	if trailing && child.kind != 'd' {
		return nil, vfs.ENOTDIR
	}
	return child, nil
}

func (m *model) lookup(base *mnode, path string, follow bool) (*mnode, error) {
	if len(path) >= vfs.PATH_MAX {
		return nil, vfs.ENAMETOOLONG
	}
	links := 0
	return m.walk(base, path, follow, &links)
}

// createParent is filename_create() up to the lookup: the parent and the
// new name; EEXIST if it exists.
func (m *model) createParent(path string, isDir bool) (*mnode, string, error) {
	if path == "" {
		return nil, "", vfs.ENOENT
	}
	links := 0
	dir, last, typ, trailing, err := m.parentWalk(m.root, path, &links)
	if err != nil {
		return nil, "", err
	}
	if typ != mLastNorm {
		return nil, "", vfs.EEXIST
	}
	if dir.kids[last] != nil {
		return nil, "", vfs.EEXIST
	}
	if trailing && !isDir {
		return nil, "", vfs.ENOENT
	}
	return dir, last, nil
}

func (m *model) mkdir(path string) error {
	dir, name, err := m.createParent(path, true)
	if err != nil {
		return err
	}
	n := m.node('d')
	n.parent = dir
	dir.kids[name] = n
	return nil
}

func (m *model) symlink(target, path string) error {
	dir, name, err := m.createParent(path, false)
	if err != nil {
		return err
	}
	n := m.node('l')
	n.target = target
	dir.kids[name] = n
	return nil
}

// create is open(path, O_CREAT|O_WRONLY): a symlink found is followed
// (creating a dangling one's target), relative to its directory.
func (m *model) create(path string) error {
	base := m.root
	for links := 0; ; links++ {
		if path == "" {
			return vfs.ENOENT
		}
		n := 0
		dir, last, typ, trailing, err := m.parentWalk(base, path, &n)
		if err != nil {
			return err
		}
		if typ != mLastNorm || trailing {
			return vfs.EISDIR
		}
		child := dir.kids[last]
		if child == nil {
			dir.kids[last] = m.node('f')
			return nil
		}
		switch child.kind {
		case 'd':
			return vfs.EISDIR
		case 'f':
			return nil
		}
		if links >= vfs.MAXSYMLINKS {
			return vfs.ELOOP
		}
		base, path = dir, child.target
	}
}

func (m *model) unlink(path string) error {
	links := 0
	dir, last, typ, trailing, err := m.parentWalk(m.root, path, &links)
	if err != nil {
		return err
	}
	if typ != mLastNorm {
		return vfs.EISDIR
	}
	child := dir.kids[last]
	switch {
	case child == nil:
		return vfs.ENOENT
	case trailing && child.kind == 'd':
		return vfs.EISDIR
	case trailing:
		return vfs.ENOTDIR
	case child.kind == 'd':
		return vfs.EISDIR
	}
	delete(dir.kids, last)
	return nil
}

func (m *model) rmdir(path string) error {
	links := 0
	dir, last, typ, _, err := m.parentWalk(m.root, path, &links)
	if err != nil {
		return err
	}
	switch typ {
	case mLastDotdot:
		return vfs.ENOTEMPTY
	case mLastDot:
		return vfs.EINVAL
	case mLastRoot:
		return vfs.EBUSY
	}
	child := dir.kids[last]
	switch {
	case child == nil:
		return vfs.ENOENT
	case child.kind != 'd':
		return vfs.ENOTDIR
	case len(child.kids) > 0:
		return vfs.ENOTEMPTY
	}
	delete(dir.kids, last)
	return nil
}

func (m *model) link(oldpath, newpath string) error {
	old, err := m.lookup(m.root, oldpath, false)
	if err != nil {
		return err
	}
	dir, name, err := m.createParent(newpath, false)
	if err != nil {
		return err
	}
	if old.kind == 'd' {
		return vfs.EPERM
	}
	dir.kids[name] = old
	return nil
}

// isAncestor: a is d or above it.
func isAncestor(a, d *mnode) bool {
	for {
		if d == a {
			return true
		}
		if d.parent == d {
			return false
		}
		d = d.parent
	}
}

// trapChild is d_ancestor(p1, p2): the child of p1 that is an ancestor
// of p2, nil if p1 is not a proper ancestor of p2.
func trapChild(p1, p2 *mnode) *mnode {
	for p := p2; p.parent != p; p = p.parent {
		if p.parent == p1 {
			return p
		}
	}
	return nil
}

func (m *model) rename(oldpath, newpath string) error {
	links := 0
	odir, olast, otyp, otrail, err := m.parentWalk(m.root, oldpath, &links)
	if err != nil {
		return err
	}
	links = 0
	ndir, nlast, ntyp, ntrail, err := m.parentWalk(m.root, newpath, &links)
	if err != nil {
		return err
	}
	if otyp != mLastNorm || ntyp != mLastNorm {
		return vfs.EBUSY
	}
	var trap *mnode
	if odir != ndir {
		if trap = trapChild(ndir, odir); trap == nil {
			trap = trapChild(odir, ndir)
		}
	}
	src := odir.kids[olast]
	if src == nil {
		return vfs.ENOENT
	}
	tgt := ndir.kids[nlast]
	if src.kind != 'd' && (otrail || ntrail) {
		return vfs.ENOTDIR
	}
	if src == trap {
		return vfs.EINVAL
	}
	if tgt != nil && tgt == trap {
		return vfs.ENOTEMPTY
	}
	if src == tgt {
		return nil
	}
	if tgt != nil {
		switch {
		case src.kind == 'd' && tgt.kind != 'd':
			return vfs.ENOTDIR
		case src.kind != 'd' && tgt.kind == 'd':
			return vfs.EISDIR
		case tgt.kind == 'd' && len(tgt.kids) > 0:
			return vfs.ENOTEMPTY
		}
	}
	delete(odir.kids, olast)
	ndir.kids[nlast] = src
	if src.kind == 'd' {
		src.parent = ndir
	}
	return nil
}

// mtree lists the model's tree: path -> kind (and body), and the path
// of the first name of each node.
func (m *model) tree() (map[string]string, map[string]string, map[string]int) {
	desc, first, nlink := map[string]string{}, map[string]string{}, map[string]int{}
	firstOf := map[*mnode]string{}
	count := map[*mnode]int{}
	var paths []string
	nodeOf := map[string]*mnode{}
	var walk func(p string, n *mnode)
	walk = func(p string, n *mnode) {
		for name, c := range n.kids {
			cp := p + "/" + name
			paths = append(paths, cp)
			nodeOf[cp] = c
			count[c]++
			d := string(c.kind)
			if c.kind == 'l' {
				d += ":" + c.target
			}
			desc[cp] = d
			if c.kind == 'd' {
				walk(cp, c)
			}
		}
	}
	walk("", m.root)
	sort.Strings(paths)
	for _, p := range paths {
		n := nodeOf[p]
		if _, ok := firstOf[n]; !ok {
			firstOf[n] = p
		}
		first[p] = firstOf[n]
		if n.kind == 'd' {
			subdirs := 0
			for _, c := range n.kids {
				if c.kind == 'd' {
					subdirs++
				}
			}
			nlink[p] = 2 + subdirs
		} else {
			nlink[p] = count[n]
		}
	}
	return desc, first, nlink
}

// vfsTree is the same listing of vfscope's tree, through the Task API.
func vfsTree(t *testing.T, tk *vfs.Task) (map[string]string, map[string]string, map[string]int) {
	desc, first, nlink := map[string]string{}, map[string]string{}, map[string]int{}
	inoOf := map[string]uint64{}
	var paths []string
	var walk func(p string)
	walk = func(p string) {
		dir := p
		if dir == "" {
			dir = "/"
		}
		fd, err := tk.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		if err != nil {
			t.Fatalf("open %s: %v", dir, err)
		}
		defer tk.Close(fd)
		for {
			ents, err := tk.Getdents(fd, 4096)
			if err != nil {
				t.Fatalf("getdents %s: %v", dir, err)
			}
			if len(ents) == 0 {
				return
			}
			for _, e := range ents {
				if e.Name == "." || e.Name == ".." {
					continue
				}
				cp := p + "/" + e.Name
				var st vfs.Stat
				if err := tk.Lstat(cp, &st); err != nil {
					t.Fatalf("lstat %s: %v", cp, err)
				}
				paths = append(paths, cp)
				inoOf[cp] = st.Ino
				nlink[cp] = int(st.Nlink)
				switch {
				case vfs.IsDir(st.Mode):
					desc[cp] = "d"
					walk(cp)
				case vfs.IsLnk(st.Mode):
					body, err := tk.Readlink(cp)
					if err != nil {
						t.Fatalf("readlink %s: %v", cp, err)
					}
					desc[cp] = "l:" + body
				default:
					desc[cp] = "f"
				}
			}
		}
	}
	walk("")
	sort.Strings(paths)
	firstOf := map[uint64]string{}
	for _, p := range paths {
		if _, ok := firstOf[inoOf[p]]; !ok {
			firstOf[inoOf[p]] = p
		}
		first[p] = firstOf[inoOf[p]]
	}
	return desc, first, nlink
}

func diffMaps[V comparable](what string, got, want map[string]V) []string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			out = append(out, fmt.Sprintf("%s %s: missing in vfscope (model %v)", what, k, w))
		} else if g != w {
			out = append(out, fmt.Sprintf("%s %s: vfscope %v, model %v", what, k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("%s %s: only in vfscope (%v)", what, k, g))
		}
	}
	sort.Strings(out)
	return out
}

// fuzzWalkTree builds the fixed tree of FuzzWalk in both.
//
//	/a/            cwd
//	/a/b/f
//	/a/l1 -> b          /a/l2 -> /a/b/f      /a/l3 -> ../a
//	/a/loop1 -> loop2   /a/loop2 -> loop1    /a/self -> self
//	/a/dangling -> nonexistent               /a/fl -> b/f/
//	/a/chain0 -> chain1 -> ... -> chain40 -> b (41 links: one too many)
//	/c/  /file  /dl -> a/
func fuzzWalkTree(t testing.TB) (*vfs.Task, *model, map[*mnode]uint64) {
	_, tk := bareVFS(t)
	m := newModel()
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	dirs := []string{"/a", "/a/b", "/c"}
	files := []string{"/a/b/f", "/file"}
	links := [][2]string{
		{"b", "/a/l1"}, {"/a/b/f", "/a/l2"}, {"../a", "/a/l3"},
		{"loop2", "/a/loop1"}, {"loop1", "/a/loop2"}, {"self", "/a/self"},
		{"nonexistent", "/a/dangling"}, {"b/f/", "/a/fl"}, {"a/", "/dl"},
		{"chain39", "/a/short"},
	}
	for i := 0; i < 40; i++ {
		links = append(links, [2]string{fmt.Sprintf("chain%d", i+1), fmt.Sprintf("/a/chain%d", i)})
	}
	links = append(links, [2]string{"b", "/a/chain40"})
	for _, d := range dirs {
		must("mkdir "+d, tk.Mkdir(d, 0o755))
		must("model mkdir "+d, m.mkdir(d))
	}
	for _, f := range files {
		fd, err := tk.Open(f, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
		must("create "+f, err)
		tk.Close(fd)
		must("model create "+f, m.create(f))
	}
	for _, l := range links {
		must("symlink "+l[1], tk.Symlink(l[0], l[1]))
		must("model symlink "+l[1], m.symlink(l[0], l[1]))
	}
	must("chdir", tk.Chdir("/a"))
	inos := map[*mnode]uint64{}
	var walk func(p string, n *mnode)
	walk = func(p string, n *mnode) {
		var st vfs.Stat
		must("lstat "+p, tk.Lstat(p, &st))
		inos[n] = st.Ino
		for name, c := range n.kids {
			walk(strings.TrimSuffix(p, "/")+"/"+name, c)
		}
	}
	walk("/", m.root)
	return tk, m, inos
}

// FuzzWalk resolves one path by stat, lstat or open and compares errno
// and inode number with the model.
func FuzzWalk(f *testing.F) {
	long := strings.Repeat("n", 256)
	for _, p := range []string{
		"", "/", "//", ".", "..", "../..", "/..", "b", "b/", "b/f", "b/f/", "b/f/.", "b/f/..",
		"./b//f", "b/./f", "b/../b/f", "/a/b/f", "l1", "l1/", "l1/f", "l1/..", "l1/../l1/f",
		"l2", "l2/", "l3", "l3/b/f", "l3/l3/l3/b", "loop1", "loop1/", "loop1/x", "self", "dangling",
		"dangling/", "fl", "fl/", "/dl", "/dl/", "/dl/b/f", "/dl/l1/f", "chain0", "chain1", "short",
		"short/f", "/file", "/file/", "/file/.", "/c/..", "/c/../a/b", "missing", "missing/",
		long, "b/" + long, "/file/" + long, "/" + strings.Repeat("a/", 2100), strings.Repeat("../", 1365) + "b",
	} {
		for op := uint8(0); op < 5; op++ {
			f.Add(p, op)
		}
	}
	f.Fuzz(func(t *testing.T, path string, op uint8) {
		if strings.IndexByte(path, 0) >= 0 {
			t.Skip("a NUL ends a C path; not representable")
		}
		defer fuzzWatchdog(fmt.Sprintf("op %d %q", op%5, path))()
		tk, m, inos := fuzzWalkTree(t)
		cwd := m.root.kids["a"]
		var st vfs.Stat
		var err error
		var want *mnode
		var werr error
		switch op % 5 {
		case 0:
			err = tk.Stat(path, &st)
			want, werr = m.lookup(cwd, path, true)
		case 1:
			err = tk.Lstat(path, &st)
			want, werr = m.lookup(cwd, path, false)
		default:
			flags := vfs.O_RDONLY
			switch op % 5 {
			case 3:
				flags |= vfs.O_NOFOLLOW
			case 4:
				flags |= vfs.O_DIRECTORY
			}
			var fd int
			fd, err = tk.Open(path, flags, 0)
			if err == nil {
				if e := tk.Fstat(fd, &st); e != nil {
					t.Fatalf("fstat: %v", e)
				}
				tk.Close(fd)
			}
			want, werr = m.lookup(cwd, path, flags&vfs.O_NOFOLLOW == 0)
			if werr == nil && want.kind != 'd' && flags&vfs.O_DIRECTORY != 0 {
				want, werr = nil, vfs.ENOTDIR
			} else if werr == nil && want.kind == 'l' {
				want, werr = nil, vfs.ELOOP
			}
		}
		if werr != nil {
			if err != werr {
				t.Fatalf("op %d %q: vfscope %v, model %v", op%5, path, err, werr)
			}
			return
		}
		if err != nil {
			t.Fatalf("op %d %q: vfscope %v, model finds ino %d", op%5, path, err, inos[want])
		}
		if st.Ino != inos[want] {
			t.Fatalf("op %d %q: vfscope ino %d, model ino %d", op%5, path, st.Ino, inos[want])
		}
	})
}

// fuzzWatchdog ends the process with every goroutine's stack if one
// input runs for more than 60 s (the fuzzer has no time limit per input).
func fuzzWatchdog(what string) (stop func()) {
	tm := time.AfterFunc(60*time.Second, func() {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(os.Stderr, "fuzz input hangs: %s\n%s\n", what, buf)
		os.Exit(2)
	})
	return func() { tm.Stop() }
}

// fuzzOpPaths and fuzzOpTargets are the small name space of FuzzOps.
var fuzzOpPaths = []string{
	"/a", "/b", "/c", "/a/a", "/a/b", "/b/a", "/a/b/c", "/a/", "/l", "/a/l",
	"/a/..", "/.", "/", "/l/a", "/b/l/", "/a/b/..",
}

var fuzzOpTargets = []string{"a", "b", "/a", "../b", "l", "missing", "a/b", "."}

type fuzzOp struct {
	name string
	// run makes the op on tk, its paths taken from dfd: AT_FDCWD with
	// the absolute paths, or a descriptor of "/" with them made
	// relative (fuzzAt).
	run func(tk *vfs.Task, dfd int) error
	mod func(m *model) error
}

// fuzzOnClone says whether the k-th op of data runs on the task sharing
// the first one's descriptor table (CloneFiles): the op's first byte,
// whose remainder by 7 chose the op, chooses the task by its quotient.
func fuzzOnClone(data []byte, k int) bool { return data[3*k]/7%2 == 1 }

// fuzzAt is the path an op gives for p: p itself from AT_FDCWD, relative
// to a descriptor of "/" otherwise ("/" itself stays, as it has no
// relative form with the same last component).
func fuzzAt(p string, dfd int) string {
	if dfd == vfs.AT_FDCWD || p == "/" {
		return p
	}
	return strings.TrimPrefix(p, "/")
}

func decodeOps(data []byte) []fuzzOp {
	var ops []fuzzOp
	for i := 0; i+2 < len(data) && len(ops) < 40; i += 3 {
		p := fuzzOpPaths[int(data[i+1])%len(fuzzOpPaths)]
		q := fuzzOpPaths[int(data[i+2])%len(fuzzOpPaths)]
		tgt := fuzzOpTargets[int(data[i+2])%len(fuzzOpTargets)]
		switch data[i] % 7 {
		case 0:
			ops = append(ops, fuzzOp{"mkdir " + p, func(tk *vfs.Task, dfd int) error { return tk.Mkdirat(dfd, fuzzAt(p, dfd), 0o755) }, func(m *model) error { return m.mkdir(p) }})
		case 1:
			ops = append(ops, fuzzOp{"create " + p, func(tk *vfs.Task, dfd int) error {
				fd, err := tk.Openat(dfd, fuzzAt(p, dfd), vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				if err == nil {
					tk.Close(fd)
				}
				return err
			}, func(m *model) error { return m.create(p) }})
		case 2:
			ops = append(ops, fuzzOp{"unlink " + p, func(tk *vfs.Task, dfd int) error { return tk.Unlinkat(dfd, fuzzAt(p, dfd), 0) }, func(m *model) error { return m.unlink(p) }})
		case 3:
			ops = append(ops, fuzzOp{"rename " + p + " " + q, func(tk *vfs.Task, dfd int) error { return tk.Renameat2(dfd, fuzzAt(p, dfd), dfd, fuzzAt(q, dfd), 0) }, func(m *model) error { return m.rename(p, q) }})
		case 4:
			ops = append(ops, fuzzOp{"link " + p + " " + q, func(tk *vfs.Task, dfd int) error { return tk.Linkat(dfd, fuzzAt(p, dfd), dfd, fuzzAt(q, dfd), 0) }, func(m *model) error { return m.link(p, q) }})
		case 5:
			ops = append(ops, fuzzOp{"symlink " + tgt + " " + p, func(tk *vfs.Task, dfd int) error { return tk.Symlinkat(tgt, dfd, fuzzAt(p, dfd)) }, func(m *model) error { return m.symlink(tgt, p) }})
		case 6:
			ops = append(ops, fuzzOp{"rmdir " + p, func(tk *vfs.Task, dfd int) error { return tk.Unlinkat(dfd, fuzzAt(p, dfd), vfs.AT_REMOVEDIR) }, func(m *model) error { return m.rmdir(p) }})
		}
	}
	return ops
}

// FuzzOps runs a sequence of directory operations on vfscope and on the
// model, comparing each errno and then the whole tree (names, kinds,
// symlink bodies, which names share an inode, link counts). An op the
// data sends to the clone (fuzzOnClone) runs on a task that shares the
// first one's descriptor table (CloneFiles, made at the first such op:
// the ops before it run on an unshared table), scoped to "/" with
// RESOLVE_IN_ROOT and given relative paths from a descriptor of "/": a
// shared table's descriptor lookups and scoped walks, whose root the
// walk holds, each give the errno of the plain walk.
func FuzzOps(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0, 0, 0, 3, 0, 1, 4, 0, 3, 0, 2},            // mkdir a, a/a, create a/b, rename a/b -> c
		{0, 0, 0, 0, 4, 0, 3, 4, 6, 3, 0, 4},            // a/b/c; move a into its own subtree
		{1, 1, 0, 4, 1, 2, 2, 1, 0, 2, 2, 0},            // create b, link, unlink both
		{5, 8, 0, 1, 8, 0, 0, 0, 0, 1, 9, 0, 6, 0, 0},   // symlinks and creates through them
		{0, 0, 0, 0, 3, 0, 3, 3, 0, 6, 3, 0, 6, 0, 0},   // rename over dirs, rmdir
		{5, 8, 4, 1, 8, 0, 3, 8, 1, 2, 13, 0, 6, 10, 0}, // links named like dirs, dots
		{0, 0, 0, 0, 1, 0, 3, 0, 12, 3, 12, 0, 6, 11, 0, 6, 12, 0},
		{7, 0, 0, 8, 1, 0, 1, 4, 0, 10, 0, 2, 9, 1, 0}, // on the clone: mkdir a, a/b; rename; unlink
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzWatchdog(fmt.Sprintf("ops %v", data))()
		_, tk := bareVFS(t)
		var clone *vfs.Task
		rootfd := -1
		defer func() {
			if clone != nil {
				clone.Exit()
			}
		}()
		m := newModel()
		var log []string
		for k, op := range decodeOps(data) {
			on, dfd := tk, vfs.AT_FDCWD
			if fuzzOnClone(data, k) {
				if clone == nil {
					var err error
					if rootfd, err = tk.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0); err != nil {
						t.Fatal(err)
					}
					clone = tk.CloneFiles("fuzz-clone")
					if err := clone.SetResolve(vfs.RESOLVE_IN_ROOT); err != nil {
						t.Fatal(err)
					}
				}
				on, dfd = clone, rootfd
				op.name += " (clone, at /)"
			}
			err, werr := op.run(on, dfd), op.mod(m)
			log = append(log, fmt.Sprintf("%s: %v", op.name, err))
			if err != werr {
				t.Fatalf("%s: vfscope %v, model %v\nafter:\n  %s", op.name, err, werr, strings.Join(log[:len(log)-1], "\n  "))
			}
		}
		gd, gf, gn := vfsTree(t, tk)
		wd, wf, wn := m.tree()
		diff := append(diffMaps("entry", gd, wd), diffMaps("inode of", gf, wf)...)
		diff = append(diff, diffMaps("nlink of", gn, wn)...)
		if len(diff) > 0 {
			t.Fatalf("trees differ:\n  %s\nops:\n  %s", strings.Join(diff, "\n  "), strings.Join(log, "\n  "))
		}
	})
}
