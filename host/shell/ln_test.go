package shell_test

import "testing"

// TestLnNames: a link ln makes for a lone operand, or into ".", is named
// "./NAME" in its messages (ln.c joins the directory and the name with
// file_name_concat). The outputs are coreutils 9.1's.
func TestLnNames(t *testing.T) {
	tests := []scriptCase{
		{"one operand", "ln -s /w/f; echo $?; ln -s /w/f; echo $?",
			"0\nln: failed to create symbolic link './f': File exists\n1\n"},
		{"into .", "ln -s /w/f .; echo $?; ln -s /w/f .; echo $?",
			"0\nln: failed to create symbolic link './f': File exists\n1\n"},
		{"verbose", "ln -sv /w/f; ln -v /w/f /e/",
			"'./f' -> '/w/f'\n'/e/f' => '/w/f'\n"},
	}
	runScriptCases(t, "mkdir /w /d /e; touch /w/f; cd /d", tests)
}

// TestLnForceSameFile: ln -f (and -sf) onto the source itself refuses
// before it removes anything (ln.c: "are the same file", for a source
// with one link or the same name), and still replaces another link of
// the same file. The outputs are coreutils 9.1's.
func TestLnForceSameFile(t *testing.T) {
	tests := []scriptCase{
		{"ln -f f f", "ln -f f f; echo $?; cat f", "ln: 'f' and 'f' are the same file\n1\nx\n"},
		{"ln -f f ./f", "ln -f f ./f; echo $?; cat f", "ln: 'f' and './f' are the same file\n1\nx\n"},
		{"ln -sf f f", "ln -sf f f; echo $?; cat f", "ln: 'f' and 'f' are the same file\n1\nx\n"},
		{"another link is replaced", "ln f h; ln -f f h; echo $?; cat h", "0\nx\n"},
		{"the same name through two paths", "ln f h; ln -f f ../w/f; echo $?; cat f", "ln: 'f' and '../w/f' are the same file\n1\nx\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w; echo x > f", tests)
}

// TestReadlinkNoNewline: readlink -n prints the target alone, and
// ignores -n, saying so, for several operands (coreutils 9.1).
func TestReadlinkNoNewline(t *testing.T) {
	tests := []scriptCase{
		{"-n", "readlink -n l; echo '|'", "f|\n"},
		{"-n, two operands", "readlink -n l l; echo $?", "readlink: ignoring --no-newline with multiple arguments\nf\nf\n0\n"},
		{"not a symlink", "readlink -n f; echo $?", "1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w; touch f; ln -s f l", tests)
}
