package shell_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestChownSpec: chown reads OWNER[:GROUP] as gnulib's userspec.c
// does; the rows are coreutils 9.1's chown (LC_ALL=C, as root) on a
// file owned by 0:0, whose passwd and group files name none of these
// numbers: stderr, status, then uid:gid.
func TestChownSpec(t *testing.T) {
	tests := []struct {
		spec, stderr string
		status       int
		owner        string
	}{
		{"root:", "", 0, "0:0"},
		{"root.", "chown: warning: '.' should be ':': 'root.'\n", 0, "0:0"},
		{"5.5", "chown: warning: '.' should be ':': '5.5'\n", 0, "5:5"},
		{"+5:", "chown: invalid spec: '+5:'\n", 1, "0:0"},
		{"root:root", "", 0, "0:0"},
		{"5:+7", "", 0, "5:7"},
		{"5:x", "chown: invalid group: '5:x'\n", 1, "0:0"},
		{"x:5", "chown: invalid user: 'x:5'\n", 1, "0:0"},
		{"x", "chown: invalid user: 'x'\n", 1, "0:0"},
		{"4294967295", "chown: invalid user: '4294967295'\n", 1, "0:0"},
		{"4294967294:", "chown: invalid spec: '4294967294:'\n", 1, "0:0"},
		{"12345:", "chown: invalid spec: '12345:'\n", 1, "0:0"},
		{"5:", "chown: invalid spec: '5:'\n", 1, "0:0"},
		{"+0", "", 0, "0:0"},
		{"root.root", "chown: warning: '.' should be ':': 'root.root'\n", 0, "0:0"},
		{".5", "chown: warning: '.' should be ':': '.5'\n", 0, "0:5"},
		{":", "", 0, "0:0"},
		{"", "", 0, "0:0"},
		{"5.", "chown: invalid user: '5.'\n", 1, "0:0"},
		{"12345:12345", "", 0, "12345:12345"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("touch /f")
			if st := sh.RunString("chown '" + tc.spec + "' /f"); st != tc.status || out.String() != tc.stderr {
				t.Errorf("chown %q: status %d, output %q; want %d, %q", tc.spec, st, out.String(), tc.status, tc.stderr)
			}
			var st vfs.Stat
			if err := sh.Task().Stat("/f", &st); err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%d:%d", st.UID, st.GID); got != tc.owner {
				t.Errorf("chown %q: owner %s, want %s", tc.spec, got, tc.owner)
			}
		})
	}
}
