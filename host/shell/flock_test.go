package shell_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/host/shell"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestFlockOptions: flock parses its options as util-linux's does, with
// getopt_long("+sexnoFuw:E:hV?") and its long options table
// (sys-utils/flock.c): clusters ("-xn", "-nE 3"), attached arguments
// ("-E3", "--conflict-exit-code=3"), unambiguous prefixes of long
// options ("--conf", "--nonblock"), options ending at the first
// operand. The expected outputs are util-linux 2.38.1's flock under
// dash; the inner flock of each "-c" conflicts with the outer one.
func TestFlockOptions(t *testing.T) {
	tests := []scriptCase{
		{"cluster", `flock -xn /tmp/l -c "echo ran"; echo $?`, "ran\n0\n"},
		{"cluster with an argument after", `flock /tmp/l -c 'flock -nE 3 /tmp/l true'; echo $?`, "3\n"},
		{"attached argument", `flock /tmp/l -c 'flock -nE3 /tmp/l true'; echo $?`, "3\n"},
		{"long option with =", `flock /tmp/l -c 'flock -n --conflict-exit-code=4 /tmp/l true'; echo $?`, "4\n"},
		{"long prefixes", `flock /tmp/l -c 'flock --nonblock --conf 5 /tmp/l true'; echo $?`, "5\n"},
		{"the last of -s -x -u wins", `flock -u -s /tmp/l cat /proc/locks; flock -s -x /tmp/l cat /proc/locks`,
			"1: FLOCK  ADVISORY  READ 1 00:01:6 0 EOF\n1: FLOCK  ADVISORY  WRITE 1 00:01:6 0 EOF\n"},
		{"options stop at the first operand", `flock -- /tmp/l echo -n hi; echo " $?"`, "hi 0\n"},
		{"-w 0 is -n", `flock /tmp/l -c 'flock -w 0 -E 6 /tmp/l true'; echo $?`, "6\n"},
		{"-w times out", `flock /tmp/l -c 'flock --timeout=0.02 -E 7 /tmp/l true'; echo $?`, "7\n"},
		{"-o closes the descriptor in the command", `flock -o /tmp/l ls /proc/self/fd; flock /tmp/l ls /proc/self/fd`, "0\n0\n1\n"},
		{"unknown long option", `flock --foo /tmp/l true; echo $?`,
			"flock: unrecognized option '--foo'\nTry 'flock --help' for more information.\n64\n"},
		{"unknown long option with a value", `flock --foo=3 /tmp/l true; echo $?`,
			"flock: unrecognized option '--foo=3'\nTry 'flock --help' for more information.\n64\n"},
		{"ambiguous prefix", `flock --no /tmp/l true; echo $?`,
			"flock: option '--no' is ambiguous; possibilities: '--nonblocking' '--no-fork'\nTry 'flock --help' for more information.\n64\n"},
		{"argument to an option without one", `flock --sh=1 /tmp/l true; echo $?`,
			"flock: option '--shared' doesn't allow an argument\nTry 'flock --help' for more information.\n64\n"},
		{"missing long argument", `flock --conflict-exit-code; echo $?`,
			"flock: option '--conflict-exit-code' requires an argument\nTry 'flock --help' for more information.\n64\n"},
		{"missing short argument", `flock -E; echo $?`,
			"flock: option requires an argument -- 'E'\nTry 'flock --help' for more information.\n64\n"},
		{"unknown short option in a cluster", `flock -nq /tmp/l true; echo $?`,
			"flock: invalid option -- 'q'\nTry 'flock --help' for more information.\n64\n"},
		{"-?", `flock -? /tmp/l true; echo $?`, "Try 'flock --help' for more information.\n64\n"},
		{"--no-fork with --close", `flock -o -F /tmp/l true; echo $?`,
			"flock: the --no-fork and --close options are incompatible\n64\n"},
		{"-c with two arguments", `flock /tmp/l -c a b; echo $?`, "flock: -c requires exactly one command argument\n64\n"},
		{"no operand", `flock -n; echo $?`, "flock: requires file descriptor, file or directory\n64\n"},
		{"no arguments", `flock; echo $?`, "flock: not enough arguments\nTry 'flock --help' for more information.\n64\n"},
		{"one operand is a descriptor", `flock /tmp/l; echo $?`, "flock: bad file descriptor: '/tmp/l'\n64\n"},
		{"a descriptor not open", `flock 9; echo $?`, "flock: 9: Bad file descriptor\n65\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}

// TestFlockExitCode: -E takes util-linux's strtos32_or_err number
// (decimal, white space and a sign before it) in 0..255; anything else
// is a usage error, status 64 (sys-utils/flock.c; util-linux 2.38.1).
func TestFlockExitCode(t *testing.T) {
	tests := []scriptCase{
		{"leading space and sign", `flock /tmp/l -c "flock -n -E ' +7' /tmp/l true"; echo $?`, "7\n"},
		{"decimal, not octal", `flock /tmp/l -c 'flock -n -E 010 /tmp/l true'; echo $?`, "10\n"},
		{"zero", `flock /tmp/l -c 'flock -n -E 0 /tmp/l true'; echo $?`, "0\n"},
		{"too big", `flock -E 300 /tmp/l true; echo $?`, "flock: exit code out of range (expected 0 to 255)\n64\n"},
		{"negative", `flock -E -1 /tmp/l true; echo $?`, "flock: exit code out of range (expected 0 to 255)\n64\n"},
		{"not a number", `flock -E abc /tmp/l true; echo $?`, "flock: invalid exit code: 'abc'\n64\n"},
		{"trailing space", `flock -E '7 ' /tmp/l true; echo $?`, "flock: invalid exit code: '7 '\n64\n"},
		{"hexadecimal", `flock -E 0x10 /tmp/l true; echo $?`, "flock: invalid exit code: '0x10'\n64\n"},
		{"out of int32", `flock -E 99999999999 /tmp/l true; echo $?`,
			"flock: invalid exit code: '99999999999': Numerical result out of range\n64\n"},
		{"bad timeout", `flock -w abc /tmp/l true; echo $?`, "flock: invalid timeout value: 'abc'\n64\n"},
		{"negative timeout", `flock -w -1 /tmp/l true; echo $?`, "flock: cannot set up timer: Invalid argument\n71\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}

// TestFlockOpenFailure: util-linux's open_file() (sys-utils/flock.c)
// exits EX_CANTCREAT (73) when the lock file cannot be created on a
// read-only (EROFS) or full (ENOSPC) filesystem, EX_OSERR (71) when
// memory or descriptors ran out (ENOMEM, EMFILE, ENFILE) and
// EX_NOINPUT (66) otherwise; open(2) gives those errors.
func TestFlockOpenFailure(t *testing.T) {
	tests := []struct {
		name, setup, line string
		// fill opens descriptors until the task has none left.
		fill bool
		want string
	}{
		{"read-only filesystem", "mkdir /r; mount -t tmpfs none /r; mount -o remount,ro /r", "flock /r/l true; echo $?", false,
			"flock: cannot open lock file /r/l: Read-only file system\n73\n"},
		{"no inode left", "mkdir /m; mount -t tmpfs -o nr_inodes=2 none /m; touch /m/a", "flock /m/l true; echo $?", false,
			"flock: cannot open lock file /m/l: No space left on device\n73\n"},
		{"no descriptor left", "", "flock /tmp/l true; echo $?", true,
			"flock: cannot open lock file /tmp/l: Too many open files\n71\n"},
		{"missing directory", "", "flock /nonexist/l true; echo $?", false,
			"flock: cannot open lock file /nonexist/l: No such file or directory\n66\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, task, err := boot.New(vfs.Options{Lockdep: true, Clock: func() time.Time { return epoch }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { checkVFS(t, v) })
			var out bytes.Buffer
			sh := shell.New(task, strings.NewReader(""), &out, &out)
			sh.RunString(tc.setup)
			if out.Len() != 0 {
				t.Fatalf("setup: %q", out.String())
			}
			var fds []int
			for tc.fill {
				fd, err := task.Open("/", vfs.O_RDONLY, 0)
				if err == vfs.EMFILE {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				fds = append(fds, fd)
			}
			sh.RunString(tc.line)
			for _, fd := range fds {
				task.Close(fd)
			}
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.line, got, tc.want)
			}
		})
	}
}
