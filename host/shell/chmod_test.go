package shell_test

import "testing"

// TestChmodModeOperand: the first operand is the mode even when empty,
// and an empty mode is invalid (chmod.c, mode_compile). Outputs are
// coreutils 9.1's on Linux.
func TestChmodModeOperand(t *testing.T) {
	tests := []scriptCase{
		{"an empty mode", "chmod '' f; echo $?", "chmod: invalid mode: ''\nTry 'chmod --help' for more information.\n1\n"},
		{"an empty mode, -R", "chmod -R '' f; echo $?", "chmod: invalid mode: ''\nTry 'chmod --help' for more information.\n1\n"},
		{"an empty mode, a missing file", "chmod '' nonexist; echo $?", "chmod: invalid mode: ''\nTry 'chmod --help' for more information.\n1\n"},
		{"an empty mode alone", "chmod ''; echo $?", "chmod: missing operand after ''\nTry 'chmod --help' for more information.\n1\n"},
		{"no mode", "chmod; echo $?", "chmod: missing operand\nTry 'chmod --help' for more information.\n1\n"},
		{"no file", "chmod 644; echo $?", "chmod: missing operand after '644'\nTry 'chmod --help' for more information.\n1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w; touch f", tests)
}

// TestChmodOptions: chmod takes its options anywhere before "--"
// (getopt_long permutes), a mode given as an option is diagnosed when
// the umask changed its result (chmod.c's diagnose_surprises), -c and
// -v report, -f is quiet but keeps the status. The outputs are
// coreutils 9.1's on Linux, umask 022, but for --reference, which this
// chmod lacks and refuses.
func TestChmodOptions(t *testing.T) {
	tests := []scriptCase{
		{"-R after the mode", "chmod 700 -R r; echo $?; ls -ld r/s", "0\ndrwx------ 2 root root 40 Nov 21 06:18 r/s\n"},
		{"-w, the umask kept some", "chmod -w f; echo $?; ls -l f",
			"chmod: f: new permissions are r--rw-rw-, not r--r--r--\n1\n-r--rw-rw- 1 root root 0 Nov 21 06:18 f\n"},
		{"+w as the operand is not diagnosed", "chmod 444 f; chmod +w f; echo $?", "0\n"},
		{"modes as options join", "chmod -x,+w f; echo $?; chmod -w +x f; echo $?", "0\nchmod: cannot access '+x': No such file or directory\nchmod: f: new permissions are r--rw-rw-, not r--r--r--\n1\n"},
		{"a mode letter takes the whole argument", "chmod -Rw f; echo $?", "chmod: invalid mode: '-Rw'\nTry 'chmod --help' for more information.\n1\n"},
		{"an unknown option", "chmod -z 644 f; echo $?", "chmod: invalid option -- 'z'\nTry 'chmod --help' for more information.\n1\n"},
		{"-v", "chmod -v 644 f; chmod -v 644 f; chmod -v 644 nonexist; echo $?",
			"mode of 'f' changed from 0666 (rw-rw-rw-) to 0644 (rw-r--r--)\nmode of 'f' retained as 0644 (rw-r--r--)\n" +
				"chmod: cannot access 'nonexist': No such file or directory\n'nonexist' could not be accessed\n1\n"},
		{"-c", "chmod -c 644 f; chmod --changes 644 f", "mode of 'f' changed from 0666 (rw-rw-rw-) to 0644 (rw-r--r--)\n"},
		{"-v -R, a symlink", "ln -s ../f r/l; chmod -vR 755 r", "mode of 'r' retained as 0755 (rwxr-xr-x)\nneither symbolic link 'r/l' nor referent has been changed\nmode of 'r/s' retained as 0755 (rwxr-xr-x)\n"},
		{"-f", "chmod -f 644 nonexist; echo $?; chmod --silent 644 nonexist; echo $?", "1\n1\n"},
		{"--reference is not there", "chmod --reference=f g; echo $?", "chmod: unrecognized option '--reference=f'\nTry 'chmod --help' for more information.\n1\n"},
	}
	runScriptCases(t, "mkdir -p /w/r/s; cd /w; touch f; chmod 666 f", tests)
}
