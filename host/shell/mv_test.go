package shell_test

import "testing"

// TestMvSameFile: mv refuses to move a file onto itself, however the two
// names reach it, as coreutils' same_file_ok (copy.c) decides for mv;
// the outputs are mv 9.4's with dash.
func TestMvSameFile(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"symlink onto its referent",
			"echo precious > f; ln -s f sl; mv sl f; echo $?; cat f",
			"mv: 'sl' and 'f' are the same file\n1\nprecious\n"},
		{"symlink in another directory onto its referent",
			"echo y > g; mkdir d; ln -s ../g d/g; mv d/g g; echo $?; cat g",
			"mv: 'd/g' and 'g' are the same file\n1\ny\n"},
		{"symlink onto another hard link of its referent",
			"echo x > f; ln f l; ln -s f s; mv s f; echo $?; mv s l; echo $?; ls; cat l",
			"mv: 's' and 'f' are the same file\n1\n0\nf\nl\nx\n"},
		{"file onto a symlink to it replaces the symlink",
			"echo x > f; ln -s f sl; mv f sl; echo $?; ls; cat sl",
			"0\nsl\nx\n"},
		{"two hard links of one symlink",
			"ln -s f s1; ln s1 s2; mv s1 s2; echo $?; ls",
			"mv: 's1' and 's2' are the same file\n1\ns1\ns2\n"},
		{"two symlinks to one file",
			"ln -s f s1; ln -s f s2; mv s1 s2; echo $?; ls",
			"0\ns2\n"},
		{"hard links",
			"echo x > f; ln f hl; mv f hl; echo $?",
			"mv: 'f' and 'hl' are the same file\n1\n"},
		{"one name", "touch f; mv f ./f; echo $?", "mv: 'f' and './f' are the same file\n1\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w; cd /w")
			sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.script, got, tc.want)
			}
		})
	}
}
