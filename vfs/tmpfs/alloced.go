package tmpfs

import "github.com/vfscope/vfscope/vfs"

// A file's pages are charged against size= as Linux's shmem charges
// them: a page is reserved (sbInfo.blocks) before it is made, and once
// it is in the mapping the inode's count of charged pages grows by it
// (shmem_inode_info.alloced); whatever removed pages (truncate, hole
// punch, eviction) then calls recalc, which gives back the charge of
// every counted page no longer in the mapping. Faults add pages without
// i_rwsem, so counting "pages before minus pages after" around a
// removal would take their pages for freed ones (or the reverse);
// recalc looks only at the count and the mapping as they are, so a page
// added meanwhile is at worst counted by its own recalc a moment later,
// and the charge is exact once the operations end.

// allocedBits is how many low bits of tnode.alloced hold the count of
// charged pages (2^40 pages: 4 PiB); the bits above count recalc's
// changes.
const allocedBits = 40

const allocedMask = 1<<allocedBits - 1

// recalc is shmem_recalc_inode(in, added, 0): the inode's count of
// charged pages grows by added (pages charged and put in the mapping
// by the caller), then what it holds beyond the mapping's pages is
// given back to size=. Lock-free: a compare-and-swap of the count with
// a change counter above it, so that a recalc whose load another one
// overtook starts again (Linux holds info->lock around the same steps).
func recalc(in *vfs.Inode, added int64) {
	n := node(in)
	m := in.Mapping()
	for {
		old := n.alloced.Load()
		a := old&allocedMask + added
		freed := a - m.NrPages()
		if freed > 0 {
			a -= freed
		}
		next := int64((uint64(old)>>allocedBits+1)<<allocedBits) | a
		if n.alloced.CompareAndSwap(old, next) {
			if freed > 0 {
				info(in.SB()).releaseBlocks(freed)
			}
			return
		}
	}
}

// charge is one operation's charging of new pages against size=: the
// account callback of vfs.FilemapFallocate and vfs.FilemapFaultCharged
// reserves pages before they are made (+n) and gives back reservations
// that made none (-n); settle then counts the rest as the inode's.
type charge struct {
	si  *sbInfo
	net int64
}

func (c *charge) account(pages int64) error {
	if pages > 0 {
		if err := c.si.reserveBlocks(pages); err != nil {
			return err
		}
	} else {
		c.si.releaseBlocks(-pages)
	}
	c.net += pages
	return nil
}

// settle is recalc with the reservations kept: those that made a page
// count it; one whose page someone else had made meanwhile is given
// back by the same recalc.
func (c *charge) settle(in *vfs.Inode) {
	recalc(in, c.net)
	setBlocks(in)
}
