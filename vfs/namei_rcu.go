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
// d; managed and automount dentries need ref-walk.
func (nd *nameidata) followMountsRCU(d *Dentry, mnt *Mount, seq uint32) (*Dentry, *Mount, uint32, error) {
	v := nd.t.vfs
	for i := 0; ; i++ {
		f := d.flags.Load()
		if f&(DCACHE_MOUNTED|DCACHE_NEED_AUTOMOUNT|DCACHE_MANAGE_TRANSIT) == 0 {
			return d, mnt, seq, nil
		}
		if i > MAXSYMLINKS {
			return nil, nil, 0, ELOOP
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

// followDotdotRCU is follow_dotdot_rcu().
func (nd *nameidata) followDotdotRCU() error {
	v := nd.t.vfs
	for {
		if nd.path.Dentry == nd.root.Dentry && nd.path.Mnt == nd.root.Mnt {
			return nil
		}
		if nd.path.Dentry != nd.path.Mnt.root {
			break
		}
		m := nd.path.Mnt
		parent := m.parent.Load()
		if parent == m {
			return nil
		}
		mp := m.mountpoint.Load()
		nd.path = Path{parent, mp}
		nd.seq = mp.seq.RawBegin()
		if v.mountLock.ReadRetry(nd.mseq) {
			return errECHILD
		}
	}
	old := nd.path.Dentry
	parent := old.parent.Load()
	seq := parent.seq.RawBegin()
	if old.seq.Retry(nd.seq) {
		return errECHILD
	}
	d, mnt, seq, err := nd.followMountsRCU(parent, nd.path.Mnt, seq)
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
