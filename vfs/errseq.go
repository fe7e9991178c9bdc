package vfs

import "github.com/vfscope/vfscope/vfs/internal/atomic"

// ErrSeq is errseq_t (lib/errseq.c): a write error and a sequence number
// in one 32-bit word, so that an error can be reported once to every
// observer that sampled the word before it happened, without a list of
// observers. Each AddressSpace (mapping->wb_err) and each SuperBlock
// (s_wb_err) has one; a File samples both at open (f_wb_err, f_sb_err).
//
// Layout, as Linux's:
//
//	bits 0-11   the errno of the last error (MAX_ERRNO = 4095)
//	bit 12      SEEN: someone has been told about this error
//	bits 13-31  a counter, incremented when a new error is recorded after
//	            the last one was seen
//
// Lock-free: every change is a compare-and-swap.
type ErrSeq struct {
	v atomic.Uint32
}

// ErrSeqT is a sample of an ErrSeq (the errseq_t a File keeps).
type ErrSeqT uint32

const (
	errseqShift   = 12 // ilog2(MAX_ERRNO + 1)
	errseqMaxErr  = 1<<errseqShift - 1
	errseqSeen    = 1 << errseqShift
	errseqCtrInc  = 1 << (errseqShift + 1)
	errseqErrMask = errseqMaxErr
)

// Set is errseq_set(): record err (an Errno) as the latest error. If the
// previous error was seen, the counter moves on so that every sampler
// sees the new one; if it was not, only the errno changes (the observers
// that have not looked yet will see one error, the latest). A nil or
// out-of-range error records nothing. It returns the new value.
func (e *ErrSeq) Set(err error) ErrSeqT {
	en, ok := err.(Errno)
	if !ok || en == 0 || en > errseqMaxErr {
		return ErrSeqT(e.v.Load())
	}
	for {
		old := e.v.Load()
		nw := (old &^ (errseqMaxErr | errseqSeen)) | uint32(en)
		if old&errseqSeen != 0 {
			nw += errseqCtrInc
		}
		if nw == old {
			return ErrSeqT(nw)
		}
		if e.v.CompareAndSwap(old, nw) {
			return ErrSeqT(nw)
		}
	}
}

// Sample is errseq_sample(): the value an observer starts from. If the
// latest error has not been seen by anyone, Sample returns 0 so that the
// new observer reports it: an error nobody was told about is never
// dropped. An error someone was already told about is not reported to an
// observer that samples after it.
func (e *ErrSeq) Sample() ErrSeqT {
	old := e.v.Load()
	if old&errseqSeen == 0 {
		return 0
	}
	return ErrSeqT(old)
}

// Check is errseq_check(): the error recorded since the sample since, or
// nil. It does not mark anything seen.
func (e *ErrSeq) Check(since ErrSeqT) error {
	cur := e.v.Load()
	if cur&^errseqSeen == uint32(since)&^errseqSeen {
		return nil
	}
	return Errno(cur & errseqErrMask)
}

// CheckAndAdvance is errseq_check_and_advance(): if an error was recorded
// since *since, mark it seen, move *since to the current value and return
// the error. Each observer therefore gets each error once. Concurrent
// callers sharing one *since must serialise (Linux holds f_lock; File
// does it with a compare-and-swap on its sample).
func (e *ErrSeq) CheckAndAdvance(since *ErrSeqT) error {
	old := e.v.Load()
	// The seen flag aside, as Check: Linux compares whole words, but
	// its samples hold the flag whenever the word does; a sample Advance
	// moved may lack it.
	if old&^errseqSeen == uint32(*since)&^errseqSeen {
		return nil
	}
	// Mark it seen. If the swap fails a newer error arrived; *since
	// still moves to the value reported, so the next check reports the
	// newer one (as Linux uses its cmpxchg).
	nw := old | errseqSeen
	if nw != old {
		e.v.CompareAndSwap(old, nw)
	}
	*since = ErrSeqT(nw)
	if en := Errno(nw & errseqErrMask); en != 0 {
		return en
	}
	return nil
}

// Advance is CheckAndAdvance without the mark: if an error was recorded
// since *since, it moves *since to the current value and returns the
// error, which stays unseen, so that an observer sampling later still
// gets it (close's report, which Linux does not make:
// filpReportWbErr).
func (e *ErrSeq) Advance(since *ErrSeqT) error {
	cur := e.v.Load()
	if cur&^errseqSeen == uint32(*since)&^errseqSeen {
		return nil
	}
	*since = ErrSeqT(cur)
	if en := Errno(cur & errseqErrMask); en != 0 {
		return en
	}
	return nil
}

// Value returns the raw word, for snapshots and tests.
func (e *ErrSeq) Value() ErrSeqT { return ErrSeqT(e.v.Load()) }
