package vfs_test

import (
	"fmt"
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestResolveBeneath: a task that resolves beneath its starting
// directory (openat2's RESOLVE_BENEATH for every walk) reaches what lies
// below its descriptor and nothing else: absolute paths and symlinks,
// ".." at the start, symlinks that climb out and magic links to outside
// fail with EXDEV; ".." that stays inside, relative symlinks inside and
// mount crossings inside work.
func TestResolveBeneath(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	e.Must(r.Mkdir("/sb", 0o755))
	e.Must(r.Mkdir("/sb/x", 0o755))
	e.Must(r.Mkdir("/sb/m", 0o755))
	e.WriteFile("/secret", "outside", 0o644)
	e.WriteFile("/sb/f", "inside", 0o644)
	e.WriteFile("/sb/x/g", "inside g", 0o644)
	e.Must(r.Symlink("/", "/sb/abs"))
	e.Must(r.Symlink("../secret", "/sb/up"))
	e.Must(r.Symlink("x/g", "/sb/rel"))
	e.Must(r.Symlink("../f", "/sb/x/back"))
	e.Must(r.Mount("none", "/sb/m", "tmpfs", 0, ""))
	e.WriteFile("/sb/m/h", "mounted", 0o644)
	e.Must(r.Mkdir("/sb/proc", 0o555))
	e.Must(r.Mount("proc", "/sb/proc", "proc", 0, ""))

	tk := r.Fork("beneath")
	defer tk.Exit()
	dfd, err := tk.Open("/sb", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	out, err := tk.Open("/secret", O_RDONLY, 0)
	e.Must(err)
	in, err := tk.Open("/sb/f", O_RDONLY, 0)
	e.Must(err)
	tk.SetResolveBeneath(true)

	cases := []struct {
		path string
		want string // content, or the errno's name
	}{
		{"f", "inside"},
		{"x/g", "inside g"},
		{"x/../f", "inside"},
		{"x/./../x/g", "inside g"},
		{"rel", "inside g"},
		{"x/back", "inside"},
		{"m/h", "mounted"},
		{"m/../f", "inside"},
		{"../secret", "EXDEV"},
		{"..", "EXDEV"},
		{"x/../../secret", "EXDEV"},
		{"/secret", "EXDEV"},
		{"/sb/f", "EXDEV"},
		{"abs/secret", "EXDEV"},
		{"up", "EXDEV"},
		{"m/../../secret", "EXDEV"},
		{fmt.Sprintf("proc/self/fd/%d", out), "EXDEV"},
		{fmt.Sprintf("proc/self/fd/%d", in), "inside"},
		{"nope", "ENOENT"},
	}
	for _, c := range cases {
		got := ""
		fd, err := tk.Openat(dfd, c.path, O_RDONLY, 0)
		if err != nil {
			got = ErrnoOf(err).Name()
		} else {
			buf := make([]byte, 64)
			n, _ := tk.Read(fd, buf)
			got = string(buf[:n])
			tk.Close(fd)
		}
		if got != c.want {
			t.Errorf("openat(/sb, %q) = %q, want %q", c.path, got, c.want)
		}
	}
	// The other *at calls walk the same way.
	var st Stat
	if err := tk.Fstatat(dfd, "../secret", &st, 0); err != EXDEV {
		t.Errorf("fstatat(/sb, ../secret): %v, want EXDEV", err)
	}
	if err := tk.Mkdirat(dfd, "../made", 0o755); err != EXDEV {
		t.Errorf("mkdirat(/sb, ../made): %v, want EXDEV", err)
	}
	if err := tk.Unlinkat(dfd, "up/../secret", 0); err != EXDEV {
		t.Errorf("unlinkat(/sb, up/../secret): %v, want EXDEV", err)
	}
	if !e.Exists("/secret") || e.Exists("/made") {
		t.Error("a walk beneath /sb changed something outside it")
	}
	// Off again, the task walks as any other.
	tk.SetResolveBeneath(false)
	if fd, err := tk.Openat(dfd, "../secret", O_RDONLY, 0); err != nil {
		t.Errorf("openat(/sb, ../secret) without beneath: %v", err)
	} else {
		tk.Close(fd)
	}
}

// TestResolveBeneathRename: a walk beneath /sb that climbs with ".."
// while another task moves the directory it stands in out of /sb never
// reaches a file outside: it fails (EXDEV, ENOENT) or stays inside.
func TestResolveBeneathRename(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	for _, d := range []string{"/sb", "/sb/a", "/sb/a/b", "/sb/a/b/c", "/sb/a/b/c/d", "/out"} {
		e.Must(r.Mkdir(d, 0o755))
	}
	e.WriteFile("/sb/f", "inside", 0o644)
	e.WriteFile("/out/f", "outside", 0o644)
	tk := r.Fork("beneath")
	defer tk.Exit()
	dfd, err := tk.Open("/sb", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	tk.SetResolveBeneath(true)
	mover := r.Fork("mover")
	defer mover.Exit()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			mover.Rename("/sb/a", "/out/a")
			mover.Rename("/out/a", "/sb/a")
		}
	}()
	buf := make([]byte, 16)
	for i := 0; i < 20000; i++ {
		fd, err := tk.Openat(dfd, "a/b/c/d/../../../../f", O_RDONLY, 0)
		if err != nil {
			continue
		}
		n, _ := tk.Read(fd, buf)
		tk.Close(fd)
		if string(buf[:n]) != "inside" {
			close(stop)
			wg.Wait()
			t.Fatalf("round %d: a walk beneath /sb read %q", i, buf[:n])
		}
	}
	close(stop)
	wg.Wait()
}
