package vfs_test

import (
	"fmt"
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestResolveScoped: a task whose walks are scoped to their starting
// directory (openat2's resolve flags for every walk) reaches what lies
// below its descriptor and nothing else. RESOLVE_BENEATH fails absolute
// paths and symlinks, ".." at the start and symlinks that climb out with
// EXDEV; RESOLVE_IN_ROOT takes the start for the root (absolute paths
// and symlinks start there, ".." there stays); both fail magic links
// with EXDEV (nd_jump_link refuses scoped walks). ".." that stays inside,
// relative symlinks inside and mount crossings inside work.
func TestResolveScoped(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	e.Must(r.Mkdir("/sb", 0o755))
	e.Must(r.Mkdir("/sb/x", 0o755))
	e.Must(r.Mkdir("/sb/m", 0o755))
	e.WriteFile("/secret", "outside", 0o644)
	e.WriteFile("/sb/f", "inside", 0o644)
	e.WriteFile("/sb/x/g", "inside g", 0o644)
	e.WriteFile("/sb/secret", "the root's secret", 0o644)
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
	if err := tk.SetResolve(RESOLVE_BENEATH | RESOLVE_IN_ROOT); err != EINVAL {
		t.Errorf("SetResolve(BENEATH|IN_ROOT): %v, want EINVAL", err)
	}

	cases := []struct {
		path            string
		beneath, inRoot string // content, or the errno's name
	}{
		{"f", "inside", "inside"},
		{"x/g", "inside g", "inside g"},
		{"x/../f", "inside", "inside"},
		{"x/./../x/g", "inside g", "inside g"},
		{"rel", "inside g", "inside g"},
		{"x/back", "inside", "inside"},
		{"m/h", "mounted", "mounted"},
		{"m/../f", "inside", "inside"},
		{"../secret", "EXDEV", "the root's secret"},
		{"..", "EXDEV", ""}, // a directory: read(2) gives EISDIR, nothing read
		{"x/../../secret", "EXDEV", "the root's secret"},
		{"/secret", "EXDEV", "the root's secret"},
		{"/sb/f", "EXDEV", "ENOENT"},
		{"abs/secret", "EXDEV", "the root's secret"},
		{"up", "EXDEV", "the root's secret"},
		{"m/../../secret", "EXDEV", "the root's secret"},
		{fmt.Sprintf("proc/self/fd/%d", out), "EXDEV", "EXDEV"},
		{fmt.Sprintf("proc/self/fd/%d", in), "EXDEV", "EXDEV"},
		{"nope", "ENOENT", "ENOENT"},
	}
	for _, how := range []uint64{RESOLVE_BENEATH, RESOLVE_IN_ROOT} {
		e.Must(tk.SetResolve(how))
		for _, c := range cases {
			want := c.beneath
			if how == RESOLVE_IN_ROOT {
				want = c.inRoot
			}
			if got := openatRead(tk, dfd, c.path); got != want {
				t.Errorf("resolve %#x: openat(/sb, %q) = %q, want %q", how, c.path, got, want)
			}
		}
	}
	e.Must(tk.SetResolve(RESOLVE_BENEATH))
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
	// open_last_lookups handles a last ".." (handle_dots) before do_open's
	// O_CREAT check: EXDEV at the root, EISDIR below it.
	if _, err := tk.Openat(dfd, "..", O_CREAT|O_WRONLY, 0o644); err != EXDEV {
		t.Errorf("openat(/sb, .., O_CREAT): %v, want EXDEV", err)
	}
	if _, err := tk.Openat(dfd, "x/..", O_CREAT|O_WRONLY, 0o644); err != EISDIR {
		t.Errorf("openat(/sb, x/.., O_CREAT): %v, want EISDIR", err)
	}
	if !e.Exists("/secret") || e.Exists("/made") {
		t.Error("a walk beneath /sb changed something outside it")
	}
	// Off again, the task walks as any other.
	e.Must(tk.SetResolve(0))
	if fd, err := tk.Openat(dfd, "../secret", O_RDONLY, 0); err != nil {
		t.Errorf("openat(/sb, ../secret) without beneath: %v", err)
	} else {
		tk.Close(fd)
	}
}

// openatRead opens path under dfd read-only and returns what a read of
// up to 64 bytes gives, or the errno's name if the open fails.
func openatRead(tk *Task, dfd int, path string) string {
	fd, err := tk.Openat(dfd, path, O_RDONLY, 0)
	if err != nil {
		return ErrnoOf(err).Name()
	}
	defer tk.Close(fd)
	buf := make([]byte, 64)
	n, _ := tk.Read(fd, buf)
	return string(buf[:max(n, 0)])
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
	e.Must(tk.SetResolve(RESOLVE_BENEATH))
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

// TestResolveScopedStackedRoot: a mount stacked on a scoped walk's start
// directory after the descriptor was opened. The walk starts on the
// covered directory; "x/.." steps onto the mount (step_into follows it);
// ".." from the mount's root would go up to the start itself, so it is
// in_root (choose_mountpoint stops at the root): EXDEV for
// RESOLVE_BENEATH, no step for RESOLVE_IN_ROOT. The expected values are
// openat2(2) on Linux 6.18 with the same tree.
func TestResolveScopedStackedRoot(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	e.Must(r.Mkdir("/sb", 0o755))
	e.Must(r.Mkdir("/sb/x", 0o755))
	e.WriteFile("/secret", "outside", 0o644)
	e.WriteFile("/sb/f", "covered f", 0o644)
	tk := r.Fork("scoped")
	defer tk.Exit()
	dfd, err := tk.Open("/sb", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	e.Must(r.Mount("none", "/sb", "tmpfs", 0, ""))
	e.WriteFile("/sb/f", "mounted f", 0o644)
	cases := []struct {
		path                  string
		none, beneath, inRoot string // content, or the errno's name
	}{
		{"f", "covered f", "covered f", "covered f"},
		{"x/../f", "mounted f", "mounted f", "mounted f"},
		{"x/../../secret", "outside", "EXDEV", "ENOENT"},
		{"x/../..", "", "EXDEV", ""},
		{"x/../../sb/f", "mounted f", "EXDEV", "ENOENT"},
		{"x/../../f", "ENOENT", "EXDEV", "mounted f"},
	}
	for _, how := range []uint64{0, RESOLVE_BENEATH, RESOLVE_IN_ROOT} {
		e.Must(tk.SetResolve(how))
		for _, c := range cases {
			want := map[uint64]string{0: c.none, RESOLVE_BENEATH: c.beneath, RESOLVE_IN_ROOT: c.inRoot}[how]
			if got := openatRead(tk, dfd, c.path); got != want {
				t.Errorf("resolve %#x: openat(/sb, %q) = %q, want %q", how, c.path, got, want)
			}
		}
	}
}
