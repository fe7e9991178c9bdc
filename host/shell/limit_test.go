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

// TestOutputLimit checks the bound on what a command line leaves in the
// writers the shell was given (a browser's or the live server's buffer)
// and on reading a device that never ends. Linux's cat streams to its
// terminal without end and stays flat (fs/read_write.c: each read(2) of
// /dev/zero fills the buffer again, drivers/char/mem.c read_zero); the
// shell instead collects, so it stops at OutputLimit, says so on
// standard error and fails, as a write error would. Regular files are
// never cut short when the output is a file, and "input file is output
// file" is coreutils' cat.c check (a nonempty regular file copied to
// itself would grow without end).
func TestOutputLimit(t *testing.T) {
	const notice = ": output truncated after 4096 bytes (the shell's output limit)\n"
	tests := []struct {
		name    string
		limit   int64 // OutputLimit; -1 keeps New's default
		scripts []string
		viaRun  bool   // the scripts are the shell's stdin, read by Run
		stdout  int    // bytes on standard output, all runs
		zeros   bool   // standard output is all NUL bytes
		stderr  string // standard error, all runs
		status  int    // the last run's
		path    string // a file the scripts leave, checked afterwards
		size    int64  // its size (-1: it exists)
	}{
		{
			name:    "the default limit",
			limit:   -1,
			scripts: []string{"truncate -s 2M /tmp/f; cat /tmp/f"},
			stdout:  shell.DefaultOutputLimit,
			zeros:   true,
			stderr:  "cat: output truncated after 1048576 bytes (the shell's output limit)\n",
			status:  1,
		},
		{
			name:    "a file larger than the limit is cut at it",
			limit:   4096,
			scripts: []string{"truncate -s 10000 /tmp/f; cat /tmp/f"},
			stdout:  4096,
			zeros:   true,
			stderr:  "cat" + notice,
			status:  1,
		},
		{
			name:    "output up to the limit is whole",
			limit:   4096,
			scripts: []string{"truncate -s 4096 /tmp/f; cat /tmp/f"},
			stdout:  4096,
			zeros:   true,
		},
		{
			name:    "standard output and error share the limit",
			limit:   4096,
			scripts: []string{"truncate -s 5000 /tmp/f; ls /nonexistent-name-to-fill-stderr-with; cat /tmp/f"},
			stdout:  4096 - len("ls: cannot access '/nonexistent-name-to-fill-stderr-with': No such file or directory\n"),
			zeros:   true,
			stderr:  "ls: cannot access '/nonexistent-name-to-fill-stderr-with': No such file or directory\ncat" + notice,
			status:  1,
		},
		{
			name:    "later commands of the line still run, and are told",
			limit:   4096,
			scripts: []string{"truncate -s 5000 /tmp/f; cat /tmp/f; echo after; mkdir /made"},
			stdout:  4096,
			zeros:   true,
			stderr:  "cat" + notice + "echo" + notice,
			status:  0,
			path:    "/made",
			size:    -1,
		},
		{
			name:    "each run gets the whole limit",
			limit:   4096,
			scripts: []string{"truncate -s 3000 /tmp/f; cat /tmp/f", "cat /tmp/f"},
			stdout:  6000,
			zeros:   true,
		},
		{
			name:    "Run counts per line read",
			limit:   4096,
			viaRun:  true,
			scripts: []string{"truncate -s 3000 /tmp/f\ncat /tmp/f\ncat /tmp/f\n"},
			stdout:  6000,
			zeros:   true,
		},
		{
			name:    "RunString counts for all its lines",
			limit:   4096,
			scripts: []string{"truncate -s 3000 /tmp/f\ncat /tmp/f\ncat /tmp/f\n"},
			stdout:  4096,
			zeros:   true,
			stderr:  "cat" + notice,
			status:  1,
		},
		{
			name:    "cat /dev/zero stops at the default limit",
			limit:   -1,
			scripts: []string{"cat /dev/zero"},
			stdout:  shell.DefaultOutputLimit,
			zeros:   true,
			stderr:  "cat: /dev/zero: stopped after 1048576 bytes (the shell's limit on reading a device)\n",
			status:  1,
		},
		{
			name:    "cat /dev/zero to /dev/null stops too",
			limit:   4096,
			scripts: []string{"cat /dev/zero > /dev/null"},
			stderr:  "cat: /dev/zero: stopped after 4096 bytes (the shell's limit on reading a device)\n",
			status:  1,
		},
		{
			name:    "a device read into a pipe",
			limit:   4096,
			scripts: []string{"cat /dev/zero | cat > /tmp/z"},
			stderr:  "cat: /dev/zero: stopped after 4096 bytes (the shell's limit on reading a device)\n",
			path:    "/tmp/z",
			size:    4096,
		},
		{
			name:    "without a limit a pipe still stops /dev/zero",
			limit:   0,
			scripts: []string{"cat /dev/zero | cat > /tmp/z"},
			stderr:  "cat: output truncated after 16777216 bytes (the pipe's buffer is full)\n",
			path:    "/tmp/z",
			size:    shell.DefaultPipeLimit,
		},
		{
			name:    "cat < /dev/zero stops too",
			limit:   4096,
			scripts: []string{"cat < /dev/zero > /dev/null"},
			stderr:  "cat: -: stopped after 4096 bytes (the shell's limit on reading a device)\n",
			status:  1,
		},
		{
			name:    "cat < FILE is whole",
			limit:   4096,
			scripts: []string{"truncate -s 10000 /tmp/f; cat < /tmp/f > /tmp/g"},
			path:    "/tmp/g",
			size:    10000,
		},
		{
			name:    "standard input is output file",
			limit:   4096,
			scripts: []string{"echo a > /tmp/f; cat < /tmp/f >> /tmp/f"},
			stderr:  "cat: -: input file is output file\n",
			status:  1,
			path:    "/tmp/f",
			size:    2,
		},
		{
			name:    "a finite device is whole",
			limit:   4096,
			scripts: []string{"cat /dev/null"},
		},
		{
			name:    "no limit",
			limit:   0,
			scripts: []string{"truncate -s 10000 /tmp/f; cat /tmp/f"},
			stdout:  10000,
			zeros:   true,
		},
		{
			name:    "a pipe's buffer holds at most the limit",
			limit:   4096,
			scripts: []string{"truncate -s 5000 /tmp/f; cat /tmp/f | cat > /tmp/g"},
			stderr:  "cat: output truncated after 4096 bytes (the pipe's buffer is full)\n",
			path:    "/tmp/g",
			size:    4096,
		},
		{
			name:    "a redirection to a file is not cut",
			limit:   4096,
			scripts: []string{"truncate -s 10000 /tmp/f; cat /tmp/f > /tmp/g"},
			path:    "/tmp/g",
			size:    10000,
		},
		{
			name:    "input file is output file",
			limit:   4096,
			scripts: []string{"echo a > /tmp/f; cat /tmp/f >> /tmp/f"},
			stderr:  "cat: /tmp/f: input file is output file\n",
			status:  1,
			path:    "/tmp/f",
			size:    2,
		},
		{
			name:    "an emptied file copied to itself is no error",
			limit:   4096,
			scripts: []string{"echo a > /tmp/f; cat /tmp/f > /tmp/f"},
			path:    "/tmp/f",
			size:    0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdin := ""
			if tc.viaRun {
				stdin = strings.Join(tc.scripts, "")
			}
			sh, v, stdout, stderr := newSplitShell(t, stdin)
			if tc.limit >= 0 {
				sh.OutputLimit = tc.limit
			}
			status := 0
			if tc.viaRun {
				status = sh.Run()
			} else {
				for _, s := range tc.scripts {
					status = sh.RunString(s)
				}
			}
			if stdout.Len() != tc.stdout {
				t.Errorf("%d bytes on standard output, want %d", stdout.Len(), tc.stdout)
			}
			if tc.zeros && strings.Trim(stdout.String(), "\x00") != "" {
				t.Errorf("standard output is not all NUL bytes: %.40q", strings.Trim(stdout.String(), "\x00"))
			}
			if got := stderr.String(); got != tc.stderr {
				t.Errorf("standard error:\n%q\nwant\n%q", got, tc.stderr)
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if tc.path != "" {
				var st vfs.Stat
				if err := sh.Task().Stat(tc.path, &st); err != nil {
					t.Errorf("stat %s: %v", tc.path, err)
				} else if tc.size >= 0 && st.Size != tc.size {
					t.Errorf("%s: size %d, want %d", tc.path, st.Size, tc.size)
				}
			}
			checkVFS(t, v)
		})
	}
}

// newSplitShell is a shell with standard output and error apart, as the
// browser's shell API has them.
func newSplitShell(t *testing.T, stdin string) (*shell.Shell, *vfs.VFS, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	v, task, err := boot.New(vfs.Options{Lockdep: true, Clock: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	return shell.New(task, strings.NewReader(stdin), &stdout, &stderr), v, &stdout, &stderr
}
