package shell_test

import "testing"

// TestMvSameFile: mv refuses to move a file onto itself, however the two
// names reach it, as coreutils' same_file_ok (copy.c) decides for mv;
// the outputs are mv 9.4's with dash.
func TestMvSameFile(t *testing.T) {
	tests := []scriptCase{
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
	runScriptCases(t, "mkdir /w; cd /w", tests)
}

// TestMvAcrossFilesystems: when rename(2) fails with EXDEV, mv removes
// the destination first (rmdir for a directory, unlink otherwise), so
// that it acts as rename would: a non-empty destination directory stops
// it with coreutils' message (copy.c) and the source is kept, never
// merged into the destination. The outputs are mv 9.1's, from a tmpfs
// to an ext4 directory.
func TestMvAcrossFilesystems(t *testing.T) {
	tests := []scriptCase{
		{"into a non-empty directory",
			"mkdir -p src/in /m/src/other; echo a > src/in/f; echo b > /m/src/other/g; mv src /m/; echo $?; ls src /m/src",
			"mv: inter-device move failed: 'src' to '/m/src'; unable to remove target: Directory not empty\n1\n" +
				"/m/src:\nother\n\nsrc:\nin\n"},
		{"onto an empty directory",
			"mkdir -p e /m/e; touch e/x; mv e /m/; echo $?; ls /m/e; ls",
			"0\nx\n"},
		{"onto a file",
			"echo 1 > f; echo 2 > /m/f; mv f /m/; echo $?; cat /m/f; ls",
			"0\n1\n"},
		{"a symlink",
			"echo c > h; ln -s h hs; mv hs /m/; echo $?; ls /m; ls",
			"0\nhs\nh\n"},
	}
	runScriptCases(t, "mkdir /w /m; mount -t tmpfs none /m; cd /w", tests)
}
