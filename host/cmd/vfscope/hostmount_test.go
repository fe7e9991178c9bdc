package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// hostprobe builds testdata/hostprobe for GOOS=wasip1 into a directory of
// the test (skipped without a go tool).
func hostprobe(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the wasip1 guest")
	}
	out := filepath.Join(t.TempDir(), "hostprobe.wasm")
	cmd := exec.Command(goTool, "build", "-o", out, "./testdata/hostprobe")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the guest: %v\n%s", err, msg)
	}
	return out
}

const hostprobeOut = `ls: a.txt etc gone sub up
cat: "from the host\n" ok
escape /data/etc/passwd: 0 bytes ENOENT
escape /data/../../etc/passwd: 0 bytes ENOENT
escape /data/up/etc/passwd: 0 bytes ENOENT
mkdir: ok
write: ok
append: ok
rename: ok
symlink: ok
cat link: "from the guest\nappended\n" ok
link: ok
same file: true
rm: ok
rmdir non-empty: remove /data/sub: Directory not empty
truncate: ok
ls: a.txt c.txt etc link newdir sub up
`

const hostprobeROOut = `ls: a.txt etc gone sub up
cat: "from the host\n" ok
escape /data/etc/passwd: 0 bytes ENOENT
escape /data/../../etc/passwd: 0 bytes ENOENT
escape /data/up/etc/passwd: 0 bytes ENOENT
write: open /data/ro-file: Read-only file system
`

// TestRunHostMount runs a guest under `vfscope run --lockdep --mount
// host:DIR:/data[:ro]` through both WASI paths and checks what it saw and
// what it left on the host. A link to /etc and a link climbing out with
// ".." resolve inside the VFS, where there is no passwd.
func TestRunHostMount(t *testing.T) {
	app := hostprobe(t)
	for _, mode := range []string{"native", "sysfs"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(os.WriteFile(filepath.Join(dir, "a.txt"), []byte("from the host\n"), 0o644))
			must(os.Mkdir(filepath.Join(dir, "sub"), 0o755))
			must(os.WriteFile(filepath.Join(dir, "sub", "x"), nil, 0o644))
			must(os.WriteFile(filepath.Join(dir, "gone"), nil, 0o644))
			must(os.Symlink("/etc", filepath.Join(dir, "etc")))
			must(os.Symlink("../../../../../../..", filepath.Join(dir, "up")))
			run := func(opts string, args ...string) (string, string, int) {
				a := []string{"run", "--lockdep"}
				if mode == "sysfs" {
					a = append(a, "--sysfs")
				}
				a = append(a, "--mount", "host:"+dir+":/data"+opts, app)
				return runCmd(append(a, args...)...)
			}

			// Read-only once (each run compiles the guest: slow under
			// -race); EROFS reaches the guest through both paths alike.
			if mode == "native" {
				out, errs, st := run(":ro", "ro")
				if st != 0 || errs != "" || out != hostprobeROOut {
					t.Errorf("read-only: status %d, stderr %q, stdout:\n%s\nwant:\n%s", st, errs, out, hostprobeROOut)
				}
				if _, err := os.Lstat(filepath.Join(dir, "ro-file")); !os.IsNotExist(err) {
					t.Errorf("the read-only write reached the host: %v", err)
				}
			}

			out, errs, st := run("")
			want := hostprobeOut
			if st != 0 || errs != "" || out != want {
				t.Errorf("status %d, stderr %q, stdout:\n%s\nwant:\n%s", st, errs, out, want)
			}
			read := func(name string) string {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Errorf("host: %v", err)
				}
				return string(b)
			}
			if got := read("c.txt"); got != "from the guest\nappended\n" {
				t.Errorf("c.txt: %q", got)
			}
			if got := read("a.txt"); got != "from" {
				t.Errorf("a.txt: %q", got)
			}
			if s, err := os.Readlink(filepath.Join(dir, "link")); err != nil || s != "c.txt" {
				t.Errorf("link: %q %v", s, err)
			}
			a, err1 := os.Stat(filepath.Join(dir, "c.txt"))
			b, err2 := os.Stat(filepath.Join(dir, "sub", "hard"))
			if err1 != nil || err2 != nil || !os.SameFile(a, b) {
				t.Errorf("hard link on the host: %v %v", err1, err2)
			}
			for _, gone := range []string{"gone", "newdir/b.txt"} {
				if _, err := os.Lstat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
					t.Errorf("%s still on the host: %v", gone, err)
				}
			}
		})
	}
}
