package vfs

// Resource limits (getrlimit(2), setrlimit(2)). A task keeps the one
// limit the VFS enforces, RLIMIT_NOFILE: the bound on its descriptor
// numbers.

// RLIMIT_NOFILE is the resource number of the descriptor limit
// (include/uapi/asm-generic/resource.h).
const RLIMIT_NOFILE = 7

// RLIM_INFINITY is "no limit".
const RLIM_INFINITY = ^uint64(0)

// NR_OPEN is fs.nr_open, the ceiling of RLIMIT_NOFILE's hard limit
// (sysctl_nr_open's default in fs/file.c, 1024*1024).
const NR_OPEN = 1 << 20

// INR_OPEN_CUR and INR_OPEN_MAX are the soft and hard RLIMIT_NOFILE
// every task starts with, as init gets them (include/asm-generic/
// resource.h, INIT_RLIMITS); Fork copies the parent's.
const (
	INR_OPEN_CUR = 1024
	INR_OPEN_MAX = 4096
)

// Rlimit is struct rlimit: the soft limit Cur and the hard limit Max.
type Rlimit struct {
	Cur, Max uint64
}

// nofile is the limit a task enforces on its descriptor numbers: Cur,
// which Setrlimit keeps at most NR_OPEN.
func (t *Task) nofile() int { return int(t.rlimNofile.Cur) }

// Getrlimit is getrlimit(2).
//
// Errors: EINVAL for a resource other than RLIMIT_NOFILE (the only
// limit the VFS enforces; the others belong to the host).
func (t *Task) Getrlimit(resource int) (Rlimit, error) {
	if resource != RLIMIT_NOFILE {
		return Rlimit{}, EINVAL
	}
	return t.rlimNofile, nil
}

// Setrlimit is setrlimit(2) of the task's own limit, as do_prlimit in
// kernel/sys.c checks it: a soft limit above the hard one is EINVAL; a
// hard limit above NR_OPEN is EPERM; raising the hard limit needs
// CAP_SYS_RESOURCE (uid 0 here), else EPERM. Lowering the soft limit
// below a descriptor already open closes nothing; only new descriptors
// are bounded by it.
//
// Errors: EINVAL also for a resource other than RLIMIT_NOFILE.
func (t *Task) Setrlimit(resource int, lim Rlimit) error {
	if resource != RLIMIT_NOFILE {
		return EINVAL
	}
	if lim.Cur > lim.Max {
		return EINVAL
	}
	if lim.Max > NR_OPEN {
		return EPERM
	}
	if lim.Max > t.rlimNofile.Max && !t.cred.capable() {
		return EPERM
	}
	t.rlimNofile = lim
	return nil
}
