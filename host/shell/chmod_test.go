package shell_test

import "testing"

// TestChmodModeOperand: the first operand is the mode even when empty,
// and an empty mode is invalid (chmod.c, mode_compile). Outputs are
// coreutils 9.1's on Linux.
func TestChmodModeOperand(t *testing.T) {
	tests := []scriptCase{
		{"an empty mode", "chmod '' f; echo $?", "chmod: invalid mode: ''\nTry 'chmod --help' for more information.\n1\n"},
		{"an empty mode, -R", "chmod -R '' f; echo $?", "chmod: invalid mode: ''\nTry 'chmod --help' for more information.\n1\n"},
		{"an empty mode, a missing file", "chmod '' nonexist; echo $?", "chmod: invalid mode: ''\nTry 'chmod --help' for more information.\n1\n"},
		{"an empty mode alone", "chmod ''; echo $?", "chmod: missing operand after ''\nTry 'chmod --help' for more information.\n1\n"},
		{"no mode", "chmod; echo $?", "chmod: missing operand\nTry 'chmod --help' for more information.\n1\n"},
		{"no file", "chmod 644; echo $?", "chmod: missing operand after '644'\nTry 'chmod --help' for more information.\n1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w; touch f", tests)
}
