package shell_test

import "testing"

// TestCdLogical: cd and pwd name the working directory logically by
// default (POSIX cd -L: the operand is appended to PWD and ".." taken
// lexically; pwd -L prints PWD), -P physically, and `cd -` goes back
// and prints where, as dash does. The outputs are dash 0.5.12's, with
// vfscope's error text; after the directory's name stops naming it,
// pwd prints the physical path, as POSIX's pwd -L and bash do (dash
// prints the stale name), and cd starts from the name (dash).
func TestCdLogical(t *testing.T) {
	tests := []scriptCase{
		{"through a symlink and back", "cd ly; pwd; pwd -P; pwd -L; cd ..; pwd", "/w/ly\n/w/x/y\n/w/ly\n/w\n"},
		{"cd - goes back and prints", "cd ly; cd ..; cd -; echo \"st $?\"; pwd", "/w/ly\nst 0\n/w/ly\n"},
		{"cd -P resolves", "cd ly; cd -P .; pwd; cd -; pwd", "/w/x/y\n/w/ly\n/w/ly\n"},
		{"cd - after one cd", "cd -; echo \"st $?\"; cd -", "/\nst 0\n/w\n"},
		{"dot-dot after a symlink", "cd ly/..; pwd", "/w\n"},
		{"two levels", "cd ly/../..; pwd", "/\n"},
		{"relative from a logical directory", "cd ly; cd ../x; pwd", "/w/x\n"},
		{"dots and slashes", "cd ./ly//.; pwd", "/w/ly\n"},
		{"the logical path must exist", "cd ly/../y; echo \"st $?\"; pwd",
			"cd: ly/../y: No such file or directory\nst 1\n/w\n"},
		{"-P takes .. physically", "cd -P ly/..; pwd", "/w/x\n"},
		{"empty operand", "cd ''; echo \"st $?\"; pwd", "st 0\n/w\n"},
		{"a longer walk", "cd ly; cd ../ly/../x/y/..; pwd", "/w/x\n"},
		{"a name that went stale", "cd ly; mv /w/x /w/x2; pwd; pwd -P; cd ..; echo \"st $?\"; pwd",
			"/w/x2/y\n/w/x2/y\nst 0\n/w\n"},
		{"-L and -P: the last wins", "cd -PL ly; pwd; cd /w; cd -LP ly; pwd", "/w/ly\n/w/x/y\n"},
	}
	runScriptCases(t, "mkdir -p /w/x/y; cd /w; ln -s x/y ly", tests)
}

// TestCdDashFresh: `cd -` in a shell that has not changed directory
// stays and prints where it is (dash; bash says "OLDPWD not set").
func TestCdDashFresh(t *testing.T) {
	sh, _, out := newShell(t, "")
	if st := sh.RunString("cd -"); st != 0 || out.String() != "/\n" {
		t.Errorf("cd -: status %d, output %q; want 0, %q", st, out.String(), "/\n")
	}
}
