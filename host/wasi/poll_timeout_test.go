package wasi

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestPollOneoffHugeTimeout: a clock timeout is a u64; one at or past
// 2^63 (UINT64_MAX is "forever") waits the longest time there is rather
// than firing at once, relative or absolute, and a deadline that would
// pass MaxInt64 does not wrap around into the past, so an fd ready in the
// same call does not bring the clock with it.
func TestPollOneoffHugeTimeout(t *testing.T) {
	f := newFx(t)
	fd, _ := f.open("tmp/p", OflagCreat, rwFile, 0)
	const nano = 5e9
	f.a.nano = func() int64 { return nano }
	var slept []time.Duration
	f.a.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return context.Canceled // the guest was interrupted
	}
	sub := func(i uint32, userdata uint64, tag uint8, a uint32, timeout uint64, flags uint16) {
		o := 2048 + i*sizeSubscription
		clear(f.m[o : o+sizeSubscription])
		f.m.WriteUint64Le(o, userdata)
		f.m[o+8] = tag
		f.m.WriteUint32Le(o+16, a)
		f.m.WriteUint64Le(o+24, timeout)
		f.m[o+40] = byte(flags)
	}
	forever := time.Duration(math.MaxInt64 - nano)
	for _, c := range []struct {
		name      string
		clock     uint32
		timeout   uint64
		flags     uint16
		withFd    bool
		want      Errno
		wantSleep []time.Duration
		wantUser  []uint64
	}{
		{"relative UINT64_MAX", ClockMonotonic, math.MaxUint64, 0, false, EINTR, []time.Duration{forever}, nil},
		{"relative 2^63", ClockMonotonic, 1 << 63, 0, false, EINTR, []time.Duration{forever}, nil},
		{"relative MaxInt64", ClockMonotonic, math.MaxInt64, 0, false, EINTR, []time.Duration{forever}, nil},
		{"relative 1s", ClockMonotonic, 1e9, 0, false, EINTR, []time.Duration{time.Second}, nil},
		{"abstime monotonic UINT64_MAX", ClockMonotonic, math.MaxUint64, SubscriptionClockAbstime, false, EINTR, []time.Duration{forever}, nil},
		{"abstime realtime UINT64_MAX", ClockRealtime, math.MaxUint64, SubscriptionClockAbstime, false, EINTR, []time.Duration{forever}, nil},
		{"abstime monotonic past", ClockMonotonic, nano - 1, SubscriptionClockAbstime, false, ESUCCESS, nil, []uint64{2}},
		{"relative MaxInt64-1e9 and a ready fd", ClockMonotonic, math.MaxInt64 - 1e9, 0, true, ESUCCESS, nil, []uint64{1}},
		{"relative UINT64_MAX and a ready fd", ClockMonotonic, math.MaxUint64, 0, true, ESUCCESS, nil, []uint64{1}},
	} {
		slept = nil
		n := uint32(0)
		if c.withFd {
			sub(n, 1, EventtypeFdWrite, uint32(fd), 0, 0)
			n++
		}
		sub(n, 2, EventtypeClock, c.clock, c.timeout, c.flags)
		n++
		f.m.WriteUint32Le(8, 0)
		got := f.a.PollOneoff(context.Background(), f.m, 2048, 4096, n, 8)
		if got != c.want {
			t.Errorf("%s: poll_oneoff = %s, want %s", c.name, got.Name(), c.want.Name())
		}
		if len(slept) != len(c.wantSleep) || (len(slept) > 0 && slept[0] != c.wantSleep[0]) {
			t.Errorf("%s: slept %v, want %v", c.name, slept, c.wantSleep)
		}
		if got != ESUCCESS {
			continue
		}
		var users []uint64
		for i := uint32(0); i < f.u32(8); i++ {
			users = append(users, f.u64(4096+i*sizeEvent))
		}
		if len(users) != len(c.wantUser) || (len(users) > 0 && users[0] != c.wantUser[0]) {
			t.Errorf("%s: events for userdata %v, want %v", c.name, users, c.wantUser)
		}
	}
}
