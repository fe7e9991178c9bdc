package shell_test

import "testing"

// TestGetoptLong: the builtins' option parser is glibc's getopt_long
// (getopt(3)): a long option may be abbreviated to a prefix naming one
// option, "--name=value" is refused by an option without an argument,
// and options may still follow operands. Outputs are coreutils 9.1's.
func TestGetoptLong(t *testing.T) {
	tests := []scriptCase{
		{"prefix of a long option", "mkdir --par a/b; echo $?; ls -d a/b", "0\na/b\n"},
		{"value to an option without one", "mkdir a; rm --rec=1 a; echo $?",
			"rm: option '--recursive' doesn't allow an argument\nTry 'rm --help' for more information.\n1\n"},
		{"options after operands", "mkdir x/z --mode=700 -p; echo $?; ls -d x/z", "0\nx/z\n"},
		{"cluster with an argument", "mkdir -pm 750 q/r; echo $?; ls -d q/r", "0\nq/r\n"},
		{"unknown long option", "mkdir --bogus d; echo $?",
			"mkdir: unrecognized option '--bogus'\nTry 'mkdir --help' for more information.\n1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}
