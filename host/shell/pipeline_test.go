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
