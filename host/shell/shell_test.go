package shell_test

import (
	"strings"
	"testing"
)

// TestScripts runs whole scripts, with and without -e, and checks the
// combined output and the shell's exit status.
func TestScripts(t *testing.T) {
	tests := []struct {
		name    string
		errExit bool
		stdin   string
		script  string
		want    string
		status  int
	}{
		{
			name:   "status is the last command's",
			script: "mkdir /a\nmkdir /a\necho done\n",
			want:   "mkdir: cannot create directory '/a': File exists\ndone\n",
			status: 0,
		},
		{
			name:   "failing last command",
			script: "echo x; rmdir /nonexist",
			want:   "x\nrmdir: failed to remove '/nonexist': No such file or directory\n",
			status: 1,
		},
		{
			name:    "-e stops at the first failure",
			errExit: true,
			script:  "echo one\ncat /nonexist\necho two\n",
			want:    "one\ncat: /nonexist: No such file or directory\n",
			status:  1,
		},
		{
			name:    "-e ignores the left of && and ||",
			errExit: true,
			script:  "false && echo no\nfalse || echo yes\necho end\n",
			want:    "yes\nend\n",
			status:  0,
		},
		{
			name:    "-e stops on the right of &&",
			errExit: true,
			script:  "true && ls /nonexist\necho never\n",
			want:    "ls: cannot access '/nonexist': No such file or directory\n",
			status:  2,
		},
		{
			name: "fsfreeze freezes and thaws, as util-linux's",
			script: "mkdir /mnt; mount -t billyfs -o store=mem none /mnt\nfsfreeze -f /mnt\nfsfreeze -f /mnt\n" +
				"fsfreeze -u /mnt\nfsfreeze -u /mnt\necho ok > /mnt/x; cat /mnt/x\n",
			want: "fsfreeze: /mnt: freeze failed: Device or resource busy\n" +
				"fsfreeze: /mnt: unfreeze failed: Invalid argument\nok\n",
			status: 0,
		},
		{
			name:   "fsfreeze of a tmpfs is refused, as Linux's ioctl_fsfreeze refuses it",
			script: "mkdir /t; mount -t tmpfs none /t\nfsfreeze -f /t\nfsfreeze -u /t\n",
			want: "fsfreeze: /t: freeze failed: Operation not supported\n" +
				"fsfreeze: /t: unfreeze failed: Invalid argument\n",
			status: 1,
		},
		{
			name: "mount --rbind into its own subtree copies the tree once, as Linux's copy_tree",
			script: "mkdir /a; mount -t tmpfs A /a; mkdir /a/sub /a/x; mount -t tmpfs X /a/x\n" +
				"mount --rbind /a /a/sub\nmount\n",
			want: "none on / type tmpfs (rw,relatime,mode=755)\nproc on /proc type proc (rw,relatime)\n" +
				"udev on /dev type tmpfs (rw,nosuid,relatime,mode=755)\nA on /a type tmpfs (rw,relatime)\n" +
				"X on /a/x type tmpfs (rw,relatime)\nA on /a/sub type tmpfs (rw,relatime)\n" +
				"X on /a/sub/x type tmpfs (rw,relatime)\n",
			status: 0,
		},
		{
			name:   "set -e in the script",
			script: "false\necho after-false\nset -e\nfalse\necho never\n",
			want:   "after-false\n",
			status: 1,
		},
		{
			name:   "set +e turns it off",
			script: "set -e\nset +e\nfalse\necho still\n",
			want:   "still\n",
			status: 0,
		},
		{
			name:   "exit with a status",
			script: "echo a; exit 7; echo b",
			want:   "a\n",
			status: 7,
		},
		{
			name:   "exit without a status keeps the last one",
			script: "false; exit",
			status: 1,
		},
		{
			name:   "exit with a bad number",
			script: "exit x",
			want:   "exit: x: numeric argument required\n",
			status: 2,
		},
		{
			name:   "command not found is 127",
			script: "frobnicate",
			want:   "frobnicate: command not found\n",
			status: 127,
		},
		{
			name:   "syntax error stops a script with status 2",
			script: "echo a\necho b ; ; echo c\necho d\n",
			want:   "a\nvfscope: line 2: syntax error near unexpected token `;'\n",
			status: 2,
		},
		{
			name:   "unterminated quote",
			script: "echo 'abc\n",
			want:   "vfscope: line 1: syntax error: unexpected end of file\n",
			status: 2,
		},
		{
			name:   "redirection without a target",
			script: "echo a >",
			want:   "vfscope: line 1: syntax error near unexpected token `newline'\n",
			status: 2,
		},
		{
			name:   "cat reads the shell's standard input",
			stdin:  "from stdin\n",
			script: "cat; cat -",
			want:   "from stdin\n",
		},
		{
			name:   "cat - between files",
			stdin:  "middle\n",
			script: "echo first > /tmp/a; echo last > /tmp/b; cat /tmp/a - /tmp/b",
			want:   "first\nmiddle\nlast\n",
		},
		{
			name:   "write error on a full filesystem",
			stdin:  strings.Repeat("0123456789abcdef", 300),
			script: "mkdir /m; mount -t tmpfs -o size=4k none /m; cat > /m/b",
			want:   "cat: write error: No space left on device\n",
			status: 1,
		},
		{
			name:   "echo write error",
			script: "mkdir /m; mount -t tmpfs -o size=4k none /m; truncate -s 4096 /m/a; echo 1 > /m/a; echo 2 >> /m/a; echo x > /m/b",
			want:   "echo: write error: No space left on device\n",
			status: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, tc.stdin)
			sh.ErrExit = tc.errExit
			status := sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("output:\n%s\nwant:\n%s", got, tc.want)
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
		})
	}
}

// TestRunFromStdin reads the script from the shell's standard input, as
// `vfscope < script` does; interactive mode prints the prompt with the
// working directory and goes on after a syntax error.
func TestRunFromStdin(t *testing.T) {
	sh, _, out := newShell(t, "mkdir /d\ncd /d\npwd\n")
	if st := sh.Run(); st != 0 {
		t.Errorf("status %d", st)
	}
	if got := out.String(); got != "/d\n" {
		t.Errorf("got %q", got)
	}

	sh, _, out = newShell(t, "cd /tmp\necho 'a\nb'\n;\nsu 5\nexit 4\n")
	sh.Interactive = true
	if st := sh.Run(); st != 4 {
		t.Errorf("status %d, want 4", st)
	}
	want := "vfscope:/# vfscope:/tmp# > a\nb\nvfscope:/tmp# vfscope: line 4: syntax error near unexpected token `;'\n" +
		"vfscope:/tmp# vfscope:/tmp$ "
	if got := out.String(); got != want {
		t.Errorf("interactive session:\n%q\nwant\n%q", got, want)
	}
}

// TestRedirectOutputAndError: ">&WORD" (and "1>&WORD"), where WORD is
// neither a descriptor number nor "-", sends standard output and
// standard error to the file WORD, as "&>WORD" does in bash; ">&2"
// keeps its meaning; after "2>&" a file name is an ambiguous redirect.
// The outputs are bash 5's, without its "bash: line 1: " prefix.
func TestRedirectOutputAndError(t *testing.T) {
	tests := []scriptCase{
		{"stdout", "echo hi >&f; echo $?; cat f", "0\nhi\n"},
		{"stderr", "ls nonexist >&f; echo $?; cat f", "2\nls: cannot access 'nonexist': No such file or directory\n"},
		{"command not found", "nosuch >&f; echo $?; cat f", "127\nnosuch: command not found\n"},
		{"1>&", "ls /w nonexist 1>&f; cat f", "ls: cannot access 'nonexist': No such file or directory\n/w:\nf\n"},
		{"quoted", "echo hi >&'x y'; cat 'x y'", "hi\n"},
		{"a name starting with a digit", "echo hi >&2x; cat 2x", "hi\n"},
		{"after 2>", "echo hi 2>e >&f; cat f; cat e", "hi\n"},
		{"a missing directory", "echo hi >&/nonexist/f; echo $?", "/nonexist/f: No such file or directory\n1\n"},
		{">&2", "echo hi >&2 2>/dev/null; echo $?", "hi\n0\n"},
		{"2>& a file", "echo hi 2>&f; echo $?; cat f", "f: ambiguous redirect\n1\ncat: f: No such file or directory\n"},
		{"a bad descriptor", "echo hi >&3; echo $?", "3: Bad file descriptor\n1\n"},
		{"2>& a bad descriptor", "echo hi 2>&7; echo $?", "7: Bad file descriptor\n1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}

// TestRedirectClose: "N>&-" and "N<&-" close descriptor N for the
// command, whose reads and writes on it then fail with EBADF; a
// redirection that copies a closed descriptor is a bad descriptor; a
// redirection's error goes to standard error as the ones before it
// left it. The outputs are bash 5's and coreutils' on Linux, without
// bash's "bash: line 1: " prefix.
func TestRedirectClose(t *testing.T) {
	tests := []scriptCase{
		{"echo >&-", "echo hi >&-; echo $?", "echo: write error: Bad file descriptor\n1\n"},
		{"echo 1>&-", "echo hi 1>&-; echo $?", "echo: write error: Bad file descriptor\n1\n"},
		{"echo 1<&-", "echo hi 1<&-; echo $?", "echo: write error: Bad file descriptor\n1\n"},
		{"pwd >&-", "pwd >&-; echo $?", "pwd: write error: Bad file descriptor\n1\n"},
		{"true >&-", "true >&-; echo $?", "0\n"},
		{">&- alone", ">&-; echo $?", "0\n"},
		{"ls 2>&-", "ls /nope 2>&-; echo $?", "2\n"},
		{"ls 2<&-", "ls /nope 2<&-; echo $?", "2\n"},
		{"mkdir 2>&-", "mkdir d 2>&-; echo $?; ls", "0\nd\n"},
		{"echo >&- 2>&-", "echo hi >&- 2>&-; echo $?", "1\n"},
		{"echo >&2 2>&-", "echo hi >&2 2>&-; echo $?", "hi\n0\n"},
		{"cat <&-", "cat <&-; echo $?", "cat: -: Bad file descriptor\ncat: closing standard input: Bad file descriptor\n1\n"},
		{"cat 0>&-", "cat 0>&-; echo $?", "cat: -: Bad file descriptor\ncat: closing standard input: Bad file descriptor\n1\n"},
		{"cat <&- in a pipe", "echo hi | cat <&-; echo $?", "cat: -: Bad file descriptor\ncat: closing standard input: Bad file descriptor\n1\n"},
		{"cat <&- 2>&-", "cat <&- 2>&-; echo $?", "1\n"},
		{"echo <&-", "echo hi <&-; echo $?", "hi\n0\n"},
		{"a copy of a closed stdout", "echo hi 1>&- 2>&1; echo $?", "1: Bad file descriptor\n1\n"},
		{"a copy of a closed stderr", "echo hi 2>&- >&2; echo $?", "1\n"},
		{"<&WORD", "cat <&f; echo $?", "f: ambiguous redirect\n1\n"},
		{"1<&WORD", "echo hi 1<&f; echo $?; cat f", "f: ambiguous redirect\n1\ncat: f: No such file or directory\n"},
		{"a bad descriptor after 2>e", "echo hi 2>e >&3; echo $?; cat e", "1\n3: Bad file descriptor\n"},
		{"a missing file after 2>e", "echo hi 2>e <nonexist; echo $?; cat e", "1\nnonexist: No such file or directory\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}
