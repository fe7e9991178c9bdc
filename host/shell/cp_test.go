package shell_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestCpIntoItself: cp -r refuses to copy a directory into itself, with
// coreutils' message ("cannot copy a directory, %s, into itself, %s",
// copy.c) and status 1, however the destination names it: through a
// symlink, as "/", with ".." in it. The directories are compared by
// device and inode. coreutils finds the loop only when its walk meets
// the copy it made, after copying part of the tree; vfscope refuses
// before copying anything (RATIONALE.md), so the listing after shows
// nothing new.
func TestCpIntoItself(t *testing.T) {
	tests := []scriptCase{
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
	runScriptCases(t, "mkdir -p /w/a/b; cd /w; echo x > a/f", tests)
}

// TestCpModeAndDanglingSymlink: a file cp creates gets the source's
// permission bits without set-user-ID, set-group-ID and sticky (copy.c
// creates it with dst_mode_bits & S_IRWXUGO unless --preserve=mode); a
// directory keeps the sticky bit (mkdir(2) drops set-group-ID); mv
// keeps every bit; an existing destination keeps its mode; and cp does
// not write through a dangling symlink ("not writing through dangling
// symlink", copy.c). Outputs and modes are coreutils 9.1's, as root.
func TestCpModeAndDanglingSymlink(t *testing.T) {
	tests := []struct {
		name, script, want string
		path               string // its mode must be mode, "" for none
		mode               uint32
	}{
		{"set-user-ID and set-group-ID dropped", "echo x > f; chmod 6755 f; cp f g", "", "/w/g", 0o755},
		{"sticky dropped from a file", "echo x > f; chmod 1644 f; cp f g", "", "/w/g", 0o644},
		{"a directory keeps sticky", "mkdir d; chmod 3775 d; cp -r d d2", "", "/w/d2", 0o1755},
		{"a file in a copied tree", "mkdir d; echo x > d/f; chmod 4700 d/f; cp -r d d2", "", "/w/d2/f", 0o700},
		{"an existing destination keeps its mode", "echo x > f; chmod 4755 f; echo y > h; chmod 600 h; cp f h; cat h", "x\n", "/w/h", 0o600},
		{"mv across filesystems keeps them", "mkdir /m; mount -t tmpfs none /m; echo x > f; chmod 4755 f; mv f /m/", "", "/m/f", 0o4755},
		{"dangling symlink", "echo x > f; ln -s nowhere dang; cp f dang; echo $?; ls",
			"cp: not writing through dangling symlink 'dang'\n1\ndang\nf\n", "", 0},
		{"dangling symlink, -f", "echo x > f; ln -s nowhere dang; cp -f f dang; echo $?; ls",
			"cp: not writing through dangling symlink 'dang'\n1\ndang\nf\n", "", 0},
		{"dangling symlink into a missing directory", "echo x > f; ln -s sub/nowhere dang; cp f dang; echo $?",
			"cp: not writing through dangling symlink 'dang'\n1\n", "", 0},
		{"a symlink to a file is written through", "echo x > f; echo y > g; ln -s g sl; cp f sl; echo $?; cat g",
			"0\nx\n", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w; cd /w")
			sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.script, got, tc.want)
			}
			if tc.path == "" {
				return
			}
			var st vfs.Stat
			if err := sh.Task().Stat(tc.path, &st); err != nil {
				t.Fatal(err)
			}
			if got := st.Mode & 0o7777; got != tc.mode {
				t.Errorf("%s: %s has mode %04o, want %04o", tc.script, tc.path, got, tc.mode)
			}
		})
	}
}

// TestCpReadOnlyDirectory: a directory cp -r or mv copies is writable by
// its owner while its entries go in, and takes its mode after (copy.c
// adds S_IRWXU and restores the mode), so a user can copy a 0555
// directory. The outputs and modes are coreutils 9.1's as uid 1000,
// from a tmpfs to an ext4 directory.
func TestCpReadOnlyDirectory(t *testing.T) {
	tests := []struct {
		name, script, want string
		modes              map[string]uint32
	}{
		{"cp -r", "cp -r d e; echo $?", "0\n",
			map[string]uint32{"/w/e": 0o555, "/w/e/f": 0o644, "/w/e/sub": 0o755}},
		{"cp -r, umask 077", "umask 077; cp -r d e; echo $?", "0\n",
			map[string]uint32{"/w/e": 0o500, "/w/e/f": 0o600, "/w/e/sub": 0o700}},
		{"mv across filesystems", "mv d /m/; echo $?; ls /m/d; ls d",
			"mv: cannot remove 'd/f': Permission denied\nmv: cannot remove 'd/sub': Permission denied\n1\nf\nsub\nf\nsub\n",
			map[string]uint32{"/m/d": 0o555, "/m/d/f": 0o644, "/m/d/sub": 0o755}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w /m; mount -t tmpfs none /m; chmod 777 /w /m; cd /w; su 1000; mkdir -p d/sub; echo x > d/f; chmod 555 d")
			sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.script, got, tc.want)
			}
			for p, mode := range tc.modes {
				var st vfs.Stat
				if err := sh.Task().Stat(p, &st); err != nil {
					t.Fatal(err)
				}
				if got := st.Mode & 0o7777; got != mode {
					t.Errorf("%s: %s has mode %04o, want %04o", tc.script, p, got, mode)
				}
			}
		})
	}
}

// TestCpSpecialFile: cp without -r opens a device node and copies what
// it reads into a regular file, with the node's permission bits less
// the umask; cp -r and mv make the node again (copy.c copies special
// files as such only for -R). The listings are coreutils 9.1's.
func TestCpSpecialFile(t *testing.T) {
	tests := []scriptCase{
		{"/dev/null", "cp /dev/null x; echo $?; ls -l x",
			"0\n-rw-r--r-- 1 root root 0 Nov 21 06:18 x\n"},
		{"a node", "cp n y; echo $?; ls -l y",
			"0\n-rw-r--r-- 1 root root 0 Nov 21 06:18 y\n"},
		{"a node, -r", "cp -r n y; echo $?; ls -l y",
			"0\ncrw-r--r-- 1 root root 1, 3 Nov 21 06:18 y\n"},
		{"a node, umask 077", "umask 077; cp n y; echo $?; ls -l y",
			"0\n-rw------- 1 root root 0 Nov 21 06:18 y\n"},
	}
	runScriptCases(t, "mkdir /w /m; mount -t tmpfs none /m; cd /w; mknod n c 1 3; chmod 666 n", tests)
}

// TestCpDestinationErrors: cp's messages for a destination it cannot
// create or stat, as coreutils 9.1 prints them on Linux. A missing
// "g/" is "Not a directory" (copy.c turns open(2)'s EISDIR for a name
// ending in '/' into ENOTDIR), also for mv across filesystems; a plain
// cp stats the destination first, so "t/" naming a file and a symlink
// loop are "cannot stat".
func TestCpDestinationErrors(t *testing.T) {
	tests := []scriptCase{
		{"a missing directory", "cp f g/; echo $?; ls", "cp: cannot create regular file 'g/': Not a directory\n1\ndd\nf\nloop\nt\n"},
		{"a missing directory, -f", "cp -f f g/; echo $?", "cp: cannot create regular file 'g/': Not a directory\n1\n"},
		{"a missing directory, -r", "cp -r f g/; echo $?", "cp: cannot create regular file 'g/': Not a directory\n1\n"},
		{"a dangling symlink with a slash", "cp f dd/; echo $?", "cp: cannot create regular file 'dd/': Not a directory\n1\n"},
		{"mv across filesystems", "mv f /m/g/; echo $?; ls /m", "mv: cannot create regular file '/m/g/': Not a directory\n1\n"},
		{"a file with a slash", "cp f t/; echo $?", "cp: cannot stat 't/': Not a directory\n1\n"},
		{"a symlink loop", "cp f loop; echo $?", "cp: cannot stat 'loop': Too many levels of symbolic links\n1\n"},
	}
	runScriptCases(t, "mkdir /w /m; mount -t tmpfs none /m; cd /w; touch f t; ln -s nowhere dd; ln -s loop loop", tests)
}
