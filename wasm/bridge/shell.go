package bridge

import (
	"bytes"
	"io"

	"github.com/vfscope/vfscope/host/shell"
)

// shellSession is one host/shell session on a VFS: a task of its own
// (forked from the VFS's, so its cd and umask are its own) and the
// buffers its output goes to.
type shellSession struct {
	in     *instance
	sh     *shell.Shell
	stdin  *lineInput
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// lineInput is the shell's standard input: what the current shellRun
// call passed, then end of file.
type lineInput struct{ r bytes.Reader }

func (l *lineInput) Read(p []byte) (int, error) { return l.r.Read(p) }

func (s *shellSession) close() { s.sh.Task().Exit() }

func opShellNew(c *call) error {
	t := c.in.task.Fork("sh")
	s := &shellSession{in: c.in, stdin: &lineInput{}}
	s.sh = shell.New(t, s.stdin, &s.stdout, &s.stderr)
	id := c.b.id()
	c.b.shells[id] = s
	c.e.num(int64(id))
	return nil
}

func (c *call) shell(id int64) (*shellSession, error) {
	s := c.b.shells[uint32(id)]
	if s == nil || id <= 0 || id > 1<<32-1 {
		return nil, errBadRequest{"no shell " + itoa(id) + " (closed or never created)"}
	}
	if s.in.wedged != "" {
		return nil, errBadRequest{"the shell's VFS is unusable: " + s.in.wedged}
	}
	c.sc.cur.Store(s.in)
	return s, nil
}

// opShellRun runs one command line (or several, separated by newlines)
// and returns what it printed and its status.
func opShellRun(c *call) error {
	id, line, stdin := c.d.num(), c.d.str(), c.d.bytes()
	if !c.ok() {
		return nil
	}
	s, err := c.shell(id)
	if err != nil {
		return err
	}
	s.stdin.r.Reset(bytes.Clone(stdin))
	s.stdout.Reset()
	s.stderr.Reset()
	status := s.sh.Status()
	if !s.sh.Exited() {
		// A line the watchdog interrupted (stall.go) ends as a job ^C
		// killed: the shell drops the rest and reports 130.
		status = s.sh.RunString(line)
	}
	exited := byte(0)
	if s.sh.Exited() {
		exited = 1
	}
	c.e.num(int64(status))
	c.e.u8(exited)
	c.e.bytes(s.stdout.Bytes())
	c.e.bytes(s.stderr.Bytes())
	c.e.str(s.sh.Prompt())
	s.stdin.r.Reset(nil)
	return nil
}

// opShellSplit parses a line as the shell would (host/shell's Split)
// without running it, for a host that runs the programs the shell does
// not know (WASI guests) with the shell's quoting, redirections and
// working directory. A syntax error is returned as text, not as a
// failed call: the host prints it as the shell would.
func opShellSplit(c *call) error {
	id, line := c.d.num(), c.d.str()
	if !c.ok() {
		return nil
	}
	s, err := c.shell(id)
	if err != nil {
		return err
	}
	cwd, err := s.sh.Task().Getcwd()
	if err != nil {
		return err
	}
	cmds, perr := s.sh.Split(line)
	if perr != nil {
		c.e.str(perr.Error())
	} else {
		c.e.str("")
	}
	c.e.str(cwd)
	c.e.u32(uint32(len(cmds)))
	for _, sc := range cmds {
		c.e.u32(uint32(len(sc.Args)))
		for _, a := range sc.Args {
			c.e.str(a)
		}
		c.e.u32(uint32(len(sc.Redirects)))
		for _, r := range sc.Redirects {
			c.e.u8(uint8(r.FD))
			c.e.str(r.Op)
			c.e.str(r.Target)
		}
	}
	return nil
}

// opShellSetStatus records the status of a command line the host ran
// for the shell (a WASI guest's exit status, or 1 for a redirection that
// failed before it started): the shell's "$?" is then that status, as
// after a command of its own (host/shell's SetStatus).
func opShellSetStatus(c *call) error {
	id, status := c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	s, err := c.shell(id)
	if err != nil {
		return err
	}
	s.sh.SetStatus(int(status))
	return nil
}

func opShellClose(c *call) error {
	id := c.d.num()
	if !c.ok() {
		return nil
	}
	s, err := c.shell(id)
	if err != nil {
		return err
	}
	s.close()
	delete(c.b.shells, uint32(id))
	return nil
}

var _ io.Reader = (*lineInput)(nil)
