package shell_test

import "testing"

// TestUmaskSymbolic: umask takes bash's symbolic modes, which say what
// the mask allows; the outputs are bash 5.2's from a mask of 0027.
func TestUmaskSymbolic(t *testing.T) {
	tests := []scriptCase{
		{"=", "umask u=rwx,g=rx,o=; echo $?; umask", "0\n0027\n"},
		{"= group", "umask g=w; umask", "0057\n"},
		{"no who is all", "umask +w; umask", "0005\n"},
		{"+", "umask o+r; umask", "0023\n"},
		{"no permissions", "umask o-; umask; umask =; umask", "0027\n0777\n"},
		{"twice the who", "umask uu=rw; umask", "0127\n"},
		{"a bad character", "umask a+q; echo $?; umask",
			"umask: `q': invalid symbolic mode character\n1\n0027\n"},
		{"a bad operator", "umask 'g*w'; echo $?; umask",
			"umask: `*': invalid symbolic mode operator\n1\n0027\n"},
		{"no operator", "umask ug; echo $?; umask",
			"umask: `\x00': invalid symbolic mode operator\n1\n0027\n"},
		{"a who after the operator", "umask g=u; echo $?",
			"umask: `u': invalid symbolic mode character\n1\n"},
		{"octal out of range", "umask 999; echo $?", "umask: 999: octal number out of range\n1\n"},
	}
	runScriptCases(t, "umask 0027", tests)
}

// TestUmaskOptions: -S prints the mask as the permissions it leaves,
// also after setting it, and -p as a command; other options are bash's
// usage error (status 2). The outputs are bash 5.2's.
func TestUmaskOptions(t *testing.T) {
	tests := []scriptCase{
		{"-S", "umask -S", "u=rwx,g=rx,o=rx\n"},
		{"-S with a mode", "umask -S 077; echo $?; umask", "u=rwx,g=,o=\n0\n0077\n"},
		{"-S with a symbolic mode", "umask -S u=rwx,g=,o=; umask", "u=rwx,g=,o=\n0077\n"},
		{"-p", "umask -p; umask -p -S", "umask 0022\numask -S u=rwx,g=rx,o=rx\n"},
		{"--", "umask -- 027; umask", "0027\n"},
		{"an unknown option", "umask -x; echo $?; umask", "umask: -x: invalid option\numask: usage: umask [-p] [-S] [mode]\n2\n0022\n"},
	}
	runScriptCases(t, "umask 022", tests)
}
