package shell_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMvSameFile: mv refuses to move a file onto itself, however the two
// names reach it, as coreutils' same_file_ok (copy.c) decides for mv;
// the outputs are mv 9.4's with dash.
func TestMvSameFile(t *testing.T) {
	tests := []scriptCase{
		{"symlink onto its referent",
			"echo precious > f; ln -s f sl; mv sl f; echo $?; cat f",
			"mv: 'sl' and 'f' are the same file\n1\nprecious\n"},
		{"symlink in another directory onto its referent",
			"echo y > g; mkdir d; ln -s ../g d/g; mv d/g g; echo $?; cat g",
			"mv: 'd/g' and 'g' are the same file\n1\ny\n"},
		{"symlink onto another hard link of its referent",
			"echo x > f; ln f l; ln -s f s; mv s f; echo $?; mv s l; echo $?; ls; cat l",
			"mv: 's' and 'f' are the same file\n1\n0\nf\nl\nx\n"},
		{"file onto a symlink to it replaces the symlink",
			"echo x > f; ln -s f sl; mv f sl; echo $?; ls; cat sl",
			"0\nsl\nx\n"},
		{"two hard links of one symlink",
			"ln -s f s1; ln s1 s2; mv s1 s2; echo $?; ls",
			"mv: 's1' and 's2' are the same file\n1\ns1\ns2\n"},
		{"two symlinks to one file",
			"ln -s f s1; ln -s f s2; mv s1 s2; echo $?; ls",
			"0\ns2\n"},
		{"hard links",
			"echo x > f; ln f hl; mv f hl; echo $?",
			"mv: 'f' and 'hl' are the same file\n1\n"},
		{"one name", "touch f; mv f ./f; echo $?", "mv: 'f' and './f' are the same file\n1\n"},
	}
	runScriptCases(t, "mkdir /w; cd /w", tests)
}

// TestMvAcrossFilesystems: when rename(2) fails with EXDEV, mv removes
// the destination first (rmdir for a directory, unlink otherwise), so
// that it acts as rename would: a non-empty destination directory stops
// it with coreutils' message (copy.c) and the source is kept, never
// merged into the destination. The outputs are mv 9.1's, from a tmpfs
// to an ext4 directory.
func TestMvAcrossFilesystems(t *testing.T) {
	tests := []scriptCase{
		{"into a non-empty directory",
			"mkdir -p src/in /m/src/other; echo a > src/in/f; echo b > /m/src/other/g; mv src /m/; echo $?; ls src /m/src",
			"mv: inter-device move failed: 'src' to '/m/src'; unable to remove target: Directory not empty\n1\n" +
				"/m/src:\nother\n\nsrc:\nin\n"},
		{"onto an empty directory",
			"mkdir -p e /m/e; touch e/x; mv e /m/; echo $?; ls /m/e; ls",
			"0\nx\n"},
		{"onto a file",
			"echo 1 > f; echo 2 > /m/f; mv f /m/; echo $?; cat /m/f; ls",
			"0\n1\n"},
		{"a symlink",
			"echo c > h; ln -s h hs; mv hs /m/; echo $?; ls /m; ls",
			"0\nhs\nh\n"},
	}
	runScriptCases(t, "mkdir /w /m; mount -t tmpfs none /m; cd /w", tests)
}

// TestMvAcrossFilesystemsKeepsAttributes: a tree mv copies to another
// filesystem keeps each file's owner, group, mode (set-user-ID
// included, and bits the umask would clear) and access and
// modification times; a directory's times are set after its entries
// go in, a symlink's without following it (copy.c, --preserve=all).
func TestMvAcrossFilesystemsKeepsAttributes(t *testing.T) {
	type attrs struct {
		uid, gid, mode uint32
		sec            int64
	}
	files := map[string]attrs{
		"d":   {2000, 3000, 0o755, 100},
		"d/s": {1000, 1000, 0o555, 200},
		"d/f": {1000, 1000, 0o4666, 300},
		"d/n": {0, 5, 0o666, 400},
		"d/l": {1000, 7, 0o777, 500},
	}
	sh, _, out := newShell(t, "")
	sh.RunString("mkdir /w /m; mount -t tmpfs none /m; cd /w; mkdir -p d/s; echo x > d/f; mknod d/n c 1 3; ln -s f d/l; " +
		"chown 2000:3000 d; chown 1000:1000 d/s d/f; chown :5 d/n; chown -h 1000:7 d/l; chmod 555 d/s; chmod 4666 d/f; chmod 666 d/n")
	for p, a := range files {
		times := [2]vfs.Timespec{{Sec: a.sec, Nsec: 7}, {Sec: a.sec + 1, Nsec: 9}}
		if err := sh.Task().Utimensat(vfs.AT_FDCWD, "/w/"+p, &times, vfs.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
	sh.RunString("mv d /m/; echo $?; ls /w")
	if got := out.String(); got != "0\n" {
		t.Errorf("mv printed %q", got)
	}
	for p, a := range files {
		var st vfs.Stat
		if err := sh.Task().Lstat("/m/"+p, &st); err != nil {
			t.Fatal(err)
		}
		got := attrs{st.UID, st.GID, st.Mode & 0o7777, st.Atime / 1e9}
		if got != a || st.Atime != a.sec*1e9+7 || st.Mtime != (a.sec+1)*1e9+9 {
			t.Errorf("/m/%s: %+v atime %d mtime %d, want %+v and times %d.7 %d.9", p, got, st.Atime, st.Mtime, a, a.sec, a.sec+1)
		}
	}
}

// TestMvIntoItselfAcrossMounts: rename(2) of a directory into a bind
// mount of its own filesystem is EXDEV, and the copy mv falls back to
// would never end (each level copies the one below it): mv refuses as
// cp -r does, and the source stays.
func TestMvIntoItselfAcrossMounts(t *testing.T) {
	tests := []scriptCase{
		{"into a bind mount of itself", "mv /w/d /m/d/sub; echo $?; ls /w/d",
			"mv: cannot copy a directory, '/w/d', into itself, '/m/d/sub'\n1\nf\n"},
		{"beside itself is a move", "mv /w/d /m/e; echo $?; ls /w",
			"0\ne\n"},
	}
	runScriptCases(t, "mkdir -p /w/d /m; echo x > /w/d/f; mount --bind /w /m", tests)
}
