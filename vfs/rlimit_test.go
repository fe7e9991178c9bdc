package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestSetrlimitRules: setrlimit(2)'s checks as do_prlimit (kernel/sys.c)
// makes them for RLIMIT_NOFILE, starting from init's limits (1024 soft,
// 4096 hard: INIT_RLIMITS in include/asm-generic/resource.h) and with
// fs.nr_open (1<<20) as the ceiling of the hard limit.
func TestSetrlimitRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		uid      uint32
		resource int
		set      vfs.Rlimit
		want     error
		after    vfs.Rlimit // the limit after the call
	}{
		{"raise soft to hard", 1000, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 4096, Max: 4096}, nil, vfs.Rlimit{Cur: 4096, Max: 4096}},
		{"lower both", 1000, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 10, Max: 20}, nil, vfs.Rlimit{Cur: 10, Max: 20}},
		{"soft above hard", 0, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 4097, Max: 4096}, vfs.EINVAL, vfs.Rlimit{Cur: 1024, Max: 4096}},
		{"raise hard unprivileged", 1000, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 1024, Max: 8192}, vfs.EPERM, vfs.Rlimit{Cur: 1024, Max: 4096}},
		{"raise hard as root", 0, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 1 << 20, Max: 1 << 20}, nil, vfs.Rlimit{Cur: 1 << 20, Max: 1 << 20}},
		{"hard above nr_open", 0, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 1024, Max: 1<<20 + 1}, vfs.EPERM, vfs.Rlimit{Cur: 1024, Max: 4096}},
		{"infinity", 0, vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: vfs.RLIM_INFINITY, Max: vfs.RLIM_INFINITY}, vfs.EPERM, vfs.Rlimit{Cur: 1024, Max: 4096}},
		{"other resource", 0, 0 /* RLIMIT_CPU */, vfs.Rlimit{Cur: 1, Max: 1}, vfs.EINVAL, vfs.Rlimit{Cur: 1024, Max: 4096}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			task := init.Fork("limits")
			task.SetCred(&vfs.Cred{UID: tc.uid, GID: tc.uid})
			if got, _ := task.Getrlimit(vfs.RLIMIT_NOFILE); got != (vfs.Rlimit{Cur: 1024, Max: 4096}) {
				t.Fatalf("initial limit %+v, want {1024 4096}", got)
			}
			if err := task.Setrlimit(tc.resource, tc.set); err != tc.want {
				t.Fatalf("Setrlimit(%d, %+v) = %v, want %v", tc.resource, tc.set, err, tc.want)
			}
			if got, _ := task.Getrlimit(vfs.RLIMIT_NOFILE); got != tc.after {
				t.Errorf("limit after: %+v, want %+v", got, tc.after)
			}
			if got, _ := task.Fork("child").Getrlimit(vfs.RLIMIT_NOFILE); got != tc.after {
				t.Errorf("a fork's limit: %+v, want %+v", got, tc.after)
			}
			if _, err := task.Getrlimit(0); err != vfs.EINVAL {
				t.Errorf("Getrlimit(RLIMIT_CPU) = %v, want EINVAL", err)
			}
		})
	}
}

// TestRlimitNofileBoundsDescriptors: the soft limit bounds every new
// descriptor number: open gives EMFILE (get_unused_fd_flags), dup2 to a
// number at or past it EBADF (ksys_dup3), F_DUPFD EINVAL (f_dupfd), as
// in fs/file.c; raising it lets the numbers past the old limit be used.
func TestRlimitNofileBoundsDescriptors(t *testing.T) {
	v, init, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	for _, tc := range []struct {
		name  string
		limit uint64
	}{{"lowered", 8}, {"default", 1024}, {"raised", 2000}} {
		t.Run(tc.name, func(t *testing.T) {
			task := init.Spawn("limits")
			defer task.Exit()
			if err := task.Setrlimit(vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: tc.limit, Max: 4096}); err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				fd, err := task.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
				if err != nil {
					if err != vfs.EMFILE {
						t.Fatalf("open %d: %v, want EMFILE", n, err)
					}
					break
				}
				if fd != n {
					t.Fatalf("open gave %d, want %d", fd, n)
				}
				n++
			}
			if uint64(n) != tc.limit {
				t.Fatalf("opened %d descriptors, want %d", n, tc.limit)
			}
			if _, err := task.Dup2(0, int(tc.limit)); err != vfs.EBADF {
				t.Errorf("dup2 to the limit: %v, want EBADF", err)
			}
			if _, err := task.Fcntl(0, vfs.F_DUPFD, int(tc.limit)); err != vfs.EINVAL {
				t.Errorf("F_DUPFD at the limit: %v, want EINVAL", err)
			}
			if err := task.Setrlimit(vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: tc.limit + 1, Max: 4096}); err != nil {
				t.Fatal(err)
			}
			if fd, err := task.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0); err != nil || fd != int(tc.limit) {
				t.Errorf("open after raising: %d, %v; want %d", fd, err, tc.limit)
			}
		})
	}
}
