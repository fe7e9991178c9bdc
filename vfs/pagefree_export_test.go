package vfs

// SetFreePagesMax sets the bound of the pool of free pages and returns
// the old one; the pool is emptied, so a test starts from none.
func SetFreePagesMax(n int) (old int) {
	freePages.mu.Lock()
	defer freePages.mu.Unlock()
	old, freePagesMax = freePagesMax, n
	clear(freePages.list)
	freePages.list = freePages.list[:0]
	freePages.n.Store(0)
	return old
}

// PoolRefill is poolRefill: the pages an empty pool allocates at once.
const PoolRefill = poolRefill
