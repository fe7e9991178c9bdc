package vfs

// The lock-free walk (RCU-walk of path-lookup.rst). It takes no lock and
// no reference and writes nothing shared: each step reads a dentry's d_seq
// before trusting what it read of the dentry and checks it again after.
// Anything it cannot do that way (a dcache miss, a filesystem method that
// would block, a sequence that moved) returns errECHILD, and the whole
// walk starts again in ref-walk mode. In Go the garbage collector is the
// grace period: a dentry or inode a walker can still see is never freed
// under it.

// walkRCU is walk_component() in RCU mode: lookup_fast's
// __d_lookup_rcu, then step_into.
func (nd *nameidata) walkRCU(q QStr, follow, more bool) (string, error) {
	t := nd.t
	parent := nd.path.Dentry
	d, seq := dLookupRCU(t, parent, &q)
	if d == nil {
		return "", errECHILD
	}
	// The parent must not have changed since the walk stood on it: the
	// child found must really be its child now.
	if parent.seq.Retry(nd.seq) {
		return "", errECHILD
	}
	mnt := nd.path.Mnt
	if f := d.flags.Load(); f&(DCACHE_OP_REVALIDATE|DCACHE_MOUNTED|DCACHE_NEED_AUTOMOUNT|DCACHE_MANAGE_TRANSIT) != 0 {
		if f&DCACHE_OP_REVALIDATE != 0 {
			ok, err := t.dopRevalidate(d, nd.flags)
			if err != nil {
				return "", err
			}
			if ok <= 0 {
				return "", errECHILD
			}
		}
		var err error
		if d, mnt, seq, err = nd.followMountsRCU(d, mnt, seq); err != nil {
			return "", err
		}
	}
	inode := d.inode.Load()
	if d.seq.Retry(seq) {
		return "", errECHILD
	}
	if inode == nil {
		return "", ENOENT
	}
	if IsLnk(inode.mode.Load()) && (follow || more) {
		body, err := nd.getLink(Path{mnt, d}, inode)
		if err != nil {
			return "", err
		}
		if d.seq.Retry(seq) {
			return "", errECHILD
		}
		return body, nil
	}
	nd.path = Path{mnt, d}
	nd.seq = seq
	nd.inode = inode
	return "", nil
}

// followMountsRCU is __follow_mount_rcu(): cross every mount stacked on
// d, however many (a stack of mounts is finite, and the mount_lock check
// after each step ends the loop if the tree changes); managed and
// automount dentries need ref-walk.
func (nd *nameidata) followMountsRCU(d *Dentry, mnt *Mount, seq uint32) (*Dentry, *Mount, uint32, error) {
	v := nd.t.vfs
	for {
		f := d.flags.Load()
		if f&(DCACHE_MOUNTED|DCACHE_NEED_AUTOMOUNT|DCACHE_MANAGE_TRANSIT) == 0 {
			return d, mnt, seq, nil
		}
		if f&DCACHE_MANAGE_TRANSIT != 0 && d.op != nil && d.op.Manage != nil {
			if err := nd.t.dopManage(Path{mnt, d}, true); err != nil {
				return nil, nil, 0, err
			}
		}
		if f&DCACHE_MOUNTED != 0 {
			if m := v.lookupMnt(mnt, d); m != nil {
				mnt, d = m, m.root
				seq = d.seq.RawBegin()
				nd.jumped = true
				if v.mountLock.ReadRetry(nd.mseq) {
					return nil, nil, 0, errECHILD
				}
				continue
			}
		}
		if f&DCACHE_NEED_AUTOMOUNT != 0 {
			return nil, nil, 0, errECHILD
		}
		return d, mnt, seq, nil
	}
}

// followDotdotRCU is follow_dotdot_rcu() and its step_into: as
// followDotdot, reading without references. A BENEATH walk's EXDEV at
// the root is left to ref-walk, which reads the mount tree under its
// lock.
func (nd *nameidata) followDotdotRCU() error {
	v := nd.t.vfs
	var d *Dentry
	var seq uint32
	inRoot := nd.path.Dentry == nd.root.Dentry && nd.path.Mnt == nd.root.Mnt
	if !inRoot && nd.path.Dentry == nd.path.Mnt.root {
		p, ok := chooseMountpointRCU(nd.path.Mnt, nd.root)
		if ok {
			// Commit only on a real parent.
			nd.path = p
			nd.seq = p.Dentry.seq.RawBegin()
			if v.mountLock.ReadRetry(nd.mseq) {
				return errECHILD
			}
		}
		inRoot = !ok
	}
	if inRoot {
		if v.mountLock.ReadRetry(nd.mseq) || nd.flags&LOOKUP_BENEATH != 0 {
			return errECHILD
		}
		d, seq = nd.path.Dentry, nd.seq
	} else {
		old := nd.path.Dentry
		d = old.parent.Load()
		seq = d.seq.RawBegin()
		if old.seq.Retry(nd.seq) {
			return errECHILD
		}
		if !v.pathConnected(nd.t, nd.path.Mnt, d) {
			return errECHILD
		}
	}
	d, mnt, seq, err := nd.followMountsRCU(d, nd.path.Mnt, seq)
	if err != nil {
		return err
	}
	nd.path = Path{mnt, d}
	nd.seq = seq
	nd.inode = d.inode.Load()
	if d.seq.Retry(seq) {
		return errECHILD
	}
	return nil
}

// walkPlainRCU is link_path_walk's common case in RCU mode, in one loop
// that keeps the walk's position in registers: it steps over every
// component that is a plain name (not "." or "..", its parent without
// ->d_hash or ->d_compare) under a directory every user may search (no
// ->permission), found hashed in the dcache with a positive inode that
// is not a symlink, and with nothing to cross or revalidate (no
// DCACHE_MOUNTED, _NEED_AUTOMOUNT, _MANAGE_TRANSIT or _OP_REVALIDATE). The
// last component it leaves in nd.last (done), or, for walkToEnd
// (nd.stepLast), steps onto as well when it is plain (a symlink too
// when it is not to be followed) and reports done with LAST_ROOT. It
// stops before any component that is anything else, that fails a check
// or that holds a NUL byte, and returns the rest of name: linkPathWalk's
// general loop takes that component from the start (and gives the error,
// errECHILD included, that it calls for). Each step makes the checks of
// mayLookup and walkRCU, in their order, and stores nothing until the
// loop ends. Having reported done, it has read every byte of name: a
// caller that has not checked name for NUL bytes (statRCU) knows it
// holds none.
func (nd *nameidata) walkPlainRCU(name string) (rest string, done bool) {
	v := nd.t.vfs
	h := &v.dcache
	parent, pseq, dir := nd.path.Dentry, nd.seq, nd.inode
	if dir == nil {
		return name, false
	}
	// What a step read of the dentry and inode it reached serves the
	// next step, which stands on them: the flags (whose DCACHE_OP_*
	// bits never change once the dentry is visible, and whose type bits
	// d_seq validates with the inode) and the mode (one load standing
	// for walkRCU's and mayLookup's).
	pflags, mode := parent.flags.Load(), dir.mode.Load()
	stepped := false
	// name[i:] is what is left; the loop indexes name rather than
	// reslicing it, and calls nothing, so that the walk's state stays in
	// registers (Go's calls save none).
	i := 0
	for i < len(name) && name[i] == '/' {
		i++
	}
	left := i
	// Each step starts at a component (i < len(name), name[i] not a
	// slash): the previous step skipped the slashes after its own, and
	// stopped at the last component.
walk:
	for i < len(name) {
		left = i
		// may_lookup(): a directory with ->lookup and without
		// ->permission that everyone may search, whose names hash and
		// compare by default; all but the mode's search bits are in
		// the flags.
		if pflags&(DCACHE_ENTRY_TYPE|DCACHE_FASTPERM|DCACHE_OP_HASH|DCACHE_OP_COMPARE) != DCACHE_DIRECTORY_TYPE|DCACHE_FASTPERM ||
			mode&0o111 != 0o111 {
			break
		}
		// hash_name(), inlined, gathering the first 16 bytes as
		// nameWords does; a NUL byte ends the walk here.
		hash := v.hashSeed
		var w0, w1 uint64
		j := i
		for ; j < len(name); j++ {
			c := name[j]
			if c == '/' {
				break
			}
			if c == 0 {
				break walk
			}
			hash ^= uint32(c)
			hash *= 16777619
			if k := uint(j - i); k < 8 {
				w0 |= uint64(c) << (8 * k)
			} else if k < 16 {
				w1 |= uint64(c) << (8 * (k - 8))
			}
		}
		n := j - i
		if n > NAME_MAX || name[i] == '.' && (n == 1 || n == 2 && name[i+1] == '.') {
			break
		}
		next := j
		for next < len(name) && name[next] == '/' {
			next++
		}
		last := next == len(name)
		if last {
			// The last component: linkPathWalk's caller's, left in
			// nd.last as linkPathWalk leaves it, unless the caller
			// is walkToEnd (stepLast), for which it is stepped onto
			// below when it is plain (a symlink too, when it is not
			// to be followed).
			if nd.trailing = j != len(name); nd.trailing {
				nd.flags |= LOOKUP_FOLLOW | LOOKUP_DIRECTORY
			}
			if !nd.stepLast {
				nd.last, nd.lastType = QStr{Name: name[i:j], Hash: hash}, LAST_NORM
				nd.jumped = false // as walkToEnd's parse of a last normal component
				done = true
				break
			}
		}
		// __d_lookup_rcu() without ->d_compare (sameNameWords,
		// inlined): like Linux's, it trusts nothing it read until the
		// caller's check of the dentry's sequence below, after the
		// inode is read.
		hl := hashLen(hash, n)
		var d *Dentry
		var seq uint32
		for c := h.buckets[h.bucket(parent, hash)].Load(); c != nil; c = c.hashNext.Load() {
			s := c.seq.RawBegin()
			if c.hashLen.Load() != hl || c.parent.Load() != parent ||
				c.nameWords[0].Load() != w0 || c.nameWords[1].Load() != w1 ||
				n > 16 && !sameName(c.name.Load().Name, name[i:j]) {
				continue
			}
			d, seq = c, s
			break
		}
		if d == nil || parent.seq.Retry(pseq) {
			break
		}
		f := d.flags.Load()
		if f&(DCACHE_HASHED|DCACHE_OP_REVALIDATE|DCACHE_MOUNTED|DCACHE_NEED_AUTOMOUNT|DCACHE_MANAGE_TRANSIT) != DCACHE_HASHED {
			break
		}
		in := d.inode.Load()
		if in == nil {
			break
		}
		m := in.mode.Load()
		if d.seq.Retry(seq) || IsLnk(m) && (!last || nd.flags&LOOKUP_FOLLOW != 0) {
			break
		}
		parent, pseq, dir, pflags, mode = d, seq, in, f, m
		stepped = true
		i = next
		if last {
			// Stepped onto the last component as walkToEnd's
			// walkComponent would have: nothing is left to walk.
			nd.last, nd.lastType = QStr{}, LAST_ROOT
			done = true
			break
		}
	}
	if stepped {
		nd.path.Dentry, nd.seq, nd.inode = parent, pseq, dir
		nd.jumped = false
	}
	return name[left:], done
}
