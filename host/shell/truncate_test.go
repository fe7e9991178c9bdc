package shell_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestTruncateSize: truncate -s reads SIZE as coreutils' truncate.c
// does (xdectoimax over gnulib's xstrtol with the suffixes
// "EgGkKmMPtTYZ0"): an overflow is an error that leaves the file alone,
// never a wrapped size. The rows are coreutils 9.1's outputs (LC_ALL=C)
// on a 6-byte file: stderr, status, the size after.
func TestTruncateSize(t *testing.T) {
	tests := []struct {
		size   string
		stderr string
		status int
		after  int64
	}{
		{"16777216T", "truncate: Invalid number: '16777216T': Value too large for defined data type\n", 1, 6},
		{"8E", "truncate: Invalid number: '8E': Value too large for defined data type\n", 1, 6},
		{"7E", "", 0, 8070450532247928832},
		{"9223372036854775807", "", 0, 9223372036854775807},
		{"9223372036854775808", "truncate: Invalid number: '9223372036854775808': Value too large for defined data type\n", 1, 6},
		{"++5", "truncate: Invalid number: '++5'\n", 1, 6},
		{"+5", "", 0, 11},
		{"-2", "", 0, 4},
		{" 5", "", 0, 5},
		{"  +5", "", 0, 11},
		{" < 3", "", 0, 3},
		{"<+3", "truncate: multiple relative modifiers specified\nTry 'truncate --help' for more information.\n", 1, 6},
		{"5K", "", 0, 5120},
		{"5KB", "", 0, 5000},
		{"5KiB", "", 0, 5120},
		{"5kB", "", 0, 5000},
		{"5kiB", "", 0, 5120},
		{"5m", "", 0, 5242880},
		{"5g", "", 0, 5368709120},
		{"5t", "", 0, 5497558138880},
		{"5P", "", 0, 5629499534213120},
		{"5EiB", "", 0, 5764607523034234880},
		{"1Z", "truncate: Invalid number: '1Z': Value too large for defined data type\n", 1, 6},
		{"0Z", "", 0, 0},
		{"K", "", 0, 1024},
		{"KB", "", 0, 1000},
		{"Kb", "truncate: Invalid number: 'Kb'\n", 1, 6},
		{"5b", "truncate: Invalid number: '5b'\n", 1, 6},
		{"5B", "truncate: Invalid number: '5B'\n", 1, 6},
		{"5iB", "truncate: Invalid number: '5iB'\n", 1, 6},
		{"5Ki", "truncate: Invalid number: '5Ki'\n", 1, 6},
		{"5KIB", "truncate: Invalid number: '5KIB'\n", 1, 6},
		{"5KD", "", 0, 5000},
		{"5p", "truncate: Invalid number: '5p'\n", 1, 6},
		{"5e", "truncate: Invalid number: '5e'\n", 1, 6},
		{"0x10", "truncate: Invalid number: '0x10'\n", 1, 6},
		{"010", "", 0, 10},
		{"5 ", "truncate: Invalid number: '5 '\n", 1, 6},
		{"", "truncate: Invalid number: ''\n", 1, 6},
		{"-", "truncate: Invalid number: '-'\n", 1, 6},
		{"+", "truncate: Invalid number: '+'\n", 1, 6},
		{"-K", "truncate: Invalid number: '-K'\n", 1, 6},
		{"+ 5", "truncate: Invalid number: '+ 5'\n", 1, 6},
		{"/0", "truncate: division by zero\n", 1, 6},
		{"%0", "truncate: division by zero\n", 1, 6},
		{"/4", "", 0, 4},
		{"%4", "", 0, 8},
		{">9", "", 0, 9},
		{"<9", "", 0, 6},
		{" x", "truncate: Invalid number: 'x'\n", 1, 6},
		{"<  ", "truncate: Invalid number: ''\n", 1, 6},
		{"+9223372036854775807", "truncate: overflow extending size of file 'f'\n", 1, 6},
		{"%9223372036854775807", "", 0, 9223372036854775807},
		{"-9223372036854775808", "", 0, 0},
		{"-9223372036854775809", "truncate: Invalid number: '-9223372036854775809': Value too large for defined data type\n", 1, 6},
		{"-5K", "", 0, 0},
		{"-10EB", "truncate: Invalid number: '-10EB': Value too large for defined data type\n", 1, 6},
		{"/-3", "truncate: multiple relative modifiers specified\nTry 'truncate --help' for more information.\n", 1, 6},
		{"1e3", "truncate: Invalid number: '1e3'\n", 1, 6},
		{"5R", "truncate: Invalid number: '5R'\n", 1, 6},
	}
	for _, tc := range tests {
		t.Run(tc.size, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w; cd /w; echo hello > f")
			if st := sh.RunString("truncate -s '" + tc.size + "' f"); st != tc.status || out.String() != tc.stderr {
				t.Errorf("truncate -s %q f: status %d, output %q; want %d, %q", tc.size, st, out.String(), tc.status, tc.stderr)
			}
			var st vfs.Stat
			if err := sh.Task().Stat("/w/f", &st); err != nil || st.Size != tc.after {
				t.Errorf("truncate -s %q f: size %d (%v), want %d", tc.size, st.Size, err, tc.after)
			}
		})
	}
}
