package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestLiveShellStalls: a viewer's line that cannot finish does not hold
// the shared shell for ever. flock(2) behind a lock another task holds
// sleeps interruptibly (fs/locks.c: flock_lock_inode_wait waits with
// wait_event_interruptible and returns -ERESTARTSYS on a signal), so
// the interrupt ends it and the shell reports 130 (128 + SIGINT, as
// bash does for a job ^C killed); a write into a frozen filesystem
// sleeps in sb_start_write, which no signal ends (fs/super.c,
// percpu_down_read), so the line is left asleep and the next line runs
// in a fresh shell. Either way the next viewer's line runs.
func TestLiveShellStalls(t *testing.T) {
	v, task, err := boot.New(vfs.Options{Lockdep: true, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	holder := task.Fork("holder")
	fd, err := holder.Open("/tmp/lk", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Flock(fd, vfs.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	sh := newLiveShell(v, task.Fork("sh"))
	sh.timeout = 200 * time.Millisecond
	sh.grace = 200 * time.Millisecond
	left, leave := context.WithCancel(context.Background())
	defer leave()
	tests := []struct {
		name   string
		ctx    context.Context
		line   string
		out    string // in the output
		status int
		exited bool
		leave  bool // the viewer leaves while the line runs
	}{
		{"flock on a held lock, timed out", context.Background(), "flock /tmp/lk -c 'echo got it'; echo not reached", "ran for more than", 130, false, false},
		{"the next line runs", context.Background(), "echo next", "next\n", 0, false, false},
		{"flock on a held lock, viewer leaves", left, "flock -x /tmp/lk -c 'echo got it'", "viewer that sent the line left", 130, false, true},
		{"and the next line runs", context.Background(), "echo after", "after\n", 0, false, false},
		{"freeze /fz", context.Background(), "mkdir /fz && mount -t billyfs -o store=mem none /fz && fsfreeze -f /fz", "", 0, false, false},
		{"write into a frozen fs", context.Background(), "echo x > /fz/f; echo leak > /fz/leak", "left asleep", 130, true, false},
		{"a fresh shell runs the next line, and thaws", context.Background(), "fsfreeze -u /fz && echo thawed", "thawed\n", 0, false, false},
		{"the signal was cleared", context.Background(), "flock -n /tmp/f2 -c 'echo locked'", "locked\n", 0, false, false},
	}
	tasks := 0 // before the line left asleep
	for _, tc := range tests {
		start := time.Now()
		if tc.name == "write into a frozen fs" {
			tasks = len(v.Tasks())
		}
		if tc.leave {
			time.AfterFunc(50*time.Millisecond, leave)
			sh.timeout = time.Hour
		}
		r := sh.exec(tc.ctx, tc.line)
		sh.timeout = 200 * time.Millisecond
		if !strings.Contains(r.Output, tc.out) || r.Status != tc.status || r.Exited != tc.exited {
			t.Errorf("%s: %q: output %q, status %d, exited %v; want %q in it, status %d, exited %v",
				tc.name, tc.line, r.Output, r.Status, r.Exited, tc.out, tc.status, tc.exited)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", tc.name, d)
		}
	}
	if v.Interrupted() {
		t.Errorf("a signal is still pending after the lines ended")
	}
	// The line left asleep woke at the thaw: its write completed, as a
	// Linux task's does before the pending SIGINT kills it on the way
	// out, but nothing after it ran, and its task exited (the fresh
	// shell's took its place).
	var st vfs.Stat
	deadline := time.Now().Add(5 * time.Second)
	for task.Stat("/fz/f", &st) != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for len(v.Tasks()) > tasks && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := task.Stat("/fz/leak", &st); err != vfs.ENOENT {
		t.Errorf("the rest of the line left asleep ran after it woke: stat /fz/leak: %v", err)
	}
	if n := len(v.Tasks()); n > tasks {
		t.Errorf("the task of the line left asleep did not exit once it woke (%d tasks, %d before it)", n, tasks)
	}
	// A line whose viewer left while it waited for its turn does not run.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if r := sh.exec(gone, "echo ran > /tmp/queued"); r.Status != 130 || task.Stat("/tmp/queued", &st) != vfs.ENOENT {
		t.Errorf("a line of a viewer that left ran: status %d, output %q", r.Status, r.Output)
	}
}

// TestLiveShellExit: a line that ends the shell (exit, set -e and a
// failure) ends it for the line's viewer only: the reply says it
// exited, with its status (bash: exit N ends the shell with N; under
// set -e, a failing simple command ends it with that command's status),
// and the next line, whoever sends it, runs in a fresh shell.
func TestLiveShellExit(t *testing.T) {
	v, task, err := boot.New(vfs.Options{Lockdep: true, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	lv := liveServer("test", v, task.Fork("sh"), nil, nil)
	tests := []struct {
		line   string
		out    string
		status int
		exited bool
	}{
		{"cd /tmp; pwd", "/tmp\n", 0, false},
		{"pwd", "/tmp\n", 0, false}, // the same shell between lines
		{"exit 3", "", 3, true},
		{"echo alive; pwd", "alive\n/\n", 0, false}, // a fresh one
		{"set -e; false; echo not reached", "", 1, true},
		{"echo alive again", "alive again\n", 0, false},
		{"false", "", 1, false}, // set -e went with the old shell
		{"echo still", "still\n", 0, false},
		{"exit", "", 0, true},
		{"echo last", "last\n", 0, false},
	}
	for _, tc := range tests {
		r := lv.Exec(context.Background(), tc.line)
		if r.Output != tc.out || r.Status != tc.status || r.Exited != tc.exited {
			t.Errorf("%q: output %q, status %d, exited %v; want %q, %d, %v", tc.line, r.Output, r.Status, r.Exited, tc.out, tc.status, tc.exited)
		}
	}
}
