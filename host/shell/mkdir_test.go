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

// TestMkdirParentsModes: mkdir -p makes the ancestors it creates with
// the umask less u+wx (mkdir.c's umask_ancestor), so that it can go on
// into them, and only the last component with the umask'ed mode, or
// -m's. Outputs are coreutils 9.1's on Linux, the "as a user" ones as
// uid 1000.
func TestMkdirParentsModes(t *testing.T) {
	tests := []scriptCase{
		{"umask 777", "umask 777; mkdir -p ua/b/c; echo $?; ls -ld ua ua/b ua/b/c", "0\n" +
			"d-wx------ 3 root root 60 Nov 21 06:18 ua\nd-wx------ 3 root root 60 Nov 21 06:18 ua/b\nd--------- 2 root root 40 Nov 21 06:18 ua/b/c\n"},
		{"umask 777, -m", "umask 777; mkdir -p -m 755 m/b/c; echo $?; ls -ld m m/b m/b/c", "0\n" +
			"d-wx------ 3 root root 60 Nov 21 06:18 m\nd-wx------ 3 root root 60 Nov 21 06:18 m/b\ndrwxr-xr-x 2 root root 40 Nov 21 06:18 m/b/c\n"},
		{"umask 277", "umask 277; mkdir -p x/y; ls -ld x x/y",
			"drwx------ 3 root root 60 Nov 21 06:18 x\ndr-x------ 2 root root 40 Nov 21 06:18 x/y\n"},
		{"umask 377", "umask 377; mkdir -p z/y; ls -ld z z/y",
			"drwx------ 3 root root 60 Nov 21 06:18 z\ndr-------- 2 root root 40 Nov 21 06:18 z/y\n"},
		{"umask 022, -m 0", "umask 022; mkdir -p -m 0 w/y; ls -ld w w/y",
			"drwxr-xr-x 3 root root 60 Nov 21 06:18 w\nd--------- 2 root root 40 Nov 21 06:18 w/y\n"},
		{"umask 777, an existing parent kept", "umask 777; mkdir -p ua/b; umask 022; mkdir -p ua/b/c/d; ls -ld ua ua/b ua/b/c ua/b/c/d",
			"d-wx------ 3 root root 60 Nov 21 06:18 ua\nd--------- 3 root root 60 Nov 21 06:18 ua/b\ndrwxr-xr-x 3 root root 60 Nov 21 06:18 ua/b/c\ndrwxr-xr-x 2 root root 40 Nov 21 06:18 ua/b/c/d\n"},
		{"umask 777, as a user", "su 1000; umask 777; mkdir -p ua/b/c; echo $?", "0\n"},
		{"umask 777, as a user, into the last", "su 1000; umask 777; mkdir -p ua/b/c; umask 077; mkdir -p ua/b/c/d; echo $?",
			"mkdir: cannot create directory 'ua/b/c': Permission denied\n1\n"},
	}
	runScriptCases(t, "mkdir /w; chmod 777 /w; cd /w", tests)
}
