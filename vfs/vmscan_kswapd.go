package vfs

// kswapd (mm/vmscan.c): the background reclaimer of the VFS's one node.
// Woken when free memory falls below the low watermark, it reclaims at
// falling priorities until free memory is above the high watermark
// (balance_pgdat): it scans the LRU lists, starts ->writepage on the dirty
// folios it meets (pageout, which direct reclaim never does), and runs
// the dentry and inode shrinkers. It holds no lock between folios, so it
// may write and evict what an allocating task, holding filesystem locks,
// must not.
//
// As the flusher, the goroutine runs only while there is work: it starts
// on a wakeup and ends once the node is balanced or a whole pass at
// priority 0 freed nothing (kswapd_failures); Shutdown stops it for good
// and waits for it.

// wakeupKswapd is wakeup_kswapd(): start the goroutine, or make a running
// one look again before it ends. Nothing happens when nothing could be
// reclaimed (a VFS holding only tmpfs pages and dentries in use), as
// Linux stops waking a kswapd that keeps failing.
func (v *VFS) wakeupKswapd() {
	if !v.reclaimable() {
		return
	}
	rc := &v.rc
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.kswapdStopped {
		return
	}
	if rc.kswapdRunning {
		rc.kswapdPending = true
		return
	}
	rc.kswapdRunning = true
	rc.stats.kswapdRuns.Add(1)
	rc.kswapdWG.Add(1)
	go v.kswapd()
}

// stopKswapd stops kswapd for good and waits for it to return (called by
// Shutdown).
func (v *VFS) stopKswapd() {
	rc := &v.rc
	rc.mu.Lock()
	rc.kswapdStopped = true
	rc.mu.Unlock()
	rc.kswapdWG.Wait()
}

// KswapdRunning reports whether the kswapd goroutine runs.
func (v *VFS) KswapdRunning() bool {
	rc := &v.rc
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.kswapdRunning
}

func (v *VFS) kswapdStopping() bool {
	rc := &v.rc
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.kswapdStopped
}

// kswapd is the goroutine: balance_pgdat until balanced, then end unless
// woken meanwhile.
func (v *VFS) kswapd() {
	rc := &v.rc
	t := v.newKthread("kswapd0")
	defer func() {
		if v.validator != nil {
			v.validator.Forget(t.o)
		}
		rc.kswapdWG.Done()
	}()
	for {
		balanced, progress := v.balancePgdat(t)
		rc.mu.Lock()
		if !rc.kswapdStopped && rc.kswapdPending && !balanced {
			rc.kswapdPending = false
			rc.mu.Unlock()
			if !progress {
				// Woken again while nothing could be freed (pages
				// under writeback, dentries in use): wait for
				// writeback or a free rather than spin.
				v.waitProgress(t, reclaimThrottle)
			}
			continue
		}
		rc.kswapdPending = false
		rc.kswapdRunning = false
		rc.mu.Unlock()
		return
	}
}

// balancePgdat is balance_pgdat(): reclaim at priorities DEF_PRIORITY
// down to 0 until free memory reaches the high watermark. Reports
// whether it did, and whether it freed anything.
func (v *VFS) balancePgdat(t *Task) (balanced, progress bool) {
	rc := &v.rc
	for prio := DEF_PRIORITY; prio >= 0; prio-- {
		free := v.memFree()
		if free >= rc.wmarkHigh {
			return true, progress
		}
		if v.kswapdStopping() {
			return false, progress
		}
		sc := scanControl{
			nrToReclaim:  max((rc.wmarkHigh-free)/PAGE_SIZE, SWAP_CLUSTER_MAX),
			priority:     prio,
			mayWritepage: true,
			maySlab:      true,
		}
		v.shrinkNode(t, &sc)
		if sc.nrReclaimed > 0 || sc.slabFreed > 0 {
			progress = true
			v.reclaimProgress()
		}
		if sc.nrDirty > 0 {
			v.wakeupFlusherForReclaim(sc.nrDirty)
		}
	}
	return v.memFree() >= rc.wmarkHigh, progress
}
