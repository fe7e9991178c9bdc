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
