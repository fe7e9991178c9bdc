package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vfscope/vfscope/host/live"
	"github.com/vfscope/vfscope/host/shell"
	"github.com/vfscope/vfscope/vfs"
)

// The shell viewers of vfscope serve --live --allow-write share. Lines
// run one at a time, so one viewer's line that cannot finish would hold
// up every other viewer's for ever: a flock(2) behind a lock somebody
// holds, a write into a frozen filesystem. As the browser's bridge does
// (wasm/bridge/stall.go), such a line is ended the way ^C ends a job on
// Linux: vfs.VFS.Interrupt makes interruptible waits fail with EINTR,
// and the shell stops the line with status 130. That happens when the
// line has run for longer than the live shell's timeout, or when the
// viewer that sent it leaves. A line still asleep after the interrupt
// (sb_start_write on a frozen filesystem is uninterruptible, as in
// Linux) is left asleep, and the next line runs in a fresh shell.
//
// A line that ends the shell (exit, or a failure under set -e) does not
// end it for everybody: the next line runs in a fresh shell, and the
// reply says the shell exited (live.Result.Exited).

// liveCommandTimeout is how long a viewer's line may run before it is
// interrupted. Lines on the live VFS (a memory VFS, output capped at
// shell.DefaultOutputLimit) take milliseconds unless they sleep.
const liveCommandTimeout = 10 * time.Second

// liveCommandGrace is how long a line still sleeping after the interrupt
// is waited for before it is left asleep (the browser's StallGrace).
const liveCommandGrace = time.Second

// liveShell is that shell.
type liveShell struct {
	v       *vfs.VFS
	parent  *vfs.Task     // each shell's task is forked from it
	timeout time.Duration // a line running longer is interrupted
	grace   time.Duration // then waited for this long at most

	// mu serialises the viewers' lines and protects sh, task and out.
	// It is outside every lock of the VFS (a line takes those under it).
	mu   sync.Mutex
	sh   *shell.Shell // nil: the next line starts a fresh shell
	task *vfs.Task    // sh's task
	out  *lineOutput  // what sh prints
}

func newLiveShell(v *vfs.VFS, parent *vfs.Task) *liveShell {
	return &liveShell{v: v, parent: parent, timeout: liveCommandTimeout, grace: liveCommandGrace}
}

// lineOutput collects what a line prints. Its own lock, since a line
// left asleep may still print when it wakes. mu is a leaf lock.
type lineOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *lineOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *lineOutput) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.b.Reset()
}

func (o *lineOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// exec runs line in the shared shell (see above); ctx ends when the
// viewer that sent it leaves.
func (l *liveShell) exec(ctx context.Context, line string) live.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ctx.Err() != nil {
		// The viewer left while the line waited for its turn: it does
		// not run.
		return live.Result{Output: "vfscope: the viewer that sent the line left before it ran\n", Status: 130}
	}
	if l.sh == nil {
		l.task = l.parent.Fork("sh")
		l.out = new(lineOutput)
		l.sh = shell.New(l.task, strings.NewReader(""), l.out, l.out)
	}
	sh, out := l.sh, l.out
	out.Reset()
	done := make(chan int, 1)
	go func() { done <- sh.RunString(line) }()
	timer := time.NewTimer(l.timeout)
	defer timer.Stop()
	var why string
	select {
	case status := <-done:
		return l.finished(out, status)
	case <-timer.C:
		why = fmt.Sprintf("the line ran for more than %v: interrupted, as ^C would", l.timeout)
	case <-ctx.Done():
		why = "the viewer that sent the line left: interrupted, as ^C would"
	}
	l.v.Interrupt()
	defer l.v.ClearInterrupt()
	grace := time.NewTimer(l.grace)
	defer grace.Stop()
	select {
	case status := <-done:
		r := l.finished(out, status)
		r.Output += "vfscope: " + why + "\n"
		return r
	case <-grace.C:
	}
	// Asleep in a wait no signal ends: leave it, and give the next line
	// a fresh shell. The line stops when its wait ends, as a task does
	// that finds the pending SIGINT on its way out of the syscall, and
	// its task exits then (it holds a working directory and files).
	sh.Kill()
	task := l.task
	go func() {
		<-done
		task.Exit()
	}()
	l.sh, l.task, l.out = nil, nil, nil
	return live.Result{
		Output: out.String() + "vfscope: " + why + "; it still sleeps in a wait no signal ends " +
			"(as a write to a frozen filesystem does), so it is left asleep and the next line runs in a fresh shell\n",
		Status: 130,
		Exited: true,
	}
}

// finished is the result of a line that ended with status; a shell
// that exited is replaced by a fresh one at the next line.
func (l *liveShell) finished(out *lineOutput, status int) live.Result {
	r := live.Result{Output: out.String(), Status: status}
	if l.sh.Exited() {
		r.Exited = true
		l.task.Exit()
		l.sh, l.task, l.out = nil, nil, nil
	}
	return r
}
