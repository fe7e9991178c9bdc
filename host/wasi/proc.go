package wasi

import (
	"context"
	"io"
	"math"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// writeStrings is args_get and environ_get: the pointers at vec, the
// NUL-terminated strings from buf. Both ranges are checked first, in 64
// bits: one that does not fit, or would run past 2^32 (and wrap to
// address 0), is EFAULT with nothing written.
func (a *ABI) writeStrings(m Memory, list []string, vec, buf uint32) Errno {
	var n uint64
	for _, s := range list {
		n += uint64(len(s)) + 1
	}
	if n > math.MaxUint32 || !a.inArray(m, vec, uint32(len(list)), 4) || !a.inRange(m, buf, uint32(n)) {
		return EFAULT
	}
	for i, s := range list {
		b := make([]byte, len(s)+1)
		copy(b, s)
		if !m.WriteUint32Le(vec+uint32(4*i), buf) || !m.Write(buf, b) {
			return EFAULT
		}
		buf += uint32(len(b))
	}
	return ESUCCESS
}

// sizes is args_sizes_get and environ_sizes_get.
func sizes(m Memory, list []string, countPtr, sizePtr uint32) Errno {
	n := 0
	for _, s := range list {
		n += len(s) + 1
	}
	if !m.WriteUint32Le(countPtr, uint32(len(list))) || !m.WriteUint32Le(sizePtr, uint32(n)) {
		return EFAULT
	}
	return ESUCCESS
}

// ArgsGet is args_get(argv, argv_buf).
func (a *ABI) ArgsGet(m Memory, argv, buf uint32) Errno { return a.writeStrings(m, a.args, argv, buf) }

// ArgsSizesGet is args_sizes_get(argc_ptr, argv_buf_size_ptr).
func (a *ABI) ArgsSizesGet(m Memory, argc, size uint32) Errno { return sizes(m, a.args, argc, size) }

// EnvironGet is environ_get(environ, environ_buf).
func (a *ABI) EnvironGet(m Memory, env, buf uint32) Errno { return a.writeStrings(m, a.env, env, buf) }

// EnvironSizesGet is environ_sizes_get(count_ptr, buf_size_ptr).
func (a *ABI) EnvironSizesGet(m Memory, count, size uint32) Errno {
	return sizes(m, a.env, count, size)
}

// clockNow reads a clock. The CPU-time clocks (the process's and the
// thread's are one: a guest is one thread) are the monotonic clock less
// the time the guest spent blocked in the ABI (a.blocked: poll_oneoff's
// sleeps, reads and writes of the host's streams), as Linux's
// CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID do not advance
// while the process sleeps. What remains different: the host's CPU work
// on the guest's behalf (the VFS's calls, wazero's, the Go runtime's)
// counts, as Linux counts a process's system time; time the host does not
// schedule the guest's goroutine (another guest, the garbage collector)
// counts too, where Linux's clocks would stop; and a clock subscription
// on a CPU-time clock waits that much monotonic time, where on Linux a
// sleeping process's CPU clock would never reach it.
func (a *ABI) clockNow(id uint32) (int64, Errno) {
	switch id {
	case ClockRealtime:
		return a.now().UnixNano(), ESUCCESS
	case ClockMonotonic:
		return a.nano(), ESUCCESS
	case ClockProcessCputimeID, ClockThreadCputimeID:
		return a.nano() - a.blocked, ESUCCESS
	}
	return 0, EINVAL
}

// blockedSince adds the time since start (a reading of a.nano) to
// a.blocked: the guest was waiting, not computing.
func (a *ABI) blockedSince(start int64) {
	if d := a.nano() - start; d > 0 {
		a.blocked += d
	}
}

// ClockResGet is clock_res_get(id, result_ptr): 1 ns for every clock.
func (a *ABI) ClockResGet(m Memory, id, result uint32) Errno {
	if _, e := a.clockNow(id); e != ESUCCESS {
		return e
	}
	if !m.WriteUint64Le(result, 1) {
		return EFAULT
	}
	return ESUCCESS
}

// ClockTimeGet is clock_time_get(id, precision, result_ptr).
func (a *ABI) ClockTimeGet(m Memory, id uint32, precision uint64, result uint32) Errno {
	t, e := a.clockNow(id)
	if e != ESUCCESS {
		return e
	}
	if !m.WriteUint64Le(result, uint64(t)) {
		return EFAULT
	}
	return ESUCCESS
}

// RandomGet is random_get(buf, len). The range is checked first
// (EFAULT), then filled in chunks of at most randomChunk bytes, straight
// into guest memory when the host lends a view of it: like getrandom(2),
// the call allocates nothing in proportion to len.
func (a *ABI) RandomGet(m Memory, buf, n uint32) Errno {
	if !a.inRange(m, buf, n) {
		return EFAULT
	}
	if c := a.caps(m); c.view != nil {
		b, ok := c.view.View(buf, n)
		if !ok {
			return EFAULT
		}
		if _, err := io.ReadFull(a.rand, b); err != nil {
			return EIO
		}
		return ESUCCESS
	}
	chunk := make([]byte, min(n, randomChunk))
	for n > 0 {
		b := chunk[:min(n, randomChunk)]
		if _, err := io.ReadFull(a.rand, b); err != nil {
			return EIO
		}
		if !m.Write(buf, b) {
			return EFAULT
		}
		buf += uint32(len(b))
		n -= uint32(len(b))
	}
	return ESUCCESS
}

// randomChunk bounds the buffer random_get fills for a Memory it cannot
// write in place.
const randomChunk = 4 << 10

// ProcExit is proc_exit(rval): it does not return; it panics with
// *ExitError, which the host turns into the guest's exit code.
func (a *ABI) ProcExit(code uint32) { panic(&ExitError{Code: code}) }

// ProcRaise is proc_raise(sig): signals are not part of preview1 any more
// (WASI removed it); ENOSYS, as wazero.
func (a *ABI) ProcRaise(sig uint32) Errno { return ENOSYS }

// SchedYield is sched_yield().
func (a *ABI) SchedYield() Errno {
	a.yield()
	return ESUCCESS
}

// PollOneoff is poll_oneoff(in, out, nsubscriptions, nevents_ptr): clock
// subscriptions sleep (relative or absolute), fd_read and fd_write ones
// are ready at once on files (regular files and directories are always
// ready, as on Linux) and on the host's streams (a read may then block, as
// a blocking descriptor does). If any fd subscription is ready, or a clock
// has expired, the call returns without sleeping.
//
// More subscriptions than the task's RLIMIT_NOFILE soft limit is EINVAL,
// as poll(2) refuses nfds above it (do_sys_poll): the bound keeps a
// guest from having the host walk and buffer 2^32 of them. Then a
// subscription or event array not wholly in memory is EFAULT.
func (a *ABI) PollOneoff(ctx context.Context, m Memory, in, out, nsubs, neventsPtr uint32) Errno {
	if nsubs == 0 {
		return EINVAL
	}
	if lim, err := a.task.Getrlimit(vfs.RLIMIT_NOFILE); err != nil || uint64(nsubs) > lim.Cur {
		return EINVAL
	}
	// Both arrays whole, in 64 bits, before any subscription is looked
	// at (poll(2) copies its whole array in first): in+i*sizeSubscription
	// below then never wraps, and a call whose events cannot be written
	// fails before it sleeps.
	if !a.inArray(m, in, nsubs, sizeSubscription) || !a.inArray(m, out, nsubs, sizeEvent) {
		return EFAULT
	}
	type clockSub struct {
		userdata uint64
		deadline int64 // on the monotonic clock
	}
	var clocks []clockSub
	var events []byte
	event := func(userdata uint64, errno Errno, typ uint8, nbytes uint64) {
		var ev [sizeEvent]byte
		Bytes(ev[:]).WriteUint64Le(0, userdata)
		Bytes(ev[:]).WriteUint32Le(8, uint32(errno)|uint32(typ)<<16)
		Bytes(ev[:]).WriteUint64Le(16, nbytes)
		events = append(events, ev[:]...)
	}
	for i := uint32(0); i < nsubs; i++ {
		s, ok := m.Read(in+i*sizeSubscription, sizeSubscription)
		if !ok {
			return EFAULT
		}
		sub := Bytes(s)
		userdata, _ := sub.ReadUint64Le(0)
		tag := s[8]
		switch tag {
		case EventtypeClock:
			id, _ := sub.ReadUint32Le(16)
			timeout, _ := sub.ReadUint64Le(24)
			flags := uint16(s[40]) | uint16(s[41])<<8
			now, e := a.clockNow(id)
			if e != ESUCCESS {
				event(userdata, e, tag, 0)
				continue
			}
			d := clockWait(timeout, flags&SubscriptionClockAbstime != 0, now)
			start := a.nano()
			deadline := start + d
			if deadline < start {
				deadline = math.MaxInt64
			}
			clocks = append(clocks, clockSub{userdata, deadline})
		case EventtypeFdRead, EventtypeFdWrite:
			fd, _ := sub.ReadUint32Le(16)
			need := RightFdRead
			if tag == EventtypeFdWrite {
				need = RightFdWrite
			}
			e, errno := a.fd(int32(fd), 0)
			if errno == ESUCCESS && e.base&(need|RightPollFdReadwrite) == 0 {
				errno = ENOTCAPABLE
			}
			if errno != ESUCCESS {
				event(userdata, errno, tag, 0)
				continue
			}
			event(userdata, ESUCCESS, tag, a.readyBytes(e, tag))
		default:
			return EINVAL
		}
	}
	if len(events) == 0 && len(clocks) > 0 {
		// Nothing ready: sleep until the first clock.
		first := clocks[0].deadline
		for _, c := range clocks[1:] {
			first = min(first, c.deadline)
		}
		start := a.nano()
		if d := first - start; d > 0 && a.sleep != nil {
			err := a.sleep(ctx, time.Duration(d))
			a.blockedSince(start)
			if err != nil {
				return EINTR
			}
		} else if d > 0 {
			tm := time.NewTimer(time.Duration(d))
			select {
			case <-tm.C:
				a.blockedSince(start)
			case <-ctx.Done():
				tm.Stop()
				a.blockedSince(start)
				return EINTR
			}
		}
	}
	now := a.nano()
	for _, c := range clocks {
		if c.deadline <= now {
			event(c.userdata, ESUCCESS, EventtypeClock, 0)
		}
	}
	if !m.Write(out, events) {
		return EFAULT
	}
	if !m.WriteUint32Le(neventsPtr, uint32(len(events)/sizeEvent)) {
		return EFAULT
	}
	return ESUCCESS
}

// clockWait is how long a clock subscription of the given timeout waits,
// in nanoseconds from now (the subscribed clock's reading). The timeout
// is a u64: one at or past 2^63, UINT64_MAX above all ("forever"),
// saturates at MaxInt64 (292 years) rather than turning negative and
// firing at once; wasmtime likewise sleeps. An absolute time in the past
// is 0.
func clockWait(timeout uint64, abstime bool, now int64) int64 {
	if abstime {
		switch {
		case now < 0:
			t := timeout + uint64(-now)
			if t < timeout {
				t = math.MaxUint64
			}
			timeout = t
		case timeout <= uint64(now):
			return 0
		default:
			timeout -= uint64(now)
		}
	}
	if timeout > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(timeout)
}

// readyBytes is the nbytes of an fd_read or fd_write event: for a read of
// a regular file, what remains after the offset, and of a host stream
// that knows what it holds (Len, as a bytes.Reader's), that; otherwise 0
// (unknown).
func (a *ABI) readyBytes(e *fdEntry, tag uint8) uint64 {
	if tag != EventtypeFdRead {
		return 0
	}
	if e.vfd < 0 {
		if l, ok := e.r.(interface{ Len() int }); ok && l.Len() > 0 {
			return uint64(l.Len())
		}
		return 0
	}
	st, err := a.fstat(e)
	if err != nil || st.Mode&0o170000 != 0o100000 {
		return 0
	}
	pos, err := a.task.Seek(e.vfd, 0, 1)
	if err != nil || pos >= st.Size {
		return 0
	}
	return uint64(st.Size - pos)
}
