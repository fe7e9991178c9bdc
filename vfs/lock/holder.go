package lock

import (
	"runtime"
	"sync"
	"weak"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// holder is where a lock records its holder (Holder): the owner's id, not
// a pointer. Storing a number needs no garbage-collector write barrier
// (an atomic pointer store runs one, and flushes its buffer, whenever a
// collection is marking, which in a workload that allocates is much of
// the time), and a lock holds no pointer for the collector to scan. The
// id leads back to the Owner through ownerIDs, for the rare readers
// (snapshots, tests).
type holder struct {
	id wordCell // 0: none
}

// Store records o (nil: no holder).
func (h *holder) Store(o *Owner) {
	var id uint64
	if o != nil {
		id = o.id
	}
	h.id.Store(id)
}

// Load returns the recorded holder, or nil (also once the holder has
// been garbage collected, which a holder of a live lock never is).
func (h *holder) Load() *Owner { return ownerByID(h.id.Load()) }

// ownerIDs maps each live Owner's id to it, weakly: an owner nobody
// references is collected, and its entry removed by a cleanup.
var (
	ownerSeq atomic.Uint64
	ownerIDs sync.Map // uint64 -> weak.Pointer[Owner]
)

// registerID gives o its id and entry.
func registerID(o *Owner) {
	o.id = ownerSeq.Add(1)
	o.word = o.id<<lwIDShift | lwLocked
	ownerIDs.Store(o.id, weak.Make(o))
	runtime.AddCleanup(o, func(id uint64) { ownerIDs.Delete(id) }, o.id)
}

func ownerByID(id uint64) *Owner {
	if id == 0 {
		return nil
	}
	w, ok := ownerIDs.Load(id)
	if !ok {
		return nil
	}
	return w.(weak.Pointer[Owner]).Value()
}
