package shell_test

import "testing"

// TestCpIntoItself: cp -r refuses to copy a directory into itself, with
// coreutils' message ("cannot copy a directory, %s, into itself, %s",
// copy.c) and status 1, however the destination names it: through a
// symlink, as "/", with ".." in it. The directories are compared by
// device and inode. coreutils finds the loop only when its walk meets
// the copy it made, after copying part of the tree; vfscope refuses
// before copying anything (RATIONALE.md), so the listing after shows
// nothing new.
func TestCpIntoItself(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"the root", "cp -r / x; echo $?; ls",
			"cp: cannot copy a directory, '/', into itself, 'x'\n1\na\n"},
		{"through a symlink", "ln -s /w/a /la; cp -r /w/a /la/b/c; echo $?; ls a/b",
			"cp: cannot copy a directory, '/w/a', into itself, '/la/b/c'\n1\n"},
		{"beneath itself", "cp -r a a/b/c2; echo $?; ls a/b",
			"cp: cannot copy a directory, 'a', into itself, 'a/b/c2'\n1\n"},
		{"with ..", "cp -r a/ ./a/b/../n; echo $?; ls a",
			"cp: cannot copy a directory, 'a/', into itself, './a/b/../n'\n1\nb\nf\n"},
		{"into a target directory", "cp -r a a; echo $?; ls a",
			"cp: cannot copy a directory, 'a', into itself, 'a/a'\n1\nb\nf\n"},
		{"beside itself", "cp -r a/b a/c; echo $?; ls a", "0\nb\nc\nf\n"},
		{"a name that extends it", "mkdir ab; cp -r a ab/; echo $?; ls ab/a", "0\nb\nf\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir -p /w/a/b; cd /w; echo x > a/f")
			sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.script, got, tc.want)
			}
		})
	}
}
