// Package taskpool holds the tasks a host front end runs its calls on:
// a template task, which holds the descriptor table of the files the
// front end opens and makes no call itself, and tasks that share that
// table (vfs.Task.CloneFiles), one to a call, as a Linux process's
// threads each make their own system calls. One goroutine drives a task
// at a time, so a call asleep in the VFS (a FIFO's read, a flock wait)
// holds its task and no other.
//
// A Pool is not safe for concurrent use: its owner guards it with a
// mutex of its own, held only for Take, Give and Exit, never across a
// call.
package taskpool

import "github.com/vfscope/vfscope/vfs"

// MaxIdle is how many tasks a pool keeps for its next calls; a task
// given back beyond them (after many calls asleep at once) exits.
const MaxIdle = 8

// Pool is a template task and the idle tasks sharing its table.
type Pool struct {
	tmpl *vfs.Task
	// comm is the name of the tasks Take makes.
	comm string
	// free are the tasks no call drives now, at most MaxIdle.
	free []*vfs.Task
	// busy counts the tasks Take returned and Give has not taken back.
	busy int
	// dead says Exit ran: a task given back then exits too.
	dead bool
}

// New makes a pool over tmpl, whose calls' tasks are named comm.
func New(tmpl *vfs.Task, comm string) *Pool { return &Pool{tmpl: tmpl, comm: comm} }

// Template returns the task the pool was made over.
func (p *Pool) Template() *vfs.Task { return p.tmpl }

// Take returns a task for one call: an idle one, or a new CloneFiles of
// the template.
func (p *Pool) Take() *vfs.Task {
	p.busy++
	if n := len(p.free); n > 0 {
		t := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return t
	}
	return p.tmpl.CloneFiles(p.comm)
}

// Give takes back a task Take returned; it exits if the pool did, or if
// MaxIdle tasks are idle already.
func (p *Pool) Give(t *vfs.Task) {
	p.busy--
	if p.dead || len(p.free) >= MaxIdle {
		t.Exit()
		return
	}
	p.free = append(p.free, t)
}

// Busy is how many tasks calls hold now.
func (p *Pool) Busy() int { return p.busy }

// Exit ends the idle tasks and the template; tasks still in calls end
// when they are given back, and the table's descriptors close with the
// last task sharing it.
func (p *Pool) Exit() {
	p.dead = true
	for _, t := range p.free {
		t.Exit()
	}
	p.free = nil
	p.tmpl.Exit()
}

// CloseEarly does, on t, what close(2) of fd does at once when a call on
// another task sharing the table still uses the descriptor: filp_flush
// (the file's ->flush, the release of the table's POSIX locks on it, the
// report of a write-back error), by closing a duplicate, and returns its
// error. The description stays open for that call; the caller closes the
// descriptor itself when the last call using it returns. A full table
// (EMFILE) leaves it all to that close.
func CloseEarly(t *vfs.Task, fd int) error {
	nfd, err := t.Dup(fd)
	if err != nil {
		return nil
	}
	return t.Close(nfd)
}
