package shell_test

import "testing"

// TestRmTrailingSlash: rm unlinks a name it cannot lstat all the same
// and says unlink(2)'s error (remove.c, fts's FTS_NS): "dd/" for a
// dangling symlink is "Not a directory", not lstat's ENOENT; "sl/" for
// a symlink to a directory is one. -f is silent for ENOENT and ENOTDIR
// (ignorable_missing). Outputs are coreutils 9.1's on Linux.
func TestRmTrailingSlash(t *testing.T) {
	tests := []scriptCase{
		{"a symlink to a file", "rm dl/; echo $?; ls", "rm: cannot remove 'dl/': Not a directory\n1\ndd\ndl\nloop\ns\nsl\nt\n"},
		{"a dangling symlink", "rm dd/; echo $?; ls", "rm: cannot remove 'dd/': Not a directory\n1\ndd\ndl\nloop\ns\nsl\nt\n"},
		{"a dangling symlink, -r", "rm -r dd/; echo $?", "rm: cannot remove 'dd/': Not a directory\n1\n"},
		{"a dangling symlink, -d", "rm -d dd/; echo $?", "rm: cannot remove 'dd/': Not a directory\n1\n"},
		{"a symlink loop", "rm loop/; echo $?", "rm: cannot remove 'loop/': Not a directory\n1\n"},
		{"beneath a symlink loop", "rm -f loop/x; echo $?", "rm: cannot remove 'loop/x': Too many levels of symbolic links\n1\n"},
		{"a symlink to a directory", "rm sl/; echo $?", "rm: cannot remove 'sl/': Is a directory\n1\n"},
		{"a symlink to a directory, -r", "rm -r sl/; echo $?; ls s", "rm: cannot remove 'sl/': Not a directory\n1\n"},
		{"-f", "rm -f dd/ dl/ loop/ t/x nonexist; echo $?; ls", "0\ndd\ndl\nloop\ns\nsl\nt\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w; touch t; ln -s t dl; ln -s nowhere dd; ln -s loop loop; mkdir s; ln -s s sl", tests)
}
