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

// TestChmodChownSymlinks: chmod and chown on a symlink named on the
// command line, as coreutils 9.1 does on Linux (LC_ALL=C, as root):
// chmod says "cannot operate on dangling symlink" where stat(2) is
// ENOENT and lstat(2) a symlink (fts's FTS_SLNONE); chown lstats each
// name and says "cannot dereference" where stat(2) of a symlink fails
// (chown-core.c); chown -R changes the symlink itself, not what it
// points to. uids lists the owners after, by lstat.
func TestChmodChownSymlinks(t *testing.T) {
	tests := []struct {
		name, script, want string
		uids               map[string]uint32
	}{
		{"chmod, dangling", "chmod 644 dd; echo $?", "chmod: cannot operate on dangling symlink 'dd'\n1\n", nil},
		{"chmod, dangling with a slash", "chmod 644 dd/; echo $?", "chmod: cannot access 'dd/': No such file or directory\n1\n", nil},
		{"chmod, a loop", "chmod 644 loop; echo $?", "chmod: cannot access 'loop': Too many levels of symbolic links\n1\n", nil},
		{"chmod -R, dangling", "chmod -R 644 dd; echo $?", "chmod: cannot operate on dangling symlink 'dd'\n1\n", nil},
		{"chown, dangling", "chown 5 dd; echo $?", "chown: cannot dereference 'dd': No such file or directory\n1\n", map[string]uint32{"/w/dd": 0}},
		{"chown, no owner", "chown : dd; echo $?", "chown: cannot dereference 'dd': No such file or directory\n1\n", nil},
		{"chown, a loop", "chown 5 loop; echo $?", "chown: cannot dereference 'loop': Too many levels of symbolic links\n1\n", nil},
		{"chown, dangling with a slash", "chown 5 dd/; echo $?", "chown: cannot access 'dd/': No such file or directory\n1\n", nil},
		{"chown -h, dangling", "chown -h 5 dd; echo $?", "0\n", map[string]uint32{"/w/dd": 5}},
		{"chown, a symlink to a directory", "chown 5 sl; echo $?", "0\n", map[string]uint32{"/w/sl": 0, "/w/s": 5}},
		{"chown -R, a symlink to a directory", "chown -R 5 sl; echo $?", "0\n", map[string]uint32{"/w/sl": 5, "/w/s": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.RunString("mkdir /w; cd /w; ln -s nowhere dd; ln -s loop loop; mkdir s; ln -s s sl")
			sh.RunString(tc.script)
			if got := out.String(); got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.script, got, tc.want)
			}
			for p, uid := range tc.uids {
				var st vfs.Stat
				if err := sh.Task().Lstat(p, &st); err != nil {
					t.Fatal(err)
				}
				if st.UID != uid {
					t.Errorf("%s: %s has uid %d, want %d", tc.script, p, st.UID, uid)
				}
			}
		})
	}
}

// TestChownReport: -v and -c print chown-core.c's lines (the old owner
// by name or number, the new one as given), -R changes a directory after
// what it holds, and -f silences the errors but not the status. The
// outputs are coreutils 9.1's on Linux, but for the names: the VFS has
// no passwd file, so only 0 is named.
func TestChownReport(t *testing.T) {
	tests := []scriptCase{
		{"-v", "chown -v 5:5 f; chown -v 5:5 f; chown -v :7 f; chown -v 8 f; chown -v root: f",
			"changed ownership of 'f' from root:root to 5:5\nownership of 'f' retained as 5:5\n" +
				"changed group of 'f' from 5 to 7\nchanged ownership of 'f' from 5 to 8\nchanged ownership of 'f' from 8:7 to root:root\n"},
		{"-c", "chown -c 5:6 f; chown -c 5:6 f; chown --changes 5 f", "changed ownership of 'f' from root:root to 5:6\n"},
		{"-v, a missing file", "chown -v 5 nonexist; echo $?",
			"chown: cannot access 'nonexist': No such file or directory\nfailed to change ownership of 'nonexist' to 5\n1\n"},
		{"-f", "chown -f 5 nonexist; echo $?; chown --silent 5 nonexist; echo $?", "1\n1\n"},
		{"-vR: the directory last", "ln -s ../f d/l; chown -vR 1 d",
			"changed ownership of 'd/l' from root to 1\nchanged ownership of 'd' from root to 1\n"},
		{"-vh", "ln -s f l; chown -vh 9 l", "changed ownership of 'l' from root to 9\n"},
	}
	runScriptCases(t, "mkdir -p /w/d; cd /w; touch f", tests)
}
