package shell_test

import "testing"

// TestEchoEscapes: echo -e's \xHH (one or two hex digits), \E and
// \uHHHH, \UHHHHHHHH; outputs are bash 5.2's builtin echo with
// LC_ALL=C, which writes a character above 0x7f back as \u%04X or
// \U%08X, and a sequence without a hex digit as it is.
func TestEchoEscapes(t *testing.T) {
	tests := []scriptCase{
		{"\\x", `echo -e '\x41\x4g\xz'`, "A\x04g\\xz\n"},
		{"\\x takes two digits", `echo -e '\x414'`, "A4\n"},
		{"\\x alone", `echo -e '\x'`, "\\x\n"},
		{"\\E", `echo -e '\E['`, "\x1b[\n"},
		{"\\u", `echo -e 'a\u41\u0b'`, "aA\v\n"},
		{"\\u NUL", `echo -e '\u0'`, "\x00\n"},
		{"\\u above 0x7f", `echo -e '\u00e9\u263a\u12345'`, "\\u00E9\\u263A\\u12345\n"},
		{"\\U", `echo -e '\U41\U00e9\U1F600'`, "A\\u00E9\\U0001F600\n"},
		{"\\u alone", `echo -e '\u'`, "\\u\n"},
		{"without -e", `echo '\x41'`, "\\x41\n"},
	}
	runScriptCases(t, "", tests)
}
