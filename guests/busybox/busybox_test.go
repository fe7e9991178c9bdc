package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// bb runs an applet in the current directory and returns its output.
func bb(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(append([]string{"busybox"}, args...), strings.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

// step is one command of a scenario with its expected result.
type step struct {
	args   []string
	stdin  string
	stdout string
	stderr string
	code   int
}

func sh(args ...string) []string { return args }

func runSteps(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		o, e, c := bb(t, s.stdin, s.args...)
		if o != s.stdout || e != s.stderr || c != s.code {
			t.Errorf("%s:\n got stdout %q stderr %q exit %d\nwant stdout %q stderr %q exit %d",
				strings.Join(s.args, " "), o, e, c, s.stdout, s.stderr, s.code)
		}
	}
}

func TestApplets(t *testing.T) {
	t.Chdir(t.TempDir())
	runSteps(t, []step{
		{args: sh("echo", "hello", "world"), stdout: "hello world\n"},
		{args: sh("echo", "-n", "x"), stdout: "x"},
		{args: sh("echo", "-e", `a\tb\c`), stdout: "a\tb"},
		{args: sh("echo", "-x"), stdout: "-x\n"},
		{args: sh("mkdir", "a")},
		{args: sh("mkdir", "a"), stderr: "mkdir: cannot create directory 'a': File exists\n", code: 1},
		{args: sh("mkdir", "-p", "a/b/c")},
		{args: sh("mkdir", "-z"), stderr: "mkdir: invalid option -- 'z'\nTry 'mkdir --help' for more information.\n", code: 1},
		{args: sh("mkdir"), stderr: "mkdir: missing operand\nTry 'mkdir --help' for more information.\n", code: 1},
		{args: sh("touch", "f")},
		{args: sh("true", "x")},
		{args: sh("false", "x"), code: 1},
		{args: sh("mkdir", "-p", "f"), stderr: "mkdir: cannot create directory 'f': File exists\n", code: 1},
		{args: sh("mkdir", "-p", "f/g"), stderr: "mkdir: cannot create directory 'f': Not a directory\n", code: 1},
		{args: sh("touch", "-c", "nope")},
		{args: sh("touch", "nodir/x"), stderr: "touch: cannot touch 'nodir/x': No such file or directory\n", code: 1},
		{args: sh("ls"), stdout: "a\nf\n"},
		{args: sh("ls", "-a", "a"), stdout: ".\n..\nb\n"},
		{args: sh("ls", "f", "a", "nope"), stdout: "f\n\na:\nb\n", stderr: "ls: cannot access 'nope': No such file or directory\n", code: 2},
		{args: sh("ls", "-z"), stderr: "ls: invalid option -- 'z'\nTry 'ls --help' for more information.\n", code: 2},
		{args: sh("cat", "-"), stdin: "in\n", stdout: "in\n"},
		{args: sh("cat", "nope"), stderr: "cat: nope: No such file or directory\n", code: 1},
		{args: sh("cat", "a"), stderr: "cat: a: Is a directory\n", code: 1},
		{args: sh("dd", "of=g", "status=none"), stdin: "hello\n"},
		{args: sh("cat", "g", "g"), stdout: "hello\nhello\n"},
		{args: sh("dd", "if=g", "of=h", "bs=2", "status=noxfer"), stderr: "3+0 records in\n3+0 records out\n"},
		{args: sh("dd", "if=g", "of=h", "bs=2", "seek=1", "count=1", "conv=notrunc", "status=noxfer"), stderr: "1+0 records in\n1+0 records out\n"},
		{args: sh("cat", "h"), stdout: "heheo\n"},
		{args: sh("dd", "if=g", "of=h", "bs=4", "skip=1", "status=noxfer"), stderr: "0+1 records in\n0+1 records out\n"},
		{args: sh("cat", "h"), stdout: "o\n"},
		{args: sh("dd", "if=g", "of=h", "bs=1", "seek=2", "count=2", "status=noxfer"), stderr: "2+0 records in\n2+0 records out\n"},
		{args: sh("stat", "-c", "%s", "h"), stdout: "4\n"},
		{args: sh("dd", "foo"), stderr: "dd: unrecognized operand 'foo'\nTry 'dd --help' for more information.\n", code: 1},
		{args: sh("dd", "if=nope"), stderr: "dd: failed to open 'nope': No such file or directory\n", code: 1},
		{args: sh("cp", "g", "g2")},
		{args: sh("cat", "g2"), stdout: "hello\n"},
		{args: sh("cp", "g", "g"), stderr: "cp: 'g' and 'g' are the same file\n", code: 1},
		{args: sh("cp", "a", "a2"), stderr: "cp: -r not specified; omitting directory 'a'\n", code: 1},
		{args: sh("cp", "nope", "x"), stderr: "cp: cannot stat 'nope': No such file or directory\n", code: 1},
		{args: sh("cp", "g", "g2", "z"), stderr: "cp: target 'z': No such file or directory\n", code: 1},
		{args: sh("cp", "g", "g2", "f"), stderr: "cp: target 'f': Not a directory\n", code: 1},
		{args: sh("cp", "-r", "a", "a/b"), stderr: "cp: cannot copy a directory, 'a', into itself, 'a/b/a'\n", code: 1},
		{args: sh("cp", "g", "a/b/c")},
		{args: sh("ln", "-s", "../g", "a/b/l")},
		{args: sh("cp", "-r", "a", "a2")},
		{args: sh("find", "a2", "-type", "f"), stdout: "a2/b/c/g\n"},
		{args: sh("find", "a2", "-type", "l"), stdout: "a2/b/l\n"},
		{args: sh("find", "a2", "-name", "[lc]", "-maxdepth", "2"), stdout: "a2/b/c\na2/b/l\n"},
		{args: sh("find", "a2", "-mindepth", "3", "-type", "f"), stdout: "a2/b/c/g\n"},
		{args: sh("find", "nope"), stderr: "find: 'nope': No such file or directory\n", code: 1},
		{args: sh("find", ".", "-type", "z"), stderr: "find: Unknown argument to -type: z\n", code: 1},
		{args: sh("find", ".", "-foo"), stderr: "find: unknown predicate `-foo'\n", code: 1},
		{args: sh("cat", "a2/b/l"), stderr: "cat: a2/b/l: No such file or directory\n", code: 1},
		{args: sh("stat", "-c", "%N|%F", "a2/b/l"), stdout: "a2/b/l -> ../g|symbolic link\n"},
		{args: sh("mv", "g2", "a2")},
		{args: sh("cat", "a2/g2"), stdout: "hello\n"},
		{args: sh("mv", "nope", "x"), stderr: "mv: cannot stat 'nope': No such file or directory\n", code: 1},
		{args: sh("mv", "a", "a/b"), stderr: "mv: cannot move 'a' to a subdirectory of itself, 'a/b/a'\n", code: 1},
		{args: sh("mv", "a2/g2", "g3")},
		{args: sh("ln", "g3", "g4")},
		{args: sh("stat", "-c", "%h %s %F %n", "g3"), stdout: "2 6 regular file g3\n"},
		{args: sh("ln", "g3", "g4"), stderr: "ln: failed to create hard link 'g4': File exists\n", code: 1},
		{args: sh("ln", "-f", "g3", "g4")},
		{args: sh("ln", "g3", "nodir/y"), stderr: "ln: failed to create hard link 'nodir/y' => 'g3': No such file or directory\n", code: 1},
		{args: sh("ln", "nope", "q"), stderr: "ln: failed to access 'nope': No such file or directory\n", code: 1},
		{args: sh("ln", "a", "q"), stderr: "ln: a: hard link not allowed for directory\n", code: 1},
		{args: sh("ln", "-s", "g3", "g4"), stderr: "ln: failed to create symbolic link 'g4': File exists\n", code: 1},
		{args: sh("ln", "-s", "g3"), stderr: "ln: failed to create symbolic link './g3': File exists\n", code: 1},
		{args: sh("rm", "nope"), stderr: "rm: cannot remove 'nope': No such file or directory\n", code: 1},
		{args: sh("rm", "-f", "nope")},
		{args: sh("rm", "-f")},
		{args: sh("rm"), stderr: "rm: missing operand\nTry 'rm --help' for more information.\n", code: 1},
		{args: sh("rm", "a"), stderr: "rm: cannot remove 'a': Is a directory\n", code: 1},
		{args: sh("rm", "-d", "a"), stderr: "rm: cannot remove 'a': Directory not empty\n", code: 1},
		{args: sh("rm", "-r", "a", "a2", "g3", "g4")},
		{args: sh("rm", "-r", "."), stderr: "rm: refusing to remove '.' or '..' directory: skipping '.'\n", code: 1},
		{args: sh("ls"), stdout: "f\ng\nh\n"},
		{args: sh("sync")},
		{args: sh("sync", "g")},
		{args: sh("nosuch"), stderr: "busybox: applet not found: nosuch\n", code: 127},
	})
}

// TestArgv0 checks that a binary named after an applet runs it.
func TestArgv0(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"/bin/echo.wasm", "hi"}, nil, &o, &e); code != 0 || o.String() != "hi\n" {
		t.Fatalf("echo.wasm hi: %q %q %d", o.String(), e.String(), code)
	}
	o.Reset()
	if code := run([]string{"busybox", "--list"}, nil, &o, &e); code != 0 || !strings.Contains(o.String(), "mkdir") {
		t.Fatalf("--list: %q %d", o.String(), code)
	}
}

func TestLongFormats(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("f", []byte("hello\n"), 0o644)
	os.Symlink("f", "l")
	os.Mkdir("d", 0o755)
	out, errOut, code := bb(t, "", "ls", "-l")
	if code != 0 || errOut != "" {
		t.Fatalf("ls -l: %q %d", errOut, code)
	}
	re := regexp.MustCompile(`^total \d+
drwxr-xr-x +\d+ \S+ +\S+ +\d+ [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) d
-rw-r--r-- +1 \S+ +\S+ +6 [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) f
lrwxrwxrwx +1 \S+ +\S+ +1 [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) l -> f
$`)
	if !re.MatchString(out) {
		t.Errorf("ls -l:\n%s", out)
	}
	fi, _ := os.Stat("f")
	ino := fullStat(fi).ino
	out, _, _ = bb(t, "", "ls", "-i", "f")
	if want := itoa(ino) + " f\n"; out != want {
		t.Errorf("ls -i f = %q, want %q", out, want)
	}
	out, _, _ = bb(t, "", "stat", "f")
	re = regexp.MustCompile(`^  File: f
  Size: 6         \tBlocks: \d+ +IO Block: \d+ +regular file
Device: \d+,\d+\tInode: \d+ +Links: 1
Access: \(0644/-rw-r--r--\)  Uid: \( *\d+/ *\S+\)   Gid: \( *\d+/ *\S+\)
Access: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4}
Modify: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4}
Change: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4}
 Birth: -
$`)
	if !re.MatchString(out) {
		t.Errorf("stat f:\n%s", out)
	}
	out, _, _ = bb(t, "", "stat", "l")
	if !strings.HasPrefix(out, "  File: l -> f\n") || !strings.Contains(out, "symbolic link") {
		t.Errorf("stat l:\n%s", out)
	}
	out, _, _ = bb(t, "", "stat", "-L", "-c", "%a %A %F %i", "l")
	if want := "644 -rw-r--r-- regular file " + itoa(ino) + "\n"; out != want {
		t.Errorf("stat -L -c: %q, want %q", out, want)
	}
	out, _, code = bb(t, "", "stat", "nope")
	if code != 1 {
		t.Errorf("stat nope: exit %d %q", code, out)
	}
	if runtime.GOOS == "linux" {
		out, errOut, code = bb(t, "", "df", ".")
		if code != 0 || !strings.HasPrefix(out, "Filesystem") || strings.Count(out, "\n") != 2 {
			t.Errorf("df .: %q %q %d", out, errOut, code)
		}
	}
	if got := ddTransfer(4096, 0); !strings.HasPrefix(got, "4096 bytes (4.1 kB, 4.0 KiB) copied") {
		t.Errorf("ddTransfer(4096) = %q", got)
	}
	for in, want := range map[string]int64{"512": 512, "1k": 1024, "1K": 1024, "2kB": 2000, "1M": 1 << 20, "3b": 1536, "2w": 4} {
		if n, err := ddNumber(in); err != nil || n != want {
			t.Errorf("ddNumber(%q) = %d, %v, want %d", in, n, err, want)
		}
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// TestAgainstCoreutils runs the same commands through the guest and the
// host's GNU coreutils and findutils (C locale), in two fresh directories,
// and compares standard output, standard error and exit status.
func TestAgainstCoreutils(t *testing.T) {
	out, err := exec.Command("ls", "--version").Output()
	if err != nil || !bytes.Contains(out, []byte("GNU coreutils")) {
		t.Skip("GNU coreutils not installed")
	}
	cmds := [][]string{
		{"mkdir", "a"}, {"mkdir", "a"}, {"mkdir", "-p", "a/b/c"}, {"mkdir", "-z"}, {"mkdir"},
		{"touch", "f"}, {"mkdir", "-p", "f"}, {"mkdir", "-p", "f/g"}, {"touch", "nodir/x"},
		{"ls"}, {"ls", "-a", "a"}, {"ls", "f", "a", "nope"}, {"ls", "-d", "a", "f"}, {"ls", "-z"},
		{"cat", "nope"}, {"cat", "a"}, {"echo", "-n", "x"}, {"echo", "-e", `a\tb`},
		{"cp", "f", "f"}, {"cp", "a", "a2"}, {"cp", "nope", "x"}, {"cp", "f", "a", "z"}, {"cp", "f", "f", "f"},
		{"cp", "-r", "a", "a/b"}, {"cp", "f", "a/b/c"}, {"ln", "-s", "../f", "a/b/l"}, {"cp", "-r", "a", "a2"},
		{"find", "a2", "-type", "f"}, {"find", "a2", "-type", "l"}, {"find", "nope"}, {"find", ".", "-type", "z"},
		{"mv", "nope", "x"}, {"mv", "a", "a/b"}, {"mv", "a2/b/c/f", "g"}, {"ln", "g", "h"}, {"ln", "g", "h"},
		{"ln", "g", "nodir/y"}, {"ln", "nope", "q"}, {"ln", "a", "q"}, {"ln", "-s", "g", "h"}, {"ln", "-s", "g"},
		{"stat", "-c", "%h %s %F %n %a", "g", "a", "a/b/l"}, {"stat", "-L", "-c", "%F", "a/b/l"}, {"stat", "nope"},
		{"rm", "nope"}, {"rm", "-f", "nope"}, {"rm", "-f"}, {"rm"}, {"rm", "a"}, {"rm", "-d", "a"},
		{"rm", "-r", "."}, {"rm", "-r", "a2", "h"}, {"ls", "-a"}, {"dd", "foo"}, {"dd", "if=nope"},
		{"dd", "if=g", "of=o", "bs=2", "status=noxfer"}, {"dd", "if=g", "of=o", "bs=2", "seek=1", "count=1", "conv=notrunc", "status=noxfer"},
		{"cat", "o"}, {"touch", "-c", "nope"},
	}
	guestDir, hostDir := t.TempDir(), t.TempDir()
	for _, c := range cmds {
		t.Chdir(guestDir)
		gOut, gErr, gCode := bb(t, "", c...)
		cmd := exec.Command(c[0], c[1:]...)
		if c[0] == "echo" {
			cmd = exec.Command("/bin/echo", c[1:]...)
		}
		cmd.Dir = hostDir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		var hOut, hErr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &hOut, &hErr
		hCode := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("%v: %v", c, err)
			}
			hCode = ee.ExitCode()
		}
		if gOut != hOut.String() || gErr != hErr.String() || gCode != hCode {
			t.Errorf("%s:\nguest stdout %q stderr %q exit %d\nhost  stdout %q stderr %q exit %d",
				strings.Join(c, " "), gOut, gErr, gCode, hOut.String(), hErr.String(), hCode)
		}
	}
}

// TestBuildsForWasip1 is the guest's reason to exist: it must compile for
// GOOS=wasip1 GOARCH=wasm (every guest under guests/).
func TestBuildsForWasip1(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-build skipped in -short mode")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "build", "-o", t.TempDir(), "./...")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=wasip1 GOARCH=wasm go build ./guests/...: %v\n%s", err, out)
	}
}
