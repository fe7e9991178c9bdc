package vfs

// Resource limits (getrlimit(2), setrlimit(2)). A task keeps the two
// limits the VFS enforces: RLIMIT_NOFILE, the bound on its descriptor
// numbers, and RLIMIT_FSIZE, the bound on the size its writes, truncates
// and fallocates may give a file (GenericFileWriteLocked,
// InodeNewsizeOk). The others belong to the host.
//
// Exceeding RLIMIT_FSIZE is EFBIG. Linux also sends the task SIGXFSZ,
// whose default action kills it; vfscope has no signals, so a task sees
// what a Linux process that ignores SIGXFSZ sees (RATIONALE.md, "Why
// does getrlimit know only RLIMIT_NOFILE and RLIMIT_FSIZE?").

// Resource numbers of the limits the VFS enforces
// (include/uapi/asm-generic/resource.h).
const (
	RLIMIT_FSIZE  = 1
	RLIMIT_NOFILE = 7
)

// RLIM_INFINITY is "no limit".
const RLIM_INFINITY = ^uint64(0)

// NR_OPEN is fs.nr_open, the ceiling of RLIMIT_NOFILE's hard limit
// (sysctl_nr_open's default in fs/file.c, 1024*1024).
const NR_OPEN = 1 << 20

// INR_OPEN_CUR and INR_OPEN_MAX are the soft and hard RLIMIT_NOFILE
// every task starts with, as init gets them (include/asm-generic/
// resource.h, INIT_RLIMITS); Fork copies the parent's. RLIMIT_FSIZE
// starts as RLIM_INFINITY for both.
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

// rlimit returns the task's limit of resource, nil for one the VFS
// does not enforce.
func (t *Task) rlimit(resource int) *Rlimit {
	switch resource {
	case RLIMIT_NOFILE:
		return &t.rlimNofile
	case RLIMIT_FSIZE:
		return &t.rlimFsize
	}
	return nil
}

// Getrlimit is getrlimit(2).
//
// Errors: EINVAL for a resource other than RLIMIT_NOFILE and
// RLIMIT_FSIZE (the limits the VFS enforces; the others belong to the
// host).
func (t *Task) Getrlimit(resource int) (Rlimit, error) {
	r := t.rlimit(resource)
	if r == nil {
		return Rlimit{}, EINVAL
	}
	return *r, nil
}

// Setrlimit is setrlimit(2) of the task's own limit, as do_prlimit in
// kernel/sys.c checks it: a soft limit above the hard one is EINVAL; a
// hard RLIMIT_NOFILE above NR_OPEN is EPERM; raising the hard limit
// needs CAP_SYS_RESOURCE (uid 0 here), else EPERM. Lowering the soft
// RLIMIT_NOFILE below a descriptor already open closes nothing; only
// new descriptors are bounded by it. Lowering RLIMIT_FSIZE below a
// file's size shrinks nothing; the file may not grow (InodeNewsizeOk,
// GenericFileWriteLocked).
//
// Errors: EINVAL also for a resource other than RLIMIT_NOFILE and
// RLIMIT_FSIZE.
func (t *Task) Setrlimit(resource int, lim Rlimit) error {
	r := t.rlimit(resource)
	if r == nil {
		return EINVAL
	}
	if lim.Cur > lim.Max {
		return EINVAL
	}
	if resource == RLIMIT_NOFILE && lim.Max > NR_OPEN {
		return EPERM
	}
	if lim.Max > r.Max && !t.cred.capable() {
		return EPERM
	}
	*r = lim
	return nil
}
