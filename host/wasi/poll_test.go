package wasi

import (
	"context"
	"testing"

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
