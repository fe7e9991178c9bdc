package tmpfs

import (
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// limitedCounter counts what a tmpfs has in use (pages or inodes)
// against its limit, without a lock: Linux keeps used_blocks in a
// percpu_counter and adds to it with percpu_counter_limited_add(), taking
// stat_lock only to change the limits. Here one atomic word does: a
// reservation is a compare-and-swap that fails with ENOSPC when it would
// pass the limit, a release an add. The limit changes only under
// sbInfo.mu (a remount); as with Linux's counter, a reservation that
// races a remount shrinking the limit may still succeed against the old
// one, and the use then stays above the new limit until released.
type limitedCounter struct {
	used atomic.Int64
	// max is the limit, 0 for none; written under sbInfo.mu.
	max atomic.Int64
}

// reserve takes n more, or fails with ENOSPC if that would pass the
// limit (and takes nothing).
func (c *limitedCounter) reserve(n int64) error {
	for {
		used := c.used.Load()
		if max := c.max.Load(); max > 0 && used+n > max {
			return vfs.ENOSPC
		}
		if c.used.CompareAndSwap(used, used+n) {
			return nil
		}
	}
}

// release gives back n.
func (c *limitedCounter) release(n int64) { c.used.Add(-n) }
