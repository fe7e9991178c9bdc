package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestRlimitFsize: RLIMIT_FSIZE bounds what a write, truncate or
// fallocate may make of a file, as Linux bounds it in
// generic_write_check_limits (mm/filemap.c: a write starting at or past
// the limit is EFBIG, one crossing it is cut short at it),
// inode_newsize_ok (fs/attr.c: growing past it is EFBIG, shrinking is
// not checked) and shmem_fallocate (inode_newsize_ok of the range's end,
// KEEP_SIZE or not). The rows are what this machine's kernel (6.18,
// tmpfs on /dev/shm) gives a process with the soft limit set and
// SIGXFSZ ignored; vfscope, which has no signals, gives the same.
func TestRlimitFsize(t *testing.T) {
	b8 := []byte("abcdefgh")
	type op func(c *vfs.Task, fd int) (int, error)
	pwrite := func(p []byte, off int64) op {
		return func(c *vfs.Task, fd int) (int, error) { return c.Pwrite(fd, p, off) }
	}
	write := func(p []byte) op {
		return func(c *vfs.Task, fd int) (int, error) { return c.Write(fd, p) }
	}
	ftruncate := func(n int64) op {
		return func(c *vfs.Task, fd int) (int, error) { return 0, c.Ftruncate(fd, n) }
	}
	truncate := func(n int64) op {
		return func(c *vfs.Task, fd int) (int, error) { return 0, c.Truncate("/tmp/f", n) }
	}
	fallocate := func(mode int, off, n int64) op {
		return func(c *vfs.Task, fd int) (int, error) { return 0, c.Fallocate(fd, mode, off, n) }
	}
	type step struct {
		op   op
		n    int
		err  error
		size int64 // the file's size after the step
	}
	for _, tc := range []struct {
		name  string
		limit uint64 // the soft limit, the hard one staying RLIM_INFINITY
		flags int
		size  int64 // the file's size before the limit is set
		steps []step
	}{
		{"no limit by default", vfs.RLIM_INFINITY, 0, 0, []step{
			{pwrite(b8, 1<<20), 8, nil, 1<<20 + 8},
			{ftruncate(1 << 30), 0, nil, 1 << 30},
		}},
		{"pwrite crossing the limit is cut short", 10, 0, 0, []step{{pwrite(b8, 5), 5, nil, 10}}},
		{"pwrite at the limit", 10, 0, 0, []step{{pwrite(b8, 10), 0, vfs.EFBIG, 0}}},
		{"pwrite past the limit", 10, 0, 0, []step{{pwrite(b8, 20), 0, vfs.EFBIG, 0}}},
		{"pwrite ending at the limit", 10, 0, 0, []step{{pwrite(b8, 2), 8, nil, 10}}},
		{"pwrite of the last byte", 10, 0, 0, []step{{pwrite(b8[:1], 9), 1, nil, 10}}},
		{"empty pwrite past the limit", 10, 0, 0, []step{{pwrite(nil, 20), 0, nil, 0}}},
		{"writes up to the limit", 10, 0, 0, []step{
			{write(b8), 8, nil, 8},
			{write(b8), 2, nil, 10},
			{write(b8), 0, vfs.EFBIG, 10},
		}},
		{"limit 0", 0, 0, 0, []step{
			{pwrite(b8[:1], 0), 0, vfs.EFBIG, 0},
			{ftruncate(0), 0, nil, 0},
			{ftruncate(1), 0, vfs.EFBIG, 0},
		}},
		// O_APPEND writes at i_size, whatever the offset asked.
		{"append", 10, vfs.O_APPEND, 6, []step{
			{write(b8), 4, nil, 10},
			{write(b8), 0, vfs.EFBIG, 10},
		}},
		{"append pwrite at 0", 10, vfs.O_APPEND, 6, []step{{pwrite(b8, 0), 4, nil, 10}}},
		{"ftruncate past the limit", 10, 0, 0, []step{{ftruncate(11), 0, vfs.EFBIG, 0}}},
		{"ftruncate to the limit", 10, 0, 0, []step{{ftruncate(10), 0, nil, 10}}},
		{"truncate past the limit", 10, 0, 0, []step{{truncate(11), 0, vfs.EFBIG, 0}}},
		// A file already past the limit may shrink, not grow.
		{"file past the limit", 10, 0, 20, []step{
			{ftruncate(15), 0, nil, 15},
			{pwrite(b8, 12), 0, vfs.EFBIG, 15},
			{fallocate(0, 0, 15), 0, nil, 15},
			{fallocate(0, 0, 20), 0, vfs.EFBIG, 15},
			{ftruncate(16), 0, vfs.EFBIG, 15},
		}},
		{"fallocate past the limit", 10, 0, 0, []step{{fallocate(0, 0, 20), 0, vfs.EFBIG, 0}}},
		{"fallocate to the limit", 10, 0, 0, []step{{fallocate(0, 0, 10), 0, nil, 10}}},
		{"fallocate crossing the limit", 10, 0, 0, []step{{fallocate(0, 5, 6), 0, vfs.EFBIG, 0}}},
		{"fallocate at the limit", 10, 0, 0, []step{{fallocate(0, 10, 1), 0, vfs.EFBIG, 0}}},
		{"fallocate KEEP_SIZE past the limit", 10, 0, 0, []step{{fallocate(vfs.FALLOC_FL_KEEP_SIZE, 0, 20), 0, vfs.EFBIG, 0}}},
		{"punch hole past the limit", 10, 0, 0, []step{{fallocate(vfs.FALLOC_FL_KEEP_SIZE|vfs.FALLOC_FL_PUNCH_HOLE, 0, 20), 0, nil, 0}}},
		// generic_write_check_limits holds the limit in a loff_t: 2^63
		// is negative there and every write fails; inode_newsize_ok's
		// unsigned long compare lets a truncate through.
		{"limit 2^63", 1 << 63, 0, 0, []step{
			{pwrite(b8, 0), 0, vfs.EFBIG, 0},
			{ftruncate(20), 0, nil, 20},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			p := init.Fork("parent")
			fd, err := p.Open("/tmp/f", vfs.O_RDWR|vfs.O_CREAT|tc.flags, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Ftruncate(fd, tc.size); err != nil {
				t.Fatal(err)
			}
			if err := p.Setrlimit(vfs.RLIMIT_FSIZE, vfs.Rlimit{Cur: tc.limit, Max: vfs.RLIM_INFINITY}); err != nil {
				t.Fatal(err)
			}
			// The limit is inherited: the steps run in a fork.
			c := p.Fork("child")
			defer c.Exit()
			for i, s := range tc.steps {
				n, err := s.op(c, fd)
				if n != s.n || err != s.err {
					t.Errorf("step %d: (%d, %v), want (%d, %v)", i, n, err, s.n, s.err)
				}
				var st vfs.Stat
				if err := c.Fstat(fd, &st); err != nil {
					t.Fatal(err)
				}
				if st.Size != s.size {
					t.Errorf("step %d: size %d, want %d", i, st.Size, s.size)
				}
			}
		})
	}
}

// TestSetrlimitFsize: setrlimit(2)'s checks for RLIMIT_FSIZE, as
// do_prlimit makes them: a soft limit above the hard one is EINVAL,
// raising the hard limit needs CAP_SYS_RESOURCE (uid 0 here), and
// there is no ceiling but RLIM_INFINITY, which every task starts with
// (INIT_RLIMITS). Fork and Spawn copy the limit.
func TestSetrlimitFsize(t *testing.T) {
	inf := vfs.RLIM_INFINITY
	for _, tc := range []struct {
		name  string
		uid   uint32
		first vfs.Rlimit // set as root before the uid changes
		set   vfs.Rlimit
		want  error
		after vfs.Rlimit
	}{
		{"lower both", 1000, vfs.Rlimit{Cur: inf, Max: inf}, vfs.Rlimit{Cur: 10, Max: 20}, nil, vfs.Rlimit{Cur: 10, Max: 20}},
		{"soft above hard", 0, vfs.Rlimit{Cur: inf, Max: inf}, vfs.Rlimit{Cur: 11, Max: 10}, vfs.EINVAL, vfs.Rlimit{Cur: inf, Max: inf}},
		{"raise soft to hard", 1000, vfs.Rlimit{Cur: 10, Max: 20}, vfs.Rlimit{Cur: 20, Max: 20}, nil, vfs.Rlimit{Cur: 20, Max: 20}},
		{"raise hard unprivileged", 1000, vfs.Rlimit{Cur: 10, Max: 20}, vfs.Rlimit{Cur: 10, Max: 21}, vfs.EPERM, vfs.Rlimit{Cur: 10, Max: 20}},
		{"raise hard as root", 0, vfs.Rlimit{Cur: 10, Max: 20}, vfs.Rlimit{Cur: inf, Max: inf}, nil, vfs.Rlimit{Cur: inf, Max: inf}},
		{"above nr_open", 1000, vfs.Rlimit{Cur: inf, Max: inf}, vfs.Rlimit{Cur: 1<<20 + 1, Max: 1 << 40}, nil, vfs.Rlimit{Cur: 1<<20 + 1, Max: 1 << 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			task := init.Fork("limits")
			if got, _ := task.Getrlimit(vfs.RLIMIT_FSIZE); got != (vfs.Rlimit{Cur: inf, Max: inf}) {
				t.Fatalf("initial limit %+v, want infinity", got)
			}
			if err := task.Setrlimit(vfs.RLIMIT_FSIZE, tc.first); err != nil {
				t.Fatal(err)
			}
			task.SetCred(&vfs.Cred{UID: tc.uid, GID: tc.uid})
			if err := task.Setrlimit(vfs.RLIMIT_FSIZE, tc.set); err != tc.want {
				t.Fatalf("Setrlimit(%+v) = %v, want %v", tc.set, err, tc.want)
			}
			for _, c := range []struct {
				name string
				t    *vfs.Task
			}{{"task", task}, {"fork", task.Fork("f")}, {"spawn", task.Spawn("s")}} {
				if got, err := c.t.Getrlimit(vfs.RLIMIT_FSIZE); err != nil || got != tc.after {
					t.Errorf("%s's limit: %+v, %v, want %+v", c.name, got, err, tc.after)
				}
			}
			if got, _ := task.Getrlimit(vfs.RLIMIT_NOFILE); got != (vfs.Rlimit{Cur: 1024, Max: 4096}) {
				t.Errorf("RLIMIT_NOFILE changed: %+v", got)
			}
		})
	}
}
