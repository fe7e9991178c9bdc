package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestOpenEMFILEBeforeWalk: do_sys_openat2 takes the descriptor
// (get_unused_fd_flags, EMFILE) after build_open_flags and getname but
// before do_filp_open (alloc_empty_file's ENFILE, the walk, O_CREAT), and
// gives it back if the open fails. Host results (Linux 6.18, a directory
// of /dev/shm, RLIMIT_NOFILE at the number of open descriptors):
// open(O_CREAT) is EMFILE and creates nothing, a missing file or
// directory EMFILE, O_TMPFILE EMFILE, "" ENOENT, O_TMPFILE|O_CREAT
// EINVAL, dup and F_DUPFD EMFILE.
func TestOpenEMFILEBeforeWalk(t *testing.T) {
	const tmpfile = vfs.O_TMPFILE | vfs.O_RDWR
	for _, tc := range []struct {
		name     string
		atLimit  bool // RLIMIT_NOFILE at the two descriptors open
		fileMax  bool // fs.file-max at the files open (unprivileged task)
		path     string
		flags    int
		want     error
		wantFD   int    // with want nil
		noCreate string // a path that must not exist afterwards
	}{
		{"creat at the limit", true, false, "/tmp/e/new", vfs.O_RDWR | vfs.O_CREAT, vfs.EMFILE, 0, "/tmp/e/new"},
		{"creat excl at the limit", true, false, "/tmp/e/new", vfs.O_RDWR | vfs.O_CREAT | vfs.O_EXCL, vfs.EMFILE, 0, "/tmp/e/new"},
		{"missing at the limit", true, false, "/tmp/e/missing", vfs.O_RDONLY, vfs.EMFILE, 0, ""},
		{"missing directory at the limit", true, false, "/tmp/e/nodir/x", vfs.O_RDONLY, vfs.EMFILE, 0, ""},
		{"existing at the limit", true, false, "/tmp/e/f", vfs.O_RDONLY, vfs.EMFILE, 0, ""},
		{"tmpfile at the limit", true, false, "/tmp/e", tmpfile, vfs.EMFILE, 0, ""},
		{"empty path at the limit", true, false, "", vfs.O_RDONLY, vfs.ENOENT, 0, ""},
		{"bad flags at the limit", true, false, "/tmp/e", vfs.O_TMPFILE | vfs.O_CREAT | vfs.O_RDWR, vfs.EINVAL, 0, ""},
		{"both limits", true, true, "/tmp/e/f", vfs.O_RDONLY, vfs.EMFILE, 0, ""},
		{"both limits, creat", true, true, "/tmp/e/new", vfs.O_RDWR | vfs.O_CREAT, vfs.EMFILE, 0, "/tmp/e/new"},
		{"file-max only", false, true, "/tmp/e/f", vfs.O_RDONLY, vfs.ENFILE, 0, ""},
		{"file-max only, creat", false, true, "/tmp/e/new", vfs.O_RDWR | vfs.O_CREAT, vfs.ENFILE, 0, "/tmp/e/new"},
		{"below the limits", false, false, "/tmp/e/f", vfs.O_RDONLY, nil, 2, ""},
		{"creat below the limits", false, false, "/tmp/e/new", vfs.O_RDWR | vfs.O_CREAT, nil, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			mustT(t, "mkdir", init.Mkdir("/tmp/e", 0o777))
			mustT(t, "chmod", init.Chmod("/tmp/e", 0o777)) // past the umask
			fd, err := init.Open("/tmp/e/f", vfs.O_RDWR|vfs.O_CREAT, 0o666)
			mustT(t, "create", err)
			mustT(t, "close", init.Close(fd))
			task := init.Spawn("user")
			defer task.Exit()
			task.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
			for range 2 {
				if _, err := task.Open("/tmp/e/f", vfs.O_RDONLY, 0); err != nil {
					t.Fatal(err)
				}
			}
			// A failed open before gives its slot back: the open that
			// succeeds below still gets descriptor 2.
			if _, err := task.Open("/tmp/e/missing", vfs.O_RDONLY, 0); err != vfs.ENOENT {
				t.Fatalf("open missing: %v, want ENOENT", err)
			}
			limit := uint64(3)
			if tc.atLimit {
				limit = 2
			}
			mustT(t, "setrlimit", task.Setrlimit(vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: limit, Max: 4096}))
			if tc.fileMax {
				nr, _ := v.FilesStat()
				mustT(t, "file-max", v.SetMaxFiles(nr))
				defer v.SetMaxFiles(1 << 20)
			}
			fd, err = task.Open(tc.path, tc.flags, 0o644)
			if err != tc.want || (err == nil && fd != tc.wantFD) {
				t.Fatalf("open(%q, %#o) = %d, %v; want %d, %v", tc.path, tc.flags, fd, err, tc.wantFD, tc.want)
			}
			if tc.noCreate != "" {
				var st vfs.Stat
				if err := init.Stat(tc.noCreate, &st); err != vfs.ENOENT {
					t.Errorf("%s after the failed open: %v, want ENOENT", tc.noCreate, err)
				}
			}
			if got := task.FDs(); len(got) != 2+btoi(err == nil) {
				t.Errorf("descriptors after the open: %v", got)
			}
			if tc.atLimit {
				if _, err := task.Dup(0); err != vfs.EMFILE {
					t.Errorf("dup at the limit: %v, want EMFILE", err)
				}
				if _, err := task.Fcntl(0, vfs.F_DUPFD, 0); err != vfs.EMFILE {
					t.Errorf("F_DUPFD at the limit: %v, want EMFILE", err)
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
