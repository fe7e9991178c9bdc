package wasi

import (
	"context"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TestPollOneoffLimit: more subscriptions than RLIMIT_NOFILE's soft
// limit is EINVAL, as poll(2) with nfds above it is on Linux 6.18
// (checked there with nfds = limit and limit+1).
func TestPollOneoffLimit(t *testing.T) {
	f := newFx(t)
	lim, err := f.a.task.Getrlimit(vfs.RLIMIT_NOFILE)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.task.Setrlimit(vfs.RLIMIT_NOFILE, vfs.Rlimit{Cur: 4, Max: lim.Max}); err != nil {
		t.Fatal(err)
	}
	// Subscriptions of zeros at 2048: realtime clocks with no timeout.
	for _, c := range []struct {
		nsubs uint32
		want  Errno
	}{
		{4, ESUCCESS},
		{5, EINVAL},
		{1<<32 - 1, EINVAL}, // not walked to the end of memory (EFAULT)
	} {
		clear(f.m[2048 : 2048+4*sizeSubscription])
		got := f.a.PollOneoff(context.Background(), f.m, 2048, 8192, c.nsubs, 8)
		if got != c.want {
			t.Errorf("poll_oneoff(%d subscriptions) = %s, want %s", c.nsubs, got.Name(), c.want.Name())
		}
		if got == ESUCCESS && f.u32(8) != c.nsubs {
			t.Errorf("poll_oneoff(%d subscriptions): %d events", c.nsubs, f.u32(8))
		}
	}
}

// wholeMemory is a guest memory of the full 4 GiB a wasm32 guest can
// have, every byte zero: reads and writes anywhere below 2^32 succeed.
type wholeMemory struct{}

func (wholeMemory) fits(off uint32, n uint64) bool { return uint64(off)+n <= 1<<32 }
func (m wholeMemory) Read(off, n uint32) ([]byte, bool) {
	if !m.fits(off, uint64(n)) {
		return nil, false
	}
	return make([]byte, n), true
}
func (m wholeMemory) Write(off uint32, p []byte) bool         { return m.fits(off, uint64(len(p))) }
func (m wholeMemory) ReadUint32Le(off uint32) (uint32, bool)  { return 0, m.fits(off, 4) }
func (m wholeMemory) WriteUint32Le(off uint32, _ uint32) bool { return m.fits(off, 4) }
func (m wholeMemory) ReadUint64Le(off uint32) (uint64, bool)  { return 0, m.fits(off, 8) }
func (m wholeMemory) WriteUint64Le(off uint32, _ uint64) bool { return m.fits(off, 8) }

// TestPollOneoffArrays: the subscription array (nsubscriptions of 48
// bytes at in) and the event array (as many of 32 bytes at out) must lie
// in memory whole, checked in 64 bits before any subscription is looked
// at, as poll(2) copies its whole array in first (EFAULT): an array
// running past 2^32 does not wrap around to address 0, and a call whose
// events cannot be written fails before it sleeps.
func TestPollOneoffArrays(t *testing.T) {
	f := newFx(t)
	size := uint32(len(f.m))
	for _, c := range []struct {
		name      string
		m         Memory
		in, out   uint32
		nsubs     uint32
		want      Errno
		timeout   uint64 // of the clock subscriptions (Bytes memory only)
		wantSleep bool
	}{
		{"in range", f.m, 2048, 8192, 2, ESUCCESS, 0, false},
		{"in range, sleeps", f.m, 2048, 8192, 2, ESUCCESS, 1e9, true},
		{"subscriptions past the end", f.m, size - sizeSubscription, 8192, 2, EFAULT, 0, false},
		{"events past the end", f.m, 2048, size - sizeEvent, 2, EFAULT, 1e9, false},
		{"events at the very end", f.m, 2048, size - 2*sizeEvent, 2, ESUCCESS, 0, false},
		{"whole memory, subscriptions to 2^32", wholeMemory{}, 1<<32 - 2*sizeSubscription, 0, 2, ESUCCESS, 0, false},
		{"whole memory, subscriptions past 2^32", wholeMemory{}, 1<<32 - sizeSubscription, 0, 2, EFAULT, 0, false},
		{"whole memory, events past 2^32", wholeMemory{}, 0, 1<<32 - sizeEvent, 2, EFAULT, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if b, ok := c.m.(Bytes); ok {
				for i := range c.nsubs {
					o := c.in + i*sizeSubscription
					if uint64(o)+sizeSubscription > uint64(len(b)) {
						break
					}
					clear(b[o : o+sizeSubscription])
					b.WriteUint64Le(o+24, c.timeout) // a relative realtime clock
				}
			}
			slept := false
			f.a.sleep = func(ctx context.Context, d time.Duration) error {
				slept = true
				return nil
			}
			got := f.a.PollOneoff(context.Background(), c.m, c.in, c.out, c.nsubs, 8)
			if got != c.want {
				t.Errorf("poll_oneoff(in %#x, out %#x, %d) = %s, want %s", c.in, c.out, c.nsubs, got.Name(), c.want.Name())
			}
			if slept != c.wantSleep {
				t.Errorf("poll_oneoff slept: %v, want %v", slept, c.wantSleep)
			}
		})
	}
}
