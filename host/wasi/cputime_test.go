package wasi

import (
	"context"
	"testing"
	"time"
)

// slowStream waits d at every read and write, as a terminal or a full
// pipe makes read(2) and write(2) sleep.
type slowStream struct{ d time.Duration }

func (s slowStream) Read(p []byte) (int, error)  { time.Sleep(s.d); return copy(p, "x"), nil }
func (s slowStream) Write(p []byte) (int, error) { time.Sleep(s.d); return len(p), nil }

// TestCPUTimeClocks: the CPU-time clocks do not advance while the guest
// waits in the ABI, as Linux's do not while a process sleeps: a 50 ms
// poll_oneoff clock sleep, fd_read of a stdin and fd_write to a stdout
// that wait 50 ms each advance the monotonic clock by at least 50 ms
// and the CPU-time clocks by much less.
func TestCPUTimeClocks(t *testing.T) {
	const wait = 50 * time.Millisecond
	for _, c := range []struct {
		name string
		call func(a *ABI, m Bytes) Errno
	}{
		{"poll_oneoff clock", func(a *ABI, m Bytes) Errno {
			m.WriteUint32Le(1024+16, ClockMonotonic)
			m.WriteUint64Le(1024+24, uint64(wait))
			m[1024+8] = EventtypeClock
			return a.PollOneoff(context.Background(), m, 1024, 2048, 1, 16)
		}},
		{"fd_read of stdin", func(a *ABI, m Bytes) Errno { return a.FdRead(m, 0, 100, 1, 16) }},
		{"fd_write to stdout", func(a *ABI, m Bytes) Errno { return a.FdWrite(m, 1, 100, 1, 16) }},
	} {
		for _, clock := range []uint32{ClockProcessCputimeID, ClockThreadCputimeID} {
			t.Run(c.name, func(t *testing.T) {
				a := streamABI(t, slowStream{wait}, slowStream{wait})
				m := make(Bytes, 4096)
				m.WriteUint32Le(100, 200)
				m.WriteUint32Le(104, 10)
				read := func(id uint32) int64 {
					if e := a.ClockTimeGet(m, id, 1, 8); e != ESUCCESS {
						t.Fatalf("clock_time_get(%d) = %s", id, e.Name())
					}
					v, _ := m.ReadUint64Le(8)
					return int64(v)
				}
				mono0, cpu0 := read(ClockMonotonic), read(clock)
				if e := c.call(a, m); e != ESUCCESS {
					t.Fatalf("call = %s", e.Name())
				}
				mono, cpu := time.Duration(read(ClockMonotonic)-mono0), time.Duration(read(clock)-cpu0)
				if mono < wait || cpu < 0 || cpu > wait/5 {
					t.Errorf("clock %d: monotonic +%v, CPU time +%v; want at least %v, and at most %v", clock, mono, cpu, wait, wait/5)
				}
			})
		}
	}
}
