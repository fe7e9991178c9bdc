package shell_test

import "testing"

// TestRmdirTrailingSlash: rmdir(2) of "sl/" for a symlink is ENOTDIR;
// rmdir.c says "Symbolic link not followed" when the name ends in '/',
// its last component is a symlink, and stat(2) finds a directory there
// or fails otherwise than with ENOTDIR. Outputs are coreutils 9.1's on
// Linux.
func TestRmdirTrailingSlash(t *testing.T) {
	tests := []scriptCase{
		{"a symlink to a directory", "rmdir sl/; echo $?; ls", "rmdir: failed to remove 'sl/': Symbolic link not followed\n1\ndd\ndl\nloop\ns\nsl\nt\n"},
		{"two slashes", "rmdir sl//; echo $?", "rmdir: failed to remove 'sl//': Symbolic link not followed\n1\n"},
		{"-p", "rmdir -p sl/; echo $?", "rmdir: failed to remove 'sl/': Symbolic link not followed\n1\n"},
		{"a dangling symlink", "rmdir dd/; echo $?", "rmdir: failed to remove 'dd/': Symbolic link not followed\n1\n"},
		{"a symlink loop", "rmdir loop/; echo $?", "rmdir: failed to remove 'loop/': Symbolic link not followed\n1\n"},
		{"a symlink to a file", "rmdir dl/; echo $?", "rmdir: failed to remove 'dl/': Not a directory\n1\n"},
		{"a file", "rmdir t/; echo $?", "rmdir: failed to remove 't/': Not a directory\n1\n"},
		{"no slash", "rmdir sl; echo $?", "rmdir: failed to remove 'sl': Not a directory\n1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w; touch t; ln -s t dl; ln -s nowhere dd; ln -s loop loop; mkdir s; ln -s s sl", tests)
}
