package shell_test

import "testing"

// TestPipelineSubshell: each command of a pipeline of several runs in a
// subshell (POSIX XCU 2.9.2, "each command of a multi-command pipeline
// is in a subshell environment"; dash forks each), so the builtins that
// change the shell (exit, cd, set, umask, and su, which changes the
// task's credentials) change only that subshell. Outputs are dash's.
func TestPipelineSubshell(t *testing.T) {
	tests := []struct {
		name, script, want string
		status             int
	}{
		{"exit on the left", "exit 3 | echo piped; echo after $?", "piped\nafter 0\n", 0},
		{"exit on the right", "echo x | exit 4; echo after $?", "after 4\n", 0},
		{"exit alone on the right", "true | exit 5; echo after $?", "after 5\n", 0},
		{"cd", "cd / | true; pwd", "/w\n", 0},
		{"set -e", "set -e | true; false; echo survived", "survived\n", 0},
		{"umask", "umask 077 | true; umask", "0022\n", 0},
		{"su", "su 1000 | true; id", "uid=0(root) gid=0(root) groups=0(root)\n", 0},
		{"a command alone still changes the shell", "cd /; pwd; exit 7; echo no", "/\n", 7},
		{"output flows through", "echo hi | cat | cat", "hi\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w; cd /w")
			st := sh.RunString(tc.script)
			if got := out.String(); got != tc.want || st != tc.status {
				t.Errorf("%s\ngot status %d:\n%s\nwant %d:\n%s", tc.script, st, got, tc.status, tc.want)
			}
		})
	}
}

// TestFlockCommandSubshell: flock -c runs its command in a child shell
// (util-linux flock execs "sh -c"), so cd, umask, su, exit and set -e
// there leave the shell as it was, and $? starts at 0. Outputs are
// util-linux 2.38's flock under dash.
func TestFlockCommandSubshell(t *testing.T) {
	tests := []scriptCase{
		{"cd and exit", "false; flock /tmp/l -c 'echo $?; cd /; exit 3'; echo $?; pwd", "0\n3\n/w\n"},
		{"set -e does not leak in", "set -e; flock /tmp/l -c 'false; echo still'", "still\n"},
		{"set -e does not leak out", "flock /tmp/l -c 'set -e'; false; echo survived", "survived\n"},
		{"umask and su", "flock /tmp/l -c 'umask 077; su 1000'; umask; id", "0022\nuid=0(root) gid=0(root) groups=0(root)\n"},
		{"the lock is held while it runs", "flock /tmp/l -c 'flock -n /tmp/l -c true; echo $?'", "1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}
