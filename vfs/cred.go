package vfs

// Cred is a task's filesystem credentials (the fs-relevant part of struct
// cred). A Cred is immutable once installed in a Task: changing identity
// installs a new one, as commit_creds does.
type Cred struct {
	UID, GID uint32   // fsuid and fsgid: used for every access check
	Groups   []uint32 // supplementary groups
}

// RootCred is the credentials of uid 0, which holds every capability.
var RootCred = &Cred{}

// Cred returns the task's credentials as the task sees them
// (current_cred): for the goroutine that drives the task only. Another
// goroutine asks TaskCred.
func (t *Task) Cred() *Cred { return t.cred }

// TaskCred returns the task's credentials for any goroutine
// (get_task_cred): the pointer SetCred last published. A VFS-internal
// task (the flusher's), which is not listed in Tasks and never changes
// its credentials, has root's.
func (t *Task) TaskCred() *Cred {
	if c := t.credRCU.Load(); c != nil {
		return c
	}
	return RootCred
}

// SetCred installs new credentials (commit_creds): the task's own copy,
// which its permission checks read without an atomic, then the pointer
// other goroutines read (rcu_assign_pointer). Called by the goroutine
// that drives the task; a Cred is never changed once installed.
func (t *Task) SetCred(c *Cred) {
	t.cred = c
	t.credRCU.Store(c)
}

// capable reports whether the credentials hold the capability that
// overrides a check. Only uid 0 holds capabilities: the VFS has no user
// namespaces and no capability sets, so CAP_DAC_OVERRIDE, CAP_FOWNER,
// CAP_CHOWN, CAP_FSETID and CAP_MKNOD all reduce to this test.
func (c *Cred) capable() bool { return c.UID == 0 }

// inGroup is in_group_p.
func (c *Cred) inGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// aclPermissionCheck is acl_permission_check() of fs/namei.c without ACLs:
// the owner, group or other bits decide. mask holds MAY_READ, MAY_WRITE and
// MAY_EXEC.
func (c *Cred) aclPermissionCheck(mode, uid, gid uint32, mask int) Errno {
	m := mode
	switch {
	case c.UID == uid:
		m >>= 6
	case c.inGroup(gid):
		m >>= 3
	}
	if int(m)&mask&(MAY_READ|MAY_WRITE|MAY_EXEC) == mask&(MAY_READ|MAY_WRITE|MAY_EXEC) {
		return 0
	}
	return EACCES
}

// genericPermission is generic_permission(): the mode bits, then the
// capability overrides (CAP_DAC_OVERRIDE: everything but exec of a file
// without any x bit; CAP_DAC_READ_SEARCH: read and directory search).
func (c *Cred) genericPermission(mode, uid, gid uint32, mask int) Errno {
	if c.aclPermissionCheck(mode, uid, gid, mask) == 0 {
		return 0
	}
	if c.capable() {
		if !IsDir(mode) && mask&MAY_EXEC != 0 && mode&0o111 == 0 {
			return EACCES
		}
		return 0
	}
	return EACCES
}

// ownerOrCapable is inode_owner_or_capable(): CAP_FOWNER or ownership.
func (c *Cred) ownerOrCapable(uid uint32) bool { return c.UID == uid || c.capable() }
