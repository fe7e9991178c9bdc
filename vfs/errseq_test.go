package vfs

import (
	"sync"
	"testing"
)

// TestErrSeq follows lib/errseq.c's contract step by step: each row
// acts on one ErrSeq and two observers (a and b) and states what each
// observer's check reports.
func TestErrSeq(t *testing.T) {
	type step struct {
		do   string // "set", "sampleA", "sampleB", "checkA", "checkB", "peekA", "advanceA"
		err  error  // for set
		want error  // for checks
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"no error, nothing reported", []step{
			{do: "sampleA"}, {do: "checkA"}, {do: "checkA"},
		}},
		{"an error reaches each observer once", []step{
			{do: "sampleA"}, {do: "sampleB"},
			{do: "set", err: EIO},
			{do: "checkA", want: EIO}, {do: "checkA"},
			{do: "checkB", want: EIO}, {do: "checkB"},
		}},
		{"an observer that samples after a seen error does not see it", []step{
			{do: "sampleA"},
			{do: "set", err: EIO},
			{do: "checkA", want: EIO},
			{do: "sampleB"}, {do: "checkB"},
		}},
		{"an error nobody saw reaches a later observer", []step{
			{do: "set", err: ENOSPC},
			{do: "sampleA"}, {do: "checkA", want: ENOSPC}, {do: "checkA"},
			{do: "sampleB"}, {do: "checkB"},
		}},
		{"two unseen errors report the latest once", []step{
			{do: "sampleA"},
			{do: "set", err: EIO}, {do: "set", err: ENOSPC},
			{do: "checkA", want: ENOSPC}, {do: "checkA"},
		}},
		{"an error after a seen one is new to everyone", []step{
			{do: "sampleA"}, {do: "sampleB"},
			{do: "set", err: EIO},
			{do: "checkA", want: EIO},
			{do: "set", err: EIO},
			{do: "checkA", want: EIO},
			{do: "checkB", want: EIO}, {do: "checkB"},
		}},
		{"peek does not consume", []step{
			{do: "sampleA"},
			{do: "set", err: EIO},
			{do: "peekA", want: EIO}, {do: "peekA", want: EIO},
			{do: "checkA", want: EIO}, {do: "peekA"},
		}},
		// Advance (close's report) moves its observer on but leaves
		// the error unseen: a later sample still gets it, and the
		// advanced observer's own check does not repeat it, even
		// after someone else marked it seen.
		{"advance reports once and marks nothing", []step{
			{do: "sampleA"},
			{do: "set", err: EIO},
			{do: "advanceA", want: EIO}, {do: "advanceA"}, {do: "checkA"},
			{do: "sampleB"}, {do: "checkB", want: EIO}, {do: "checkB"},
			{do: "checkA"},
		}},
		{"nil and out-of-range errors record nothing", []step{
			{do: "sampleA"},
			{do: "set", err: nil}, {do: "set", err: Errno(5000)},
			{do: "checkA"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e ErrSeq
			var a, b ErrSeqT
			for i, s := range c.steps {
				var got error
				switch s.do {
				case "set":
					e.Set(s.err)
					continue
				case "sampleA":
					a = e.Sample()
					continue
				case "sampleB":
					b = e.Sample()
					continue
				case "checkA":
					got = e.CheckAndAdvance(&a)
				case "checkB":
					got = e.CheckAndAdvance(&b)
				case "peekA":
					got = e.Check(a)
				case "advanceA":
					got = e.Advance(&a)
				}
				if got != s.want {
					t.Fatalf("step %d (%s): got %v, want %v", i, s.do, got, s.want)
				}
			}
		})
	}
}

// TestErrSeqConcurrent: observers checking while errors are set each see
// the last error at least once after the last Set, and never an error
// when none was set after their previous check.
func TestErrSeqConcurrent(t *testing.T) {
	var e ErrSeq
	const observers = 4
	since := make([]ErrSeqT, observers)
	for i := range since {
		since[i] = e.Sample()
	}
	var wg sync.WaitGroup
	for i := 0; i < observers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				if err := e.CheckAndAdvance(&since[i]); err != nil && err != EIO {
					t.Errorf("observer %d: %v", i, err)
					return
				}
			}
		}(i)
	}
	for j := 0; j < 1000; j++ {
		e.Set(EIO)
	}
	wg.Wait()
	for i := range since {
		e.CheckAndAdvance(&since[i])
		if err := e.CheckAndAdvance(&since[i]); err != nil {
			t.Fatalf("observer %d: second check after quiescence: %v", i, err)
		}
	}
	e.Set(EIO)
	for i := range since {
		if err := e.CheckAndAdvance(&since[i]); err != EIO {
			t.Fatalf("observer %d: last error: %v", i, err)
		}
	}
}
