package wasi

import "testing"

// writesMemory is wholeMemory that records where each write went.
type writesMemory struct {
	wholeMemory
	at []uint32
}

func (m *writesMemory) Write(off uint32, p []byte) bool {
	m.at = append(m.at, off)
	return m.wholeMemory.Write(off, p)
}

func (m *writesMemory) WriteUint32Le(off uint32, v uint32) bool {
	m.at = append(m.at, off)
	return m.wholeMemory.WriteUint32Le(off, v)
}

// TestResultsDoNotWrap: in a guest memory of the full 4 GiB, results
// that would run past 2^32 are EFAULT with nothing written, never wrapped
// around to address 0; results that end at 2^32 exactly are written.
func TestResultsDoNotWrap(t *testing.T) {
	f := newFx(t)
	const top = 1 << 32
	for _, c := range []struct {
		name string
		call func(m Memory) Errno
		want Errno
	}{
		// args: "prog", "-v", "" (three pointers, 9 bytes).
		{"args_get, argv past 2^32", func(m Memory) Errno { return f.a.ArgsGet(m, top-8, 100) }, EFAULT},
		{"args_get, argv_buf past 2^32", func(m Memory) Errno { return f.a.ArgsGet(m, 100, top-8) }, EFAULT},
		{"args_get, both ending at 2^32", func(m Memory) Errno { return f.a.ArgsGet(m, top-12-9, top-9) }, ESUCCESS},
		{"environ_get, environ past 2^32", func(m Memory) Errno { return f.a.EnvironGet(m, top-4, 100) }, EFAULT},
		{"environ_get, environ_buf past 2^32", func(m Memory) Errno { return f.a.EnvironGet(m, 100, top-10) }, EFAULT},
		{"fd_prestat_get past 2^32", func(m Memory) Errno { return f.a.FdPrestatGet(m, preFd, top-4) }, EFAULT},
		{"fd_prestat_get ending at 2^32", func(m Memory) Errno { return f.a.FdPrestatGet(m, preFd, top-8) }, ESUCCESS},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &writesMemory{}
			if got := c.call(m); got != c.want {
				t.Fatalf("errno %v, want %v", got, c.want)
			}
			if c.want != ESUCCESS && len(m.at) != 0 {
				t.Errorf("failed, yet wrote at %v", m.at)
			}
			for _, at := range m.at {
				if at < 1<<31 && c.want == ESUCCESS {
					t.Errorf("wrote at %#x, below the results", at)
				}
			}
		})
	}
}
