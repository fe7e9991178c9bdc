package vfs

import (
	"runtime"
	"strings"
)

// Lookup flags (LOOKUP_* of include/linux/namei.h).
const (
	LOOKUP_FOLLOW        = 0x0001
	LOOKUP_DIRECTORY     = 0x0002
	LOOKUP_AUTOMOUNT     = 0x0004
	LOOKUP_EMPTY         = 0x4000
	LOOKUP_DOWN          = 0x8000
	LOOKUP_PARENT        = 0x0010
	LOOKUP_REVAL         = 0x0020
	LOOKUP_RCU           = 0x0040
	LOOKUP_OPEN          = 0x0100
	LOOKUP_CREATE        = 0x0200
	LOOKUP_EXCL          = 0x0400
	LOOKUP_RENAME_TARGET = 0x0800
	// LOOKUP_MOUNTPOINT: the walk ends on the topmost mount stacked on
	// the position it reaches, even one reached without a step that
	// crosses mounts ("." or "/" under a mount): umount2's walk.
	LOOKUP_MOUNTPOINT = 0x0080
	// LOOKUP_BENEATH and LOOKUP_IN_ROOT are openat2's RESOLVE_BENEATH
	// and RESOLVE_IN_ROOT (Task.SetResolve): the walk never leaves the
	// directory it starts from; a path that would fails with EXDEV
	// (BENEATH), or treats that directory as its root (IN_ROOT: absolute
	// paths and symlinks start there, ".." there stays there).
	LOOKUP_BENEATH   = 0x080000
	LOOKUP_IN_ROOT   = 0x100000
	LOOKUP_IS_SCOPED = LOOKUP_BENEATH | LOOKUP_IN_ROOT
)

// Types of the last component (LAST_* of fs/namei.c).
const (
	LAST_NORM = iota
	LAST_ROOT
	LAST_DOT
	LAST_DOTDOT
)

// errECHILD asks a lock-free walk to start again in ref-walk mode. It
// never leaves this package.
const errECHILD Errno = 10

// nameidata is struct nameidata: the state of one path walk.
type nameidata struct {
	t     *Task
	flags uint32
	// path is where the walk stands. In ref-walk it holds references;
	// in RCU mode it holds none, and seq (the dentry's d_seq when it was
	// reached) together with mseq (mount_lock) vouch for it.
	path  Path
	inode *Inode
	seq   uint32
	mseq  uint32
	// rseq is rename_lock's sequence when a scoped walk began: a ".."
	// after a rename may stand outside the walk's root.
	rseq uint32
	// root is the task's root, whose references the task holds; for a
	// scoped walk, the directory the walk starts from (held by the
	// descriptor or the working directory it came from).
	root Path
	// jumped records that the walk reached its position by a jump
	// (".", "..", a mount root, an absolute symlink): ND_JUMPED.
	jumped bool
	// rootHeld says the walk holds references on root
	// (ND_ROOT_GRABBED): a scoped walk from a descriptor of a shared
	// table (walkInitShared). Dropped by terminate or dropRoot.
	rootHeld bool
	links    int // symlinks followed (total_link_count)

	last     QStr
	lastType int
	// trailing records a slash after the last component.
	trailing bool
	// stepLast says that the caller steps onto the last component
	// (walkToEnd), which walkPlainRCU may then do itself.
	stepLast bool
}

func (nd *nameidata) rcu() bool { return nd.flags&LOOKUP_RCU != 0 }

// walkInit is path_init(): choose the starting point.
func (t *Task) walkInit(nd *nameidata, dfd int, name string) error {
	nd.t = t
	nd.root = t.fs.root
	if nd.root.Mnt == nil {
		return ENOENT
	}
	nd.flags |= t.resolve
	// path_init sets ND_JUMPED for every walk, relative, by descriptor
	// or absolute: a walk that ends where it started (AT_EMPTY_PATH,
	// ".") revalidates that dentry with ->d_weak_revalidate.
	nd.jumped = true
	var start Path
	switch {
	case strings.HasPrefix(name, "/") && nd.flags&LOOKUP_IN_ROOT == 0:
		if nd.flags&LOOKUP_BENEATH != 0 {
			return EXDEV // nd_jump_root
		}
		start = nd.root
	case dfd == AT_FDCWD:
		start = t.fs.cwd
	default:
		// fdget_raw, light (fileLight): no reference unless the table
		// is shared. As path_init's, the lookup ends with this
		// function: in ref-walk the walk holds the path itself (below),
		// and in RCU mode it takes its own references when it leaves
		// that mode (legitimize, which sees a dentry killed meanwhile).
		f := t.fileFast(dfd)
		if f == nil {
			return t.walkInitShared(nd, dfd, name)
		}
		start = f.path
		if name != "" && !IsDir(start.Dentry.inode.Load().mode.Load()) {
			return ENOTDIR
		}
	}
	if nd.flags&LOOKUP_IS_SCOPED != 0 {
		// path_init's LOOKUP_IS_SCOPED: the start is the root ".."
		// must not climb above (and, for IN_ROOT, where an absolute
		// path starts), and the walk notes the sequences that a rename
		// or a mount change would move. The descriptor or the working
		// directory the walk starts from holds it: only the task
		// itself could drop either.
		nd.root = start
		nd.rseq = t.vfs.renameLock.ReadBeginBy(t.o)
		nd.mseq = t.vfs.mountLock.ReadBeginBy(t.o)
	}
	if nd.rcu() {
		nd.mseq = t.vfs.mountLock.ReadBeginBy(t.o)
		nd.path = start
		nd.seq = start.Dentry.seq.RawBegin()
		nd.inode = start.Dentry.inode.Load()
		return nil
	}
	nd.path = pathGetTask(t, start)
	nd.inode = start.Dentry.inode.Load()
	return nil
}

// walkInitShared is walkInit's start at a descriptor that fileFast did
// not give: EBADF for none, or a descriptor of a shared table
// (CloneFiles), which another task may close during the walk. The walk
// holds the file, referenced, only until this returns. A scoped walk's
// root is that start, so the walk takes references on it (path_init's
// ND_ROOT_GRABBED), dropped by terminate or dropRoot; vfscope grabs it
// in ref-walk only, so that such a walk in RCU mode returns errECHILD
// and is made again in ref-walk.
//
// Not inlined: walkInit is inlined into the lock-free stat (statRCU),
// whose budget it would take from the calls that matter there. Its tail
// is walkInit's written out again: as a helper of both, it was not
// inlined, and cost every walk a call under WebAssembly (a stat 11.3 to
// 12.3 calls, web/bench/calls.mjs).
//
//go:noinline
func (t *Task) walkInitShared(nd *nameidata, dfd int, name string) error {
	f, fl := t.fileSlow(dfd)
	if f == nil {
		return EBADF
	}
	defer t.fdputFlags(f, fl)
	start := f.path
	if name != "" && !IsDir(start.Dentry.inode.Load().mode.Load()) {
		return ENOTDIR
	}
	if nd.flags&LOOKUP_IS_SCOPED != 0 {
		if nd.rcu() {
			return errECHILD
		}
		nd.root = pathGetTask(t, start)
		nd.rootHeld = true
		nd.rseq = t.vfs.renameLock.ReadBeginBy(t.o)
		nd.mseq = t.vfs.mountLock.ReadBeginBy(t.o)
	}
	if nd.rcu() {
		nd.mseq = t.vfs.mountLock.ReadBeginBy(t.o)
		nd.path = start
		nd.seq = start.Dentry.seq.RawBegin()
		nd.inode = start.Dentry.inode.Load()
		return nil
	}
	nd.path = pathGetTask(t, start)
	nd.inode = start.Dentry.inode.Load()
	return nil
}

// terminate releases what the walk holds.
func (nd *nameidata) terminate() {
	if !nd.rcu() && nd.path.Mnt != nil {
		nd.path.Put(nd.t)
	}
	nd.path = Path{}
	nd.dropRoot()
}

// dropRoot releases the root a scoped walk took references on
// (walkInitShared), once nothing of the walk will climb to it again:
// terminate_walk's ND_ROOT_GRABBED.
func (nd *nameidata) dropRoot() {
	if nd.rootHeld {
		nd.rootHeld = false
		nd.root.Put(nd.t)
	}
}

// mayLookup is may_lookup(): search permission on the directory the walk
// stands on; ENOTDIR if it is not one.
func (nd *nameidata) mayLookup() error {
	in := nd.inode
	if in == nil {
		return ENOENT
	}
	if !in.isDir() || in.Ops == nil || in.Ops.Lookup == nil {
		return ENOTDIR
	}
	// Fast path: a directory everyone may search needs no more.
	if in.mode.Load()&0o111 == 0o111 && in.Ops.Permission == nil {
		return nil
	}
	if nd.rcu() {
		return nd.t.inodePermission(in, MAY_EXEC|MAY_NOT_BLOCK)
	}
	return nd.t.inodePermission(in, MAY_EXEC)
}

// linkPathWalk is link_path_walk(): walk every component of name but the
// last, following symlinks on the way; leave the last in nd.last.
func (nd *nameidata) linkPathWalk(name string) error {
	for {
		if nd.rcu() {
			var done bool
			if name, done = nd.walkPlainRCU(name); done {
				if !nd.stepLast {
					// Left the last component for the caller.
					nd.t.vfs.dcache.prefetchBucket(nd.path.Dentry, nd.last.Hash)
				}
				return nil
			}
		}
		for len(name) > 0 && name[0] == '/' {
			name = name[1:]
		}
		if name == "" {
			// Only slashes (or nothing) left: the path names the place
			// the walk stands on ("/" or "a/").
			nd.lastType = LAST_ROOT
			nd.last = QStr{}
			return nil
		}
		if err := nd.mayLookup(); err != nil {
			return err
		}
		// hash_name(): find the component's end and hash it in one pass.
		i, hash := nd.t.vfs.hashComponent(name)
		comp, rest := name[:i], name[i:]
		typ := LAST_NORM
		if comp[0] == '.' {
			switch comp {
			case ".":
				typ = LAST_DOT
			case "..":
				typ = LAST_DOTDOT
			}
		}
		q := QStr{Name: comp}
		if typ == LAST_NORM {
			q.Hash = hash
			parent := nd.path.Dentry
			if parent.flags.Load()&DCACHE_OP_HASH != 0 {
				hq := q // only this copy escapes into the method
				if err := nd.t.dopHash(parent, &hq); err != nil {
					return err
				}
				q = hq
			}
		}
		trimmed := rest
		for len(trimmed) > 0 && trimmed[0] == '/' {
			trimmed = trimmed[1:]
		}
		// A name too long for any directory fails as the lookup of it
		// would (->lookup's ENAMETOOLONG, d_alloc's here), so that the
		// last component, which the caller looks up after its own
		// checks (EXDEV, EBUSY, EROFS for rename), fails only then.
		if len(comp) > NAME_MAX && trimmed != "" {
			return ENAMETOOLONG
		}
		if trimmed == "" {
			if typ == LAST_DOTDOT {
				nd.jumped = true // link_path_walk's parse of ".."
			}
			if typ == LAST_NORM {
				nd.t.vfs.dcache.prefetchBucket(nd.path.Dentry, q.Hash)
				// link_path_walk clears ND_JUMPED at every normal
				// component, the last too: a parent walk ending
				// under a mount root does not revalidate the root.
				nd.jumped = false
			}
			nd.last, nd.lastType = q, typ
			nd.trailing = rest != ""
			if nd.trailing {
				nd.flags |= LOOKUP_FOLLOW | LOOKUP_DIRECTORY
			}
			return nil
		}
		body, err := nd.walkComponent(q, typ, true, true)
		if err != nil {
			return err
		}
		if body != "" {
			name = body + "/" + trimmed
			continue
		}
		name = trimmed
	}
}

// walkComponent is walk_component(): step onto the component q. If it
// is a symlink to follow, it returns the link body (the walk stands on
// the link's directory, or on the root for an absolute body) for the
// caller to walk on. more says that components follow.
func (nd *nameidata) walkComponent(q QStr, typ int, follow, more bool) (string, error) {
	if typ != LAST_NORM {
		// link_path_walk sets ND_JUMPED for ".." only; "." leaves it as
		// it was.
		if typ == LAST_DOTDOT {
			nd.jumped = true
			if nd.flags&LOOKUP_IS_SCOPED != 0 {
				return "", nd.followDotdotScoped()
			}
			return "", nd.followDotdot()
		}
		return "", nil
	}
	nd.jumped = false
	if nd.rcu() {
		return nd.walkRCU(q, follow, more)
	}
	d, err := nd.lookupFast(q)
	if err != nil {
		return "", err
	}
	if d == nil {
		if d, err = nd.lookupSlow(q); err != nil {
			return "", err
		}
	}
	return nd.stepInto(d, follow, more)
}

// lookupFast is lookup_fast() in ref-walk: the dcache, then
// ->d_revalidate.
func (nd *nameidata) lookupFast(q QStr) (*Dentry, error) {
	t := nd.t
	d := dLookup(t, nd.path.Dentry, &q)
	if d == nil {
		return nil, nil
	}
	if d.flags.Load()&DCACHE_OP_REVALIDATE != 0 {
		ok, err := t.dopRevalidate(d, nd.flags&^LOOKUP_RCU)
		if err != nil {
			dput(t, d)
			return nil, err
		}
		if ok == 0 {
			DInvalidate(t, d)
			dput(t, d)
			return nil, nil
		}
	}
	return d, nil
}

// lookupSlow is lookup_slow(): the directory's i_rwsem shared, then
// d_alloc_parallel and ->lookup.
func (nd *nameidata) lookupSlow(q QStr) (*Dentry, error) {
	t := nd.t
	dir := nd.path.Dentry
	inode := dir.inode.Load()
	inode.rwsem.RLock(t.o)
	defer inode.rwsem.RUnlock(t.o)
	return lookupSlowLocked(t, dir, inode, q, nd.flags&^LOOKUP_RCU)
}

// lookupSlowLocked looks q up under dir, whose i_rwsem the caller holds
// shared, with ->lookup on a miss (d_alloc_parallel coordinates the
// lookups of the same name that other holders of the lock may run).
func lookupSlowLocked(t *Task, dir *Dentry, inode *Inode, q QStr, flags uint32) (*Dentry, error) {
	if isDeadDir(inode) || inode.state.Load()&S_DEAD != 0 {
		return nil, ENOENT
	}
	d, inLookup, err := dAllocParallel(t, dir, &q)
	if err != nil {
		return nil, err
	}
	if !inLookup {
		ok, err := revalidateFound(t, d, flags)
		if err != nil || ok {
			return d, err
		}
		return lookupSlowLocked(t, dir, inode, q, flags)
	}
	res, err := t.iopLookup(inode, d, flags)
	dLookupDone(t, d)
	return lookupResult(t, d, res, err)
}

// lookupOneExcl is lookup_one_qstr_excl(): the caller holds dir's
// i_rwsem exclusive, so no other lookup can run in it and a miss calls
// ->lookup on a plain d_alloc.
func lookupOneExcl(t *Task, dir *Dentry, inode *Inode, q QStr, flags uint32) (*Dentry, error) {
	if isDeadDir(inode) || inode.state.Load()&S_DEAD != 0 {
		return nil, ENOENT
	}
	for {
		d := dLookup(t, dir, &q)
		if d == nil {
			break
		}
		ok, err := revalidateFound(t, d, flags)
		if err != nil || ok {
			return d, err
		}
	}
	d, err := dAlloc(t, dir.sb, dir, q)
	if err != nil {
		return nil, err
	}
	res, err := t.iopLookup(inode, d, flags)
	return lookupResult(t, d, res, err)
}

// revalidateFound runs ->d_revalidate on a dentry the dcache gave; false
// means it was invalidated (and put) and the name must be looked up again.
func revalidateFound(t *Task, d *Dentry, flags uint32) (bool, error) {
	if d.flags.Load()&DCACHE_OP_REVALIDATE == 0 {
		return true, nil
	}
	ok, err := t.dopRevalidate(d, flags)
	if err != nil {
		dput(t, d)
		return false, err
	}
	if ok == 0 {
		DInvalidate(t, d)
		dput(t, d)
		return false, nil
	}
	return true, nil
}

// lookupResult finishes a ->lookup: the dentry the method returned, or
// d itself, hashed negative if the method left it alone (d_add NULL).
func lookupResult(t *Task, d, res *Dentry, err error) (*Dentry, error) {
	if err == nil && res == nil && !d.hashed() {
		dRehash(t, d)
	}
	if err != nil {
		dput(t, d)
		return nil, err
	}
	if res != nil {
		dput(t, d)
		return res, nil
	}
	return d, nil
}

// stepInto is step_into(): cross mounts, then follow a symlink or stand
// on the dentry. It consumes the reference on d.
func (nd *nameidata) stepInto(d *Dentry, follow, more bool) (string, error) {
	t := nd.t
	p := Path{nd.path.Mnt, d}
	mntget(p.Mnt)
	flags := nd.flags
	if more {
		flags |= LOOKUP_PARENT
	}
	p, err := nd.followManaged(p, flags)
	if err != nil {
		return "", err
	}
	inode := p.Dentry.inode.Load()
	if inode == nil {
		p.Put(t)
		return "", ENOENT
	}
	if IsLnk(inode.mode.Load()) && (follow || more) {
		body, err := nd.getLink(p, inode)
		if err != nil {
			p.Put(t)
			return "", err
		}
		p.Put(t)
		return body, nil
	}
	nd.path.Put(t)
	nd.path = p
	nd.inode = inode
	return "", nil
}

// followManaged is follow_managed(): ->d_manage, mounts, automounts, as
// long as any applies. It consumes and returns a referenced path. A walk
// uses nd.followManaged, which also records a crossing as a jump.
func (t *Task) followManaged(p Path, flags uint32) (Path, error) {
	p, _, err := t.traverseMounts(p, flags, nil)
	return p, err
}

// followManaged is Task.followManaged for a walk: a mount crossed (or
// automounted) makes the position one reached by a jump, as
// handle_mounts sets ND_JUMPED when traverse_mounts says it jumped, so
// that completeWalk runs ->d_weak_revalidate on a mount root reached in
// ref-walk mode as the lock-free walk does.
func (nd *nameidata) followManaged(p Path, flags uint32) (Path, error) {
	p, jumped, err := nd.t.traverseMounts(p, flags, &nd.links)
	if jumped {
		nd.jumped = true
	}
	return p, err
}

// traverseMounts is traverse_mounts(): followManaged's loop, also
// reporting whether it crossed onto another mount. Mounts stacked on
// one directory are crossed however many there are, as
// __traverse_mounts does; only an automount counts, against links (a
// walk's total of symlinks followed, nd->total_link_count; nil outside
// a walk), so that automounts that keep answering with another
// automount point end in ELOOP.
func (t *Task) traverseMounts(p Path, flags uint32, links *int) (Path, bool, error) {
	jumped := false
	for {
		f := p.Dentry.flags.Load()
		if f&(DCACHE_MOUNTED|DCACHE_NEED_AUTOMOUNT|DCACHE_MANAGE_TRANSIT) == 0 {
			return p, jumped, nil
		}
		if f&DCACHE_MANAGE_TRANSIT != 0 && p.Dentry.op != nil && p.Dentry.op.Manage != nil {
			if err := t.dopManage(p, false); err != nil {
				p.Put(t)
				return Path{}, false, err
			}
		}
		if f&DCACHE_MOUNTED != 0 {
			if m := t.vfs.lookupMntGet(t, p.Mnt, p.Dentry); m != nil {
				np := Path{m, dgetTask(t, m.root)}
				p.Put(t)
				p = np
				jumped = true
				continue
			}
		}
		// follow_automount(): the last component is automounted only
		// when the walk means to use it as a directory or open it; a
		// stat of the automount point itself leaves it alone.
		if f&DCACHE_NEED_AUTOMOUNT != 0 && flags&(LOOKUP_PARENT|LOOKUP_DIRECTORY|LOOKUP_OPEN|LOOKUP_CREATE|LOOKUP_AUTOMOUNT) == 0 && p.Dentry.inode.Load() != nil {
			return p, jumped, nil
		}
		if f&DCACHE_NEED_AUTOMOUNT != 0 && p.Dentry.op != nil && p.Dentry.op.Automount != nil {
			// follow_automount's (*count)++ >= MAXSYMLINKS.
			if links != nil {
				if *links >= MAXSYMLINKS {
					p.Put(t)
					return Path{}, false, ELOOP
				}
				*links++
			}
			np, err := t.followAutomount(p)
			if err != nil {
				p.Put(t)
				return Path{}, false, err
			}
			if np == p {
				return p, jumped, nil
			}
			p.Put(t)
			p = np
			jumped = true
			continue
		}
		return p, jumped, nil
	}
}

// followAutomount is follow_automount(): ask ->d_automount for a mount
// and attach it (finish_automount); a racing automount wins harmlessly.
func (t *Task) followAutomount(p Path) (Path, error) {
	m, err := t.dopAutomount(p)
	if err != nil {
		return Path{}, err
	}
	if m == nil {
		return p, nil
	}
	v := t.vfs
	v.namespaceSem.Lock(t.o)
	if other := v.lookupMnt(p.Mnt, p.Dentry); other != nil {
		np := pathGetTask(t, Path{other, other.root})
		v.namespaceSem.Unlock(t.o)
		m.doomed.Store(true)
		mntget(m)
		mntput(t, m)
		return np, nil
	}
	v.attachMount(t, m, p.Mnt, p.Dentry)
	v.namespaceSem.Unlock(t.o)
	return pathGetTask(t, Path{m, m.root}), nil
}

// getLink is pick_link(): count the link, check that the mount allows
// following, and get the body. A ->get_link that jumps (NdJumpLink)
// leaves the walk standing on the link's target and gives no body: ""
// with no error, which the callers take as "stand where the walk is".
func (nd *nameidata) getLink(p Path, inode *Inode) (string, error) {
	nd.links++
	if nd.links > MAXSYMLINKS {
		return "", ELOOP
	}
	var body string
	var err error
	switch {
	case inode.Link != "":
		body = inode.Link
	case inode.Ops != nil && inode.Ops.GetLink != nil:
		d := p.Dentry
		if nd.rcu() {
			d = nil // ->get_link in RCU mode gets no dentry
		}
		t := nd.t
		outer := t.jump
		t.jump = linkJump{armed: !nd.rcu()}
		body, err = t.iopGetLink(d, inode)
		to := t.jump.to
		t.jump = outer
		if to.Mnt != nil {
			if err == nil && nd.flags&LOOKUP_IS_SCOPED != 0 {
				err = EXDEV // nd_jump_link: "not currently safe for scoped lookups"
			}
			if err != nil {
				to.Put(t)
				return "", err
			}
			// nd_jump_link, then pick_link's all_done: the walk
			// stands on the link's target and has no body to walk.
			nd.path.Put(t)
			nd.path = to
			nd.inode = to.Dentry.inode.Load()
			nd.jumped = true
			return "", nil
		}
	default:
		return "", EINVAL
	}
	if err != nil {
		return "", err
	}
	if body == "" {
		return "", ENOENT
	}
	if body[0] == '/' {
		if nd.flags&LOOKUP_BENEATH != 0 {
			return "", EXDEV // nd_jump_root
		}
		if nd.rcu() {
			nd.path = nd.root
			nd.seq = nd.root.Dentry.seq.RawBegin()
		} else {
			nd.path.Put(nd.t)
			nd.path = pathGetTask(nd.t, nd.root)
		}
		nd.inode = nd.root.Dentry.inode.Load()
		nd.jumped = true
	}
	return body, nil
}

// linkJump is what a walk in ref-walk mode lends its ->get_link
// (Linux reaches the walk through current->nameidata; here the walk
// copies the result into itself when the method returns, so that no
// pointer to the nameidata, which lives on the stack, is kept).
type linkJump struct {
	armed bool // a ref-walk's ->get_link runs
	to    Path // where NdJumpLink sent the walk, with its references
}

// NdJumpLink is nd_jump_link(), for a ->get_link whose link names an
// object rather than a text (procfs's /proc/<pid>/fd/N, cwd and root):
// the walk that called the method continues from p itself, even if p
// is unlinked or outside the reader's root, as Linux's magic links do.
// It consumes the reference on p; the method then returns "" and the
// error NdJumpLink gave. It is for ref-walk only (the method gets a
// dentry): called outside a walk's ->get_link, in RCU mode, or twice,
// it gives EINVAL and leaves the walk alone.
func (t *Task) NdJumpLink(p Path) error {
	j := &t.jump
	if !j.armed || j.to.Mnt != nil || p.Mnt == nil {
		if p.Mnt != nil {
			p.Put(t)
		}
		return EINVAL
	}
	j.to = p
	return nil
}

// followDotdotScoped is handle_dots' ".." for a scoped walk: the step
// (EXDEV at the root for LOOKUP_BENEATH, no step there for
// LOOKUP_IN_ROOT: followDotdot's in_root), after which a rename or a
// mount change since the walk began may have taken it outside the root:
// Linux then fails with EAGAIN; here the RCU walk starts again in
// ref-walk, which looks (path_is_under) and fails with EXDEV only if the
// walk did leave.
func (nd *nameidata) followDotdotScoped() error {
	if err := nd.followDotdot(); err != nil {
		return err
	}
	return nd.checkUnderRoot()
}

// inRoot is follow_dotdot's in_root: ".." at the walk's root, or at
// the root of a mount whose way up (choose_mountpoint) passes through
// it, does not move; a LOOKUP_BENEATH walk fails there with EXDEV.
func (nd *nameidata) inRoot() error {
	if nd.flags&LOOKUP_BENEATH != 0 {
		return EXDEV
	}
	return nil
}

// checkUnderRoot is a scoped walk's check that it still stands under its
// root: nothing to look at without a rename or a mount change since the
// walk began (its own checks stand); else EXDEV if path_is_under says it
// left, or, in RCU mode, errECHILD for ref-walk to look.
func (nd *nameidata) checkUnderRoot() error {
	v := nd.t.vfs
	if !v.renameLock.ReadRetry(nd.rseq) && !v.mountLock.ReadRetry(nd.mseq) {
		return nil
	}
	if nd.rcu() {
		return errECHILD
	}
	if !v.pathIsUnder(nd.t, nd.path, nd.root) {
		return EXDEV
	}
	return nil
}

// pathIsUnder is path_is_under(): whether p lies in the tree below
// root, across mounts, as a snapshot under rename_lock and mount_lock.
func (v *VFS) pathIsUnder(t *Task, p, root Path) bool {
	for {
		mseq := v.mountLock.ReadBeginBy(t.o)
		rseq := v.renameLock.ReadBeginBy(t.o)
		under := false
		m, d := p.Mnt, p.Dentry
		for {
			if m == root.Mnt {
				under = IsAncestor(d, root.Dentry)
				break
			}
			parent := m.parent.Load()
			if parent == m {
				break
			}
			m, d = parent, m.mountpoint.Load()
		}
		if !v.renameLock.ReadRetry(rseq) && !v.mountLock.ReadRetry(mseq) {
			return under
		}
		runtime.Gosched()
	}
}

// followDotdot is follow_dotdot() and its step_into (ref-walk; RCU has
// its own): never above the root, up across mount roots
// (choose_mountpoint), then down any mounts on where it lands. At the
// root (the walk's, or one that choose_mountpoint meets on the way up)
// it stays where it is, and crosses the mounts stacked there, as
// step_into does with the dentry follow_dotdot returns in that case: in
// a chroot, ".." of "/" is the root of a mount made on "/".
func (nd *nameidata) followDotdot() error {
	if nd.rcu() {
		return nd.followDotdotRCU()
	}
	t := nd.t
	var d *Dentry
	switch {
	case nd.path.Dentry == nd.root.Dentry && nd.path.Mnt == nd.root.Mnt:
		if err := nd.inRoot(); err != nil {
			return err
		}
		d = dgetTask(t, nd.path.Dentry)
	case nd.path.Dentry == nd.path.Mnt.root:
		np, ok := t.vfs.chooseMountpoint(t, nd.path.Mnt, nd.root)
		if !ok {
			if err := nd.inRoot(); err != nil {
				return err
			}
			d = dgetTask(t, nd.path.Dentry)
			break
		}
		nd.path.Put(t)
		nd.path = np
		fallthrough
	default:
		cur := nd.path.Dentry
		o := t.o
		cur.lock.Lock(o)
		d = dgetTask(t, cur.parent.Load())
		cur.lock.Unlock(o)
		if !t.vfs.pathConnected(t, nd.path.Mnt, d) {
			dput(t, d)
			return ENOENT
		}
	}
	np := Path{mntget(nd.path.Mnt), d}
	nd.path.Put(t)
	np, err := nd.followManaged(np, nd.flags)
	if err != nil {
		nd.path = Path{}
		return err
	}
	nd.path = np
	nd.inode = np.Dentry.inode.Load()
	return nil
}

// lastOnParent makes nnd what a walk to a parent with flags would give
// for a path that names nd's parent alike (nd being such a finished
// walk, in ref-walk mode) and ends in last, a last component with any
// trailing slashes: it stands where nd stands, sharing nd's references,
// and takes last as linkPathWalk takes a last component (may_lookup on
// the parent, hashing, ".", "..", trailing slashes; a name over
// NAME_MAX fails at its lookup).
func (nd *nameidata) lastOnParent(nnd *nameidata, last string, flags uint32) error {
	*nnd = nameidata{
		t:      nd.t,
		flags:  flags | LOOKUP_PARENT,
		path:   nd.path,
		inode:  nd.inode,
		root:   nd.root,
		jumped: nd.jumped,
		links:  nd.links,
	}
	return nnd.linkPathWalk(last)
}

// pathLookup is filename_lookup(): resolve name to a referenced path,
// lock-free first, in ref-walk mode if that cannot finish, and once more
// with LOOKUP_REVAL if the walk met a stale dentry (ESTALE from a
// ->lookup, ->d_weak_revalidate or d_splice_alias), so that every
// dentry of the path is revalidated with the filesystem.
func (t *Task) pathLookup(dfd int, name string, flags uint32) (Path, error) {
	if err := checkName(name, flags); err != nil {
		return Path{}, err
	}
	p, err := t.pathLookupOnce(dfd, name, flags)
	if err == ESTALE {
		p, err = t.pathLookupOnce(dfd, name, flags|LOOKUP_REVAL)
	}
	return p, err
}

// pathLookupOnce is one try of filename_lookup(), lock-free first, in
// ref-walk mode if that cannot finish (LOOKUP_REVAL walks in ref-walk
// mode only), for a name checkName has passed. path_openat makes its
// walk so, and do_filp_open retries the whole open on ESTALE.
func (t *Task) pathLookupOnce(dfd int, name string, flags uint32) (Path, error) {
	if flags&LOOKUP_REVAL == 0 {
		p, err := t.pathLookupAt(dfd, name, flags|LOOKUP_RCU)
		if err != errECHILD {
			return p, err
		}
	}
	return t.pathLookupAt(dfd, name, flags&^LOOKUP_RCU)
}

// checkName is getname()'s checks of a path: its length, NUL bytes,
// emptiness, in that order.
func checkName(name string, flags uint32) error {
	if len(name) >= PATH_MAX {
		return ENAMETOOLONG
	}
	if err := checkNameNUL(name); err != nil {
		return err
	}
	return checkNameEmpty(name, flags)
}

// checkNameNUL refuses a NUL byte. A Linux path is a C string: a NUL
// byte cannot be part of a name. Front ends that pass lengths (WASI,
// JavaScript) would otherwise make one; refuse it as Go's and wazero's
// syscall layers do.
func checkNameNUL(name string) error {
	if strings.IndexByte(name, 0) >= 0 {
		return EINVAL
	}
	return nil
}

// checkNameEmpty refuses an empty name unless LOOKUP_EMPTY allows it.
func checkNameEmpty(name string, flags uint32) error {
	if name == "" && flags&LOOKUP_EMPTY == 0 {
		return ENOENT
	}
	return nil
}

// pathLookupAt is path_lookupat().
func (t *Task) pathLookupAt(dfd int, name string, flags uint32) (Path, error) {
	nd := nameidata{flags: flags}
	if err := t.walkInit(&nd, dfd, name); err != nil {
		return Path{}, err
	}
	err := nd.walkToEnd(name)
	if err == nil && nd.flags&LOOKUP_MOUNTPOINT != 0 {
		err = nd.lookupDown()
		nd.jumped = false // no ->d_weak_revalidate, as path_lookupat
	}
	if err == nil {
		err = nd.completeWalk()
	}
	if err != nil {
		nd.terminate()
		return Path{}, err
	}
	nd.dropRoot()
	return nd.path, nil
}

// lookupDown is handle_lookup_down(): step_into the position the walk
// stands on without following a symlink, which crosses every mount
// stacked on it.
func (nd *nameidata) lookupDown() error {
	if !nd.rcu() {
		_, err := nd.stepInto(dgetTask(nd.t, nd.path.Dentry), false, false)
		return err
	}
	d, mnt, seq, err := nd.followMountsRCU(nd.path.Dentry, nd.path.Mnt, nd.seq)
	if err != nil {
		return err
	}
	inode := d.inode.Load()
	if d.seq.Retry(seq) {
		return errECHILD
	}
	if inode == nil {
		return ENOENT
	}
	nd.path = Path{mnt, d}
	nd.seq = seq
	nd.inode = inode
	return nil
}

// walkToEnd walks name and its last component (lookup_last), following
// a trailing symlink if LOOKUP_FOLLOW says so.
func (nd *nameidata) walkToEnd(name string) error {
	nd.stepLast = true
	for {
		if err := nd.linkPathWalk(name); err != nil {
			return err
		}
		if nd.lastType == LAST_ROOT {
			break
		}
		body, err := nd.walkComponent(nd.last, nd.lastType, nd.flags&LOOKUP_FOLLOW != 0, false)
		if err != nil {
			return err
		}
		if body == "" {
			break
		}
		if nd.trailing {
			body += "/"
		}
		name = body
	}
	if nd.flags&LOOKUP_DIRECTORY != 0 && !nd.inode.isDir() {
		return ENOTDIR
	}
	return nil
}

// completeWalk is complete_walk(): leave RCU mode (legitimize the final
// path), check that a scoped walk ends under its root, and run
// ->d_weak_revalidate on a position reached by a jump.
func (nd *nameidata) completeWalk() error {
	if nd.rcu() {
		if !nd.legitimize() {
			return errECHILD
		}
	}
	if nd.flags&LOOKUP_IS_SCOPED != 0 {
		// complete_walk's final path_is_under: a rename may have moved a
		// directory the walk went down through out of the root.
		if err := nd.checkUnderRoot(); err != nil {
			return err
		}
	}
	d := nd.path.Dentry
	if nd.jumped && d.flags.Load()&DCACHE_OP_WEAK_REVALIDATE != 0 {
		ok, err := nd.t.dopWeakRevalidate(d, nd.flags)
		if err != nil {
			return err
		}
		if ok == 0 {
			return ESTALE
		}
	}
	return nil
}

// legitimize is try_to_unlazy(): take references on what the lock-free
// walk reached and check that nothing it relied on changed. On success
// the walk is in ref-walk mode.
func (nd *nameidata) legitimize() bool {
	v := nd.t.vfs
	p := nd.path
	if !v.legitimizeMnt(nd.t, p.Mnt, nd.mseq) {
		return false
	}
	if !dgetNotDead(nd.t, p.Dentry) {
		mntput(nd.t, p.Mnt)
		return false
	}
	if p.Dentry.seq.Retry(nd.seq) {
		p.Put(nd.t)
		return false
	}
	nd.flags &^= LOOKUP_RCU
	return true
}

// pathParent is filename_parentat(): walk to the parent of the last
// component; the caller handles the last (create, unlink, rename...).
// walkParent is the same into the caller's nameidata, which a walk
// fills in place rather than returning (a nameidata is 15 words, copied
// at every return).
func (t *Task) pathParent(dfd int, name string, flags uint32) (nameidata, error) {
	var nd nameidata
	err := t.walkParent(&nd, dfd, name, flags)
	return nd, err
}

// pathParentChecked is pathParent for a name checkName has passed.
func (t *Task) pathParentChecked(dfd int, name string, flags uint32) (nameidata, error) {
	var nd nameidata
	err := t.walkParentChecked(&nd, dfd, name, flags)
	return nd, err
}

// walkParent is pathParent into nd. On an error nd holds nothing.
func (t *Task) walkParent(nd *nameidata, dfd int, name string, flags uint32) error {
	if err := checkName(name, flags); err != nil {
		*nd = nameidata{}
		return err
	}
	return t.walkParentChecked(nd, dfd, name, flags)
}

// walkParentChecked is walkParent for a name checkName has passed:
// filename_parentat(), which walks once more with LOOKUP_REVAL if the
// walk met a stale dentry, as pathLookup does.
func (t *Task) walkParentChecked(nd *nameidata, dfd int, name string, flags uint32) error {
	err := t.walkParentOnce(nd, dfd, name, flags)
	if err == ESTALE {
		err = t.walkParentOnce(nd, dfd, name, flags|LOOKUP_REVAL)
	}
	return err
}

// walkParentOnce is one try of filename_parentat(): lock-free first,
// in ref-walk mode if that cannot finish. On an error nd holds nothing.
func (t *Task) walkParentOnce(nd *nameidata, dfd int, name string, flags uint32) error {
	if flags&LOOKUP_REVAL == 0 {
		err := t.pathParentAt(nd, dfd, name, flags|LOOKUP_RCU)
		if err != errECHILD {
			return err
		}
	}
	return t.pathParentAt(nd, dfd, name, flags&^LOOKUP_RCU)
}

// pathParentAt is path_parentat(): one walk, lock-free or ref-walk,
// into nd. On an error nd holds nothing.
func (t *Task) pathParentAt(nd *nameidata, dfd int, name string, flags uint32) error {
	*nd = nameidata{flags: flags | LOOKUP_PARENT}
	if err := t.walkInit(nd, dfd, name); err != nil {
		*nd = nameidata{}
		return err
	}
	err := nd.linkPathWalk(name)
	if err == nil {
		err = nd.completeWalk()
	}
	if err != nil {
		nd.terminate()
		*nd = nameidata{}
		return err
	}
	return nil
}

// pathGetTask is path_get (Path.Get) with the task its dentry.count
// event names.
func pathGetTask(t *Task, p Path) Path {
	mntget(p.Mnt)
	dgetTask(t, p.Dentry)
	return p
}

// mntgetNotDead takes a reference on a mount that a read without
// namespaceSem found (the mount table, a parent pointer) unless its last
// reference is gone: an attached mount holds one for the tree, so a count
// of 0 (with or without the MNT_EXPIRE mark, see refs) means umount let
// go of it and the final mntput has run or is running. Taking that count
// 0->1 would run the release a second time at the matching put; Linux's
// __legitimize_mnt avoids it by giving such a count back with
// mnt_add_count(mnt, -1) once it sees MNT_DOOMED, which the final
// mntput_no_expire sets. Refusing the increment is the same outcome
// without a lock on every put.
func mntgetNotDead(m *Mount) bool {
	for {
		c := m.count.Load()
		if noRefs(c) {
			return false
		}
		if m.count.CompareAndSwap(c, c+1) {
			return true
		}
	}
}

// legitimizeMnt is legitimize_mnt(): a reference on m, found by a read
// of the mount tree that started at mount_lock sequence seq, if that read
// still holds (no attach or detach since, m not doomed). A reference
// taken on a mount that then fails the check is a real one and goes back
// with mntput, which may be the last (Linux: "caller will mntput()").
func (v *VFS) legitimizeMnt(t *Task, m *Mount, seq uint32) bool {
	if !mntgetNotDead(m) {
		return false
	}
	if v.mountLock.ReadRetry(seq) || m.doomed.Load() {
		mntput(t, m)
		return false
	}
	return true
}

// lookupMntGet is lookup_mnt(): the mount on (parent, d) with a
// reference, or nil, read without namespaceSem; the read is retried
// while a mount or umount moved mount_lock's sequence under it.
func (v *VFS) lookupMntGet(t *Task, parent *Mount, d *Dentry) *Mount {
	for {
		seq := v.mountLock.ReadBeginBy(t.o)
		m := v.lookupMnt(parent, d)
		if m == nil {
			if !v.mountLock.ReadRetry(seq) {
				return nil
			}
		} else if v.legitimizeMnt(t, m, seq) {
			return m
		}
		runtime.Gosched()
	}
}

// chooseMountpointRCU is choose_mountpoint_rcu(): from the root of m,
// up to the first mountpoint that is not itself a mount's root (over a
// stack of mounts on one directory); false if the climb meets root, or
// the namespace's or a detached tree's top, first. A lock-free read:
// the caller validates it against mount_lock's sequence.
func chooseMountpointRCU(m *Mount, root Path) (Path, bool) {
	for {
		parent := m.parent.Load()
		if parent == m {
			return Path{}, false
		}
		mp := m.mountpoint.Load()
		m = parent
		if mp == root.Dentry && m == root.Mnt {
			return Path{}, false
		}
		if mp != m.root {
			return Path{m, mp}, true
		}
	}
}

// chooseMountpoint is choose_mountpoint(): chooseMountpointRCU with
// references (__legitimize_path), retried while mount_lock's sequence
// moves. The parent mount's reference is taken only while it is alive
// (a racing umount -l drops the child's reference on it), and the
// mountpoint's before the sequence is checked: a mount between m and it
// in a stack, which holds it, may be unmounted at any time.
func (v *VFS) chooseMountpoint(t *Task, m *Mount, root Path) (Path, bool) {
	for {
		seq := v.mountLock.ReadBeginBy(t.o)
		p, found := chooseMountpointRCU(m, root)
		if !found {
			if !v.mountLock.ReadRetry(seq) {
				return Path{}, false
			}
		} else if v.legitimizeMnt(t, p.Mnt, seq) {
			if dgetNotDead(t, p.Dentry) {
				if !v.mountLock.ReadRetry(seq) {
					return p, true
				}
				dput(t, p.Dentry)
			}
			mntput(t, p.Mnt)
		}
		runtime.Gosched()
	}
}

// pathConnected is path_connected(): whether d, reached by ".." in mnt,
// is still below mnt's root. Only a mount of a subtree (a bind mount)
// can fail it: a directory renamed out from under the mount's root
// leaves ".." above it, and following it would walk out of the bind
// mount, or out of a chroot built on one (CVE-2015-2925; fs/namei.c
// follow_dotdot returns ENOENT, follow_dotdot_rcu ECHILD). is_subdir
// reads the ancestry under rename_lock's sequence. A mount of a whole
// tree (mnt_root == s_root) is the one whose root is its own parent; that
// test reads only the root dentry, which the mount keeps, not s_root,
// which a lock-free walk may see cleared by a dying superblock.
func (v *VFS) pathConnected(t *Task, mnt *Mount, d *Dentry) bool {
	if mnt.root.IsRoot() {
		return true
	}
	for {
		seq := v.renameLock.ReadBeginBy(t.o)
		ok := IsAncestor(d, mnt.root)
		if !v.renameLock.ReadRetry(seq) {
			return ok
		}
		runtime.Gosched()
	}
}
