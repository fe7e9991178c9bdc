package shell_test

import "testing"

// TestMkdirParentsErrors: mkdir -p makes each ancestor and enters it
// (gnulib's mkancesdir), saying chdir's error, or mkdir's where chdir's
// is ENOENT: a dangling symlink "exists", a symlink loop is ELOOP, a
// file is not a directory, a directory the user may not search is
// "Permission denied". Outputs are coreutils 9.1's on Linux, the last
// two as uid 1000.
func TestMkdirParentsErrors(t *testing.T) {
	tests := []scriptCase{
		{"a dangling symlink", "mkdir -p dd/x; echo $?", "mkdir: cannot create directory 'dd': File exists\n1\n"},
		{"a dangling symlink, deeper", "mkdir -pv dd/x/y; echo $?", "mkdir: cannot create directory 'dd': File exists\n1\n"},
		{"a symlink loop", "mkdir -p loop/x; echo $?", "mkdir: cannot create directory 'loop': Too many levels of symbolic links\n1\n"},
		{"a file", "mkdir -p f/x; echo $?", "mkdir: cannot create directory 'f': Not a directory\n1\n"},
		{"a symlink to a directory", "mkdir -pv sd/x/y; echo $?", "mkdir: created directory 'sd/x'\nmkdir: created directory 'sd/x/y'\n0\n"},
		{"not searchable", "su 1000; mkdir -p a/b; echo $?", "mkdir: cannot create directory 'a': Permission denied\n1\n"},
		{"not writable", "su 1000; mkdir -p ro/x/y; echo $?", "mkdir: cannot create directory 'ro/x': Permission denied\n1\n"},
	}
	runScriptCases(t, "mkdir /w; chmod 777 /w; cd /w; ln -s nowhere dd; ln -s loop loop; touch f; mkdir s a ro; ln -s s sd; chmod 600 a; chmod 555 ro", tests)
}
