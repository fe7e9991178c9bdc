package vfs_test

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/probefs"
)

// The hammer: several tasks change one small tree at once (so that their
// operations collide), with lock validation on, under a watchdog; then the
// tree is checked for consistency at rest.

// hammerComps is the name space: paths are 1 to 3 of these under /h, so
// that tasks keep meeting on the same names and directory renames race to
// form loops (a/b -> c/d while c -> a/b/x).
var hammerComps = []string{"a", "b", "c", "x"}

func hammerPath(r *rand.Rand, top string) string {
	n := 1 + r.Intn(3)
	var b strings.Builder
	b.WriteString(top)
	for i := 0; i < n; i++ {
		b.WriteByte('/')
		b.WriteString(hammerComps[r.Intn(len(hammerComps))])
	}
	return b.String()
}

// hammerOK lists the errnos a colliding operation may legitimately get.
var hammerOK = map[vfs.Errno]bool{
	vfs.ENOENT: true, vfs.EEXIST: true, vfs.ENOTDIR: true, vfs.EISDIR: true,
	vfs.ENOTEMPTY: true, vfs.EINVAL: true, vfs.EBUSY: true, vfs.ELOOP: true,
	vfs.EPERM: true, vfs.EXDEV: true,
}

// hammerOp runs one random operation and returns its name and error.
func hammerOp(tk *vfs.Task, r *rand.Rand, top string) (string, error) {
	p, q := hammerPath(r, top), hammerPath(r, top)
	switch k := r.Intn(16); k {
	case 0, 1:
		return "mkdir " + p, tk.Mkdir(p, 0o755)
	case 2:
		return "rmdir " + p, tk.Rmdir(p)
	case 3:
		fd, err := tk.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
		if err == nil {
			err = tk.Close(fd)
		}
		return "create " + p, err
	case 4:
		return "unlink " + p, tk.Unlink(p)
	case 5:
		return "link " + p + " " + q, tk.Link(p, q)
	case 6:
		targets := []string{"a", "../b", top + "/c", "x/a", "."}
		return "symlink " + q, tk.Symlink(targets[r.Intn(len(targets))], p)
	case 7, 8:
		return "rename " + p + " " + q, tk.Rename(p, q)
	case 9:
		// Same-directory rename.
		d := p[:strings.LastIndexByte(p, '/')]
		q = d + "/" + hammerComps[r.Intn(len(hammerComps))]
		return "rename " + p + " " + q, tk.Rename(p, q)
	case 10:
		return "exchange " + p + " " + q, tk.Renameat2(vfs.AT_FDCWD, p, vfs.AT_FDCWD, q, vfs.RENAME_EXCHANGE)
	case 11:
		return "noreplace " + p + " " + q, tk.Renameat2(vfs.AT_FDCWD, p, vfs.AT_FDCWD, q, vfs.RENAME_NOREPLACE)
	case 12:
		// The loop race: move a directory under one that may be moving
		// under it at the same time.
		a := top + "/" + hammerComps[r.Intn(4)] + "/" + hammerComps[r.Intn(4)]
		c := top + "/" + hammerComps[r.Intn(4)]
		if r.Intn(2) == 0 {
			return "rename " + a + " " + c + "/d", tk.Rename(a, c+"/d")
		}
		return "rename " + c + " " + a + "/x", tk.Rename(c, a+"/x")
	case 13:
		var st vfs.Stat
		return "stat " + p, tk.Stat(p, &st)
	case 14:
		var st vfs.Stat
		return "lstat " + p, tk.Lstat(p, &st)
	default:
		fd, err := tk.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		if err == nil {
			_, err = tk.Getdents(fd, 4096)
			if cerr := tk.Close(fd); err == nil {
				err = cerr
			}
		}
		return "readdir " + p, err
	}
}

func TestHammer(t *testing.T) {
	v, init := bareVFS(t)
	if err := init.Mkdir("/h", 0o755); err != nil {
		t.Fatal(err)
	}
	hammer(t, v, init, "/h")
	checkTreeConsistent(t, v, init)
}

// TestHammerProbefs runs the hammer on probefs: case-insensitive names
// through ->d_hash and ->d_compare, negative dentries kept and
// revalidated, every method checked against its row. The tree checks
// are those that hold with cached negative dentries.
func TestHammerProbefs(t *testing.T) {
	v, init, _ := rulesEnv(t, probefs.Config{})
	if err := init.Mkdir("/p", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := init.Mount("none", "/p", "probefs", 0, ""); err != nil {
		t.Fatal(err)
	}
	hammerComps = []string{"a", "B", "c", "X", "A", "b"}
	defer func() { hammerComps = []string{"a", "b", "c", "x"} }()
	hammer(t, v, init, "/p")
	if got, want := v.DentryState(), v.CountDentries(init); got != want {
		t.Errorf("dentry-state %+v, recount %+v", got, want)
	}
	if err := init.Umount2("/p", 0); err != nil {
		t.Errorf("umount: %v", err)
	}
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report after umount:\n%s", r.Text)
	}
}

// hammer runs 8 tasks doing random operations under top for a while,
// with a deadlock watchdog, and checks the validator, the locking rows
// and the tasks' held locks. The tasks have exited when it returns.
func hammer(t *testing.T, v *vfs.VFS, init *vfs.Task, top string) {
	dur := 2 * time.Second
	if testing.Short() || runtime.GOARCH == "wasm" {
		// wasm runs one goroutine at a time: a short run still checks
		// the bookkeeping; the native -race run is the stress test.
		dur = 300 * time.Millisecond
	}
	const workers = 8
	var progress atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	unexpected := map[string]int{}
	succeeded := map[string]int{}
	tasks := make([]*vfs.Task, workers)
	for i := range tasks {
		tasks[i] = init.Fork(fmt.Sprintf("hammer%d", i))
	}
	for i, tk := range tasks {
		wg.Add(1)
		go func(tk *vfs.Task, seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for {
				select {
				case <-stop:
					return
				default:
				}
				// On wasm (one thread, no preemption) the other workers,
				// the watchdog and the timer run only when this yields.
				runtime.Gosched()
				name, err := hammerOp(tk, r, top)
				if err == nil {
					mu.Lock()
					succeeded[strings.Fields(name)[0]]++
					mu.Unlock()
				}
				if err != nil && !hammerOK[vfs.ErrnoOf(err)] {
					mu.Lock()
					unexpected[strings.Fields(name)[0]+": "+err.Error()]++
					mu.Unlock()
				}
				progress.Add(1)
			}
		}(tk, int64(i)*7919+time.Now().UnixNano())
	}

	// The watchdog: no progress for 10 s is a deadlock.
	go func() {
		last, since := progress.Load(), time.Now()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if n := progress.Load(); n != last {
				last, since = n, time.Now()
				continue
			}
			if time.Since(since) > 10*time.Second {
				buf := make([]byte, 1<<22)
				buf = buf[:runtime.Stack(buf, true)]
				fmt.Fprintf(os.Stderr, "hammer: no progress for 10s: deadlock\n%s\n%s\n", v.Validator().DumpHeld(), buf)
				panic("hammer: deadlock")
			}
		}
	}()

	time.Sleep(dur)
	close(stop)
	wg.Wait()
	close(done)
	t.Logf("%d operations by %d tasks; succeeded: %v", progress.Load(), workers, succeeded)

	for k, n := range unexpected {
		t.Errorf("unexpected error %s (%d times)", k, n)
	}
	for _, r := range v.Validator().Reports() {
		t.Errorf("validator report:\n%s", r.Text)
	}
	for _, s := range v.LockingViolations() {
		t.Errorf("locking violation: %s", s)
	}
	for _, tk := range tasks {
		if h := tk.Owner().Held(); len(h) > 0 {
			t.Errorf("%s holds locks at rest: %v", tk.Comm(), h)
		}
		tk.Exit()
	}
}

// checkTreeConsistent checks a quiescent VFS whose root is a plain tmpfs:
// the tree seen through the Task API and the one seen through the dcache
// agree; link counts match the names found; every inode is reachable;
// the dcache counters match a recount; every dentry rests at its pinned
// count.
func checkTreeConsistent(t *testing.T, v *vfs.VFS, tk *vfs.Task) {
	t.Helper()
	if h := tk.Owner().Held(); len(h) > 0 {
		t.Errorf("%s holds locks at rest: %v", tk.Comm(), h)
	}
	root := v.RootMount().Root()
	sb := root.SB()

	// 1. Through the Task API: getdents and lstat, recursively.
	names := map[uint64]int{}   // ino -> names found
	subdirs := map[uint64]int{} // directory ino -> subdirectories
	isDir := map[uint64]bool{}
	apiTree := map[string]uint64{} // path -> ino
	var walk func(path string, ino uint64)
	walk = func(path string, ino uint64) {
		fd, err := tk.Open(path, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		if err != nil {
			t.Errorf("open %s: %v", path, err)
			return
		}
		var ents []vfs.Dirent
		for {
			e, err := tk.Getdents(fd, 1024)
			if err != nil {
				t.Errorf("getdents %s: %v", path, err)
				break
			}
			if len(e) == 0 {
				break
			}
			ents = append(ents, e...)
		}
		tk.Close(fd)
		for _, e := range ents {
			if e.Name == "." || e.Name == ".." {
				continue
			}
			cp := strings.TrimSuffix(path, "/") + "/" + e.Name
			var st vfs.Stat
			if err := tk.Lstat(cp, &st); err != nil {
				t.Errorf("lstat %s: %v", cp, err)
				continue
			}
			if st.Ino != e.Ino {
				t.Errorf("%s: getdents says ino %d, lstat %d", cp, e.Ino, st.Ino)
			}
			if vfs.DTType(st.Mode) != e.Type {
				t.Errorf("%s: getdents type %d, lstat mode %o", cp, e.Type, st.Mode)
			}
			apiTree[cp] = st.Ino
			names[st.Ino]++
			if vfs.IsDir(st.Mode) {
				isDir[st.Ino] = true
				subdirs[ino]++
				walk(cp, st.Ino)
			}
		}
	}
	var rst vfs.Stat
	if err := tk.Stat("/", &rst); err != nil {
		t.Fatal(err)
	}
	isDir[rst.Ino] = true
	walk("/", rst.Ino)

	// 2. Through the dcache: every child of every dentry.
	dcTree := map[string]uint64{}
	reach := map[*vfs.Inode]int{}
	reach[root.Inode()]++
	var dwalk func(path string, d *vfs.Dentry)
	dwalk = func(path string, d *vfs.Dentry) {
		kids := d.AllChildren(tk)
		if d != root {
			// A pinned tmpfs dentry: one pin, one reference per child.
			if want := int64(1 + len(kids)); d.Count() != want {
				t.Errorf("%s: count %d, want %d (pin + %d children)", path, d.Count(), want, len(kids))
			}
		}
		for _, c := range kids {
			cp := strings.TrimSuffix(path, "/") + "/" + c.Name()
			if c.Parent() != d {
				t.Errorf("%s: child's parent is %q, not the dentry listing it", cp, c.Parent().Name())
			}
			if c.Negative() || !c.Hashed() {
				t.Errorf("%s: at rest a tmpfs child is positive and hashed (negative %v, hashed %v, count %d, lru %v)",
					cp, c.Negative(), c.Hashed(), c.Count(), c.OnLRU())
				continue
			}
			in := c.Inode()
			dcTree[cp] = in.Ino()
			reach[in]++
			if vfs.IsDir(in.Mode()) {
				dwalk(cp, c)
			}
		}
	}
	dwalk("/", root)
	t.Logf("at rest: %d names, %d dentries", len(dcTree), v.DentryState().NrDentry)

	for p, ino := range apiTree {
		if dcTree[p] != ino {
			t.Errorf("%s: Task API ino %d, dcache ino %d", p, ino, dcTree[p])
		}
	}
	for p, ino := range dcTree {
		if _, ok := apiTree[p]; !ok {
			t.Errorf("%s (ino %d) in the dcache, not in getdents", p, ino)
		}
	}

	// 3. Link counts and inode references.
	for in, n := range reach {
		ino := in.Ino()
		if vfs.IsDir(in.Mode()) {
			if want := uint32(2 + subdirs[ino]); in.Nlink() != want {
				t.Errorf("dir ino %d: nlink %d, want 2+%d", ino, in.Nlink(), subdirs[ino])
			}
			if in != root.Inode() && in.Count() != 1 {
				t.Errorf("dir ino %d: i_count %d, want 1", ino, in.Count())
			}
			continue
		}
		if in.Nlink() != uint32(n) || names[ino] != n {
			t.Errorf("ino %d: nlink %d, %d names in the dcache, %d through getdents", ino, in.Nlink(), n, names[ino])
		}
		if in.Count() != int32(n) {
			t.Errorf("ino %d: i_count %d, want one per name (%d)", ino, in.Count(), n)
		}
	}

	// 4. No orphan inode.
	for _, in := range sb.Inodes(tk) {
		if reach[in] == 0 {
			t.Errorf("orphan inode %d (mode %o, nlink %d, count %d, state %#x)", in.Ino(), in.Mode(), in.Nlink(), in.Count(), in.State())
		}
	}

	// 5. The counters against a recount.
	if got, want := v.DentryState(), v.CountDentries(tk); got != want {
		t.Errorf("dentry-state %+v, recount %+v", got, want)
	}
	if len(sb.LRU(tk)) != 0 {
		var s []string
		for _, d := range sb.LRU(tk) {
			s = append(s, fmt.Sprintf("%s(neg=%v,count=%d)", d.Name(), d.Negative(), d.Count()))
		}
		sort.Strings(s)
		t.Errorf("dentries left on the LRU of a plain tmpfs: %v", s)
	}
}
