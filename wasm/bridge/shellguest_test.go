package bridge

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/wasi"
	"github.com/vfscope/vfscope/vfs"
)

// newShell makes a shell on VFS id and runs setup in it.
func newShell(t *testing.T, b *Bridge, id uint32, setup string) int64 {
	t.Helper()
	d := exec(t, b, new(req).op("shellNew", id), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("shellNew: errno %d", e)
	}
	sh := d.num()
	if setup != "" {
		d = exec(t, b, new(req).op("shellRun", 0).num(sh).str(setup).raw(nil), nil)
		if e := d.u32(); e != 0 {
			t.Fatalf("shellRun: errno %d", e)
		}
		if st := d.num(); st != 0 {
			d.u8()
			t.Fatalf("%q: status %d: %s%s", setup, st, d.bytes(), d.bytes())
		}
	}
	return sh
}

// shellRun runs line in shell sh and returns its status and stdout.
func shellRun(t *testing.T, b *Bridge, sh int64, line string) (int64, string) {
	t.Helper()
	d := exec(t, b, new(req).op("shellRun", 0).num(sh).str(line).raw(nil), nil)
	if e := d.u32(); e != 0 {
		t.Fatalf("shellRun %q: errno %d", line, e)
	}
	status := d.num()
	d.u8()
	return status, string(d.bytes())
}

// TestShellSetStatus checks that shellSetStatus sets what the shell's
// "$?" expands to, in shellRun and in shellSplit, and what its status is
// until the next command.
func TestShellSetStatus(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	sh := newShell(t, b, id, "")
	tests := []struct {
		name      string
		before    string // run before shellSetStatus
		set       int64
		line      string
		status    int64 // shellRun's status for line
		stdout    string
		splitArgs string // shellSplit's words for `x $?`
	}{
		{"a guest's failure after a success", "true", 1, "echo $?", 0, "1\n", "[x][1]"},
		{"a guest's success after a failure", "false", 0, "echo $?", 0, "0\n", "[x][0]"},
		{"applet not found, then echo's own", "true", 127, "echo $?; echo $?", 0, "127\n0\n", "[x][127]"},
		{"modulo 256", "true", 256 + 9, "echo $?", 0, "9\n", "[x][9]"},
		{"exit keeps it", "true", 6, "exit", 6, "", "[x][6]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh := newShell(t, b, id, "")
			shellRun(t, b, sh, tc.before)
			d := exec(t, b, new(req).op("shellSetStatus", 0).num(sh).num(tc.set), nil)
			if e := d.u32(); e != 0 {
				t.Fatalf("shellSetStatus: errno %d", e)
			}
			d = exec(t, b, new(req).op("shellSplit", 0).num(sh).str("x $?"), nil)
			if e := d.u32(); e != 0 {
				t.Fatalf("shellSplit: errno %d", e)
			}
			d.str()
			d.str()
			var words strings.Builder
			for n := d.u32(); n > 0; n-- {
				for na := d.u32(); na > 0; na-- {
					words.WriteString("[" + d.str() + "]")
				}
				d.u32()
			}
			if words.String() != tc.splitArgs {
				t.Errorf("split `x $?`: %s, want %s", words.String(), tc.splitArgs)
			}
			status, out := shellRun(t, b, sh, tc.line)
			if status != tc.status || out != tc.stdout {
				t.Errorf("%q: status %d stdout %q, want %d %q", tc.line, status, out, tc.status, tc.stdout)
			}
			exec(t, b, new(req).op("shellClose", 0).num(sh), nil)
		})
	}
	bad := []struct {
		name string
		req  *req
		want string
	}{
		{"no shell", new(req).op("shellSetStatus", 0).num(sh + 100).num(1), "no shell"},
		{"no status", new(req).op("shellSetStatus", 0).num(sh), "truncated arguments"},
	}
	for _, tc := range bad {
		if _, err := b.Exec(tc.req.bytes(), NoEnv{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestWASINewShell checks that a guest made with a shell runs as the
// shell's task: its credentials after su, its umask; and that without
// one it runs as the VFS's first task (root), as before.
func TestWASINewShell(t *testing.T) {
	b := New()
	id := newVFS(t, b)
	// /tmp/ro is root's, mode 0755; the shell then becomes uid 1000.
	sh := newShell(t, b, id, "mkdir /tmp/ro && umask 077 && su 1000:1000")
	root := b.vfses[id].task
	tests := []struct {
		name  string
		shell int64
		path  string // created by path_create_directory, in the preopen "/"
		errno wasi.Errno
		uid   uint32
		mode  uint32 // permission bits of what was created
	}{
		{"the shell's user may not write in root's directory", sh, "tmp/ro/a", wasi.EACCES, 0, 0},
		{"the shell's user in a directory of all", sh, "tmp/mine", wasi.ESUCCESS, 1000, 0o700},
		{"no shell: root, with root's umask", 0, "tmp/ro/b", wasi.ESUCCESS, 0, 0o755},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs("/").str("/").raw(nil).num(tc.shell), nil)
			if e := d.u32(); e != 0 {
				t.Fatalf("wasiNew: errno %d", e)
			}
			g := uint32(d.num())
			cm := &countingMemory{mem: make(wasi.Bytes, 1<<16)}
			exec(t, b, new(req).op("wasiMemory", 0).num(int64(g)).u32(1), memEnv{cm})
			copy(cm.mem[100:], tc.path)
			errno, _, _, _ := callWASI(t, b, g, "path_create_directory", 3, 100, uint64(len(tc.path)))
			exec(t, b, new(req).op("wasiClose", 0).num(int64(g)), nil)
			if errno != tc.errno {
				t.Fatalf("path_create_directory %s: errno %v, want %v", tc.path, errno, tc.errno)
			}
			var st vfs.Stat
			err := root.Stat("/"+tc.path, &st)
			if tc.errno != wasi.ESUCCESS {
				if vfs.ErrnoOf(err) != vfs.ENOENT {
					t.Errorf("stat /%s after a failed mkdir: %v, want ENOENT", tc.path, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.UID != tc.uid || st.GID != tc.uid || st.Mode&0o7777 != tc.mode {
				t.Errorf("/%s: uid %d gid %d mode %o, want %d %d %o", tc.path, st.UID, st.GID, st.Mode&0o7777, tc.uid, tc.uid, tc.mode)
			}
		})
	}
	// The guest's task is a fork: the shell is still uid 1000.
	if status, out := shellRun(t, b, sh, "id"); status != 0 || out != "uid=1000 gid=1000 groups=1000\n" {
		t.Errorf("id in the shell: %d %q", status, out)
	}

	other := newVFS(t, b)
	bad := []struct {
		name string
		req  *req
		want string
	}{
		{"a shell of another VFS", new(req).op("wasiNew", other).strs("g").strs().strs().str("/").raw(nil).num(sh), "is on another VFS"},
		{"no such shell", new(req).op("wasiNew", id).strs("g").strs().strs().str("/").raw(nil).num(sh + 100), "no shell"},
		{"no shell argument", new(req).op("wasiNew", id).strs("g").strs().strs().str("/").raw(nil), "truncated arguments"},
	}
	for _, tc := range bad {
		if _, err := b.Exec(tc.req.bytes(), NoEnv{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// A guest outlives the shell it was forked from.
	d := exec(t, b, new(req).op("wasiNew", id).strs("g").strs().strs("/").str("/").raw(nil).num(sh), nil)
	d.u32()
	g := uint32(d.num())
	exec(t, b, new(req).op("shellClose", 0).num(sh), nil)
	cm := &countingMemory{mem: make(wasi.Bytes, 1<<16)}
	exec(t, b, new(req).op("wasiMemory", 0).num(int64(g)).u32(1), memEnv{cm})
	copy(cm.mem[100:], "tmp/after")
	if errno, _, _, _ := callWASI(t, b, g, "path_create_directory", 3, 100, 9); errno != wasi.ESUCCESS {
		t.Errorf("mkdir after the shell closed: errno %v", errno)
	}
	var st vfs.Stat
	if err := root.Stat("/tmp/after", &st); err != nil || st.UID != 1000 {
		t.Errorf("/tmp/after: %v uid %d, want 1000", err, st.UID)
	}
	exec(t, b, new(req).op("wasiClose", 0).num(int64(g)), nil)
}
