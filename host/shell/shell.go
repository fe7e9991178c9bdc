// Package shell is a small POSIX-like shell over a vfscope VFS: the
// commands of GNU coreutils and util-linux that a filesystem session
// needs (ls, cat, mkdir, mount, stat, df ...), each printing what the
// Linux tool prints, including its error messages and exit statuses.
//
// The shell never touches the host: it reads commands from an io.Reader,
// writes to io.Writers and does every filesystem operation through a
// *vfs.Task, so the same code runs in the vfscope command, in tests and
// in the browser (GOOS=js).
//
// Syntax: one command per line or separated by ';', '&&', '||' and
// '|' (a pipe runs its commands one after the other, the output of each
// buffered into the next, each in a subshell: a forked task and a copy
// of the shell); '#' comments; single quotes, double quotes and
// backslash escapes; redirections '<', '>', '>>', '2>', '2>>', '2>&1'
// into VFS files, and '>&-', '2>&-', '<&-' closing a descriptor; "$?"
// for the last status; `set -e` / `set +e`.
//
// Output is bounded. Commands stream to the writers New was given, but
// the browser's shell API and the live server collect those writers'
// bytes in memory, so by default one command line may leave at most
// DefaultOutputLimit (1 MiB) there, standard output and error together
// (Shell.OutputLimit; 0 lifts the limit, for a terminal). A command
// whose write goes past it gets a write error, as a full disk or a pipe
// whose reader has gone would give, and the shell prints
// "cat: output truncated after 1048576 bytes (the shell's output
// limit)" past the limit and fails the command with status 1; later
// commands of the line still run. With a limit, reading a device that
// never ends (/dev/zero, /dev/urandom) also stops after OutputLimit
// bytes ("cat: /dev/zero: stopped after N bytes ..."), wherever the
// bytes go, and a pipe's buffer holds at most OutputLimit bytes
// (DefaultPipeLimit without a limit), so no command line runs forever
// or fills memory: Linux's cat streams without end until ^C, which a
// browser call that returns once the line is done cannot send.
package shell

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// Shell runs commands on a Task. A Shell is driven by one goroutine at a
// time, as its Task is.
type Shell struct {
	t      *vfs.Task
	stdin  *bufio.Reader
	stdout io.Writer
	stderr io.Writer

	// Interactive prints a prompt ("vfscope:/path# ") on stderr before
	// each command line read by Run, and keeps going after syntax errors.
	Interactive bool
	// ErrExit stops the shell at the first command that fails (sh -e,
	// `set -e`).
	ErrExit bool
	// Location is the time zone of the dates ls and stat print; nil means
	// UTC.
	Location *time.Location
	// Now is the current time ls -l compares dates with; nil means the
	// VFS's clock.
	Now func() time.Time
	// OutputLimit is the most bytes the commands of one command line
	// (one line read by Run; everything one RunString or RunScript call
	// runs) write to the shell's standard output and error together,
	// and the most a command reads from a device or leaves in a pipe's
	// buffer (see the package doc). New sets DefaultOutputLimit; 0
	// lifts the limit on output and device reads, for a shell whose
	// output streams to a terminal or a file.
	OutputLimit int64

	outUsed int64 // bytes of OutputLimit this command line has used

	status int
	exited bool
	line   int

	pwd    string // the working directory's name as cd gave it (cwd.go), "" for none
	oldpwd string // the name before the last cd, for `cd -`

	// killed, once set (Kill), stops the shell as a signal left pending
	// on a task in an uninterruptible wait does: the command running
	// ends when its wait does, and no further one runs, in the shell or
	// its subshells (which share it).
	killed *atomic.Bool
}

// Kill stops the shell for good: the command it runs goes on only until
// its current wait ends, and nothing after it runs. A host uses it for a
// line left asleep in a wait no signal ends (a write into a frozen
// filesystem), whose VFS interrupt it must clear for the lines that run
// meanwhile. Safe from any goroutine.
func (s *Shell) Kill() { s.killed.Store(true) }

// New makes a shell acting as task t. Commands that read standard input
// (cat with no operand or "-") read stdin; so does Run.
func New(t *vfs.Task, stdin io.Reader, stdout, stderr io.Writer) *Shell {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	br, ok := stdin.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(stdin)
	}
	s := &Shell{t: t, stdin: br, OutputLimit: DefaultOutputLimit, killed: new(atomic.Bool)}
	s.stdout = &outputWriter{w: stdout, sh: s}
	s.stderr = &outputWriter{w: stderr, sh: s}
	return s
}

// Task returns the task the shell acts as (su may have changed its
// credentials).
func (s *Shell) Task() *vfs.Task { return s.t }

// Status returns the status of the last command.
func (s *Shell) Status() int { return s.status }

// SetStatus records n as the status of a command line the host ran for
// the shell: a program the shell does not know, such as a WASI guest
// whose line the host split with Split. The next "$?" expands to it, as
// after the shell's own commands; n is taken modulo 256, as exit(3)
// statuses are. Under ErrExit a nonzero status stops the shell, as a
// failing command of its own would. A shell that has exited keeps its
// exit status.
func (s *Shell) SetStatus(n int) {
	if s.exited {
		return
	}
	s.status = n & 0xff
	if s.ErrExit && s.status != 0 {
		s.exited = true
	}
}

// Exited reports whether the shell has stopped: `exit`, or a failure
// under ErrExit.
func (s *Shell) Exited() bool { return s.exited }

// Run reads commands from the shell's standard input until end of input
// or `exit`, and returns the exit status: the last command's.
func (s *Shell) Run() int { return s.run(s.stdin, true) }

// RunScript reads commands from r (a script file, `sh -c`'s string);
// standard input stays the shell's.
func (s *Shell) RunScript(r io.Reader) int {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	return s.run(br, false)
}

// RunString runs the commands in src.
func (s *Shell) RunString(src string) int { return s.RunScript(strings.NewReader(src)) }

// Prompt is what an interactive shell prints before reading a command:
// "vfscope:" and the working directory, then '#' for uid 0 or '$'.
func (s *Shell) Prompt() string {
	cwd, err := s.logicalCwd()
	if err != nil {
		if cwd, err = s.t.Getcwd(); err != nil {
			cwd = "?"
		}
	}
	c := "$"
	if s.t.Cred().UID == 0 {
		c = "#"
	}
	return "vfscope:" + cwd + c + " "
}

// run runs the commands read from r; OutputLimit counts per line read
// when perLine, else for the whole of r.
func (s *Shell) run(r *bufio.Reader, perLine bool) int {
	s.startOutput()
	var pending string
	startLine := 0
	for !s.exited {
		if perLine && pending == "" {
			s.startOutput()
		}
		if s.Interactive {
			if pending == "" {
				io.WriteString(s.stderr, s.Prompt())
			} else {
				io.WriteString(s.stderr, "> ")
			}
		}
		line, err := r.ReadString('\n')
		if err == vfs.EINTR && s.Interactive {
			// ^C at the prompt (TerminalReader): the line typed so
			// far is dropped and the prompt comes back, as dash does.
			s.t.VFS().ClearInterrupt()
			io.WriteString(s.stderr, "\n")
			pending = ""
			s.status = statusSIGINT
			continue
		}
		if line == "" && err != nil {
			if pending != "" {
				s.syntaxError(startLine, "syntax error: unexpected end of file")
			}
			if s.Interactive {
				io.WriteString(s.stderr, "\n")
			}
			break
		}
		s.line++
		if pending == "" {
			startLine = s.line
		}
		src := pending + line
		lists, perr := parse(src)
		if perr == errIncomplete {
			pending = src
			if !strings.HasSuffix(pending, "\n") {
				pending += "\n"
			}
			continue
		}
		pending = ""
		if perr != nil {
			s.syntaxError(startLine, perr.Error())
			continue
		}
		if s.Interactive && perLine {
			// A ^C typed at the prompt: the terminal dropped the line it
			// held, and an interactive shell ignores SIGINT itself.
			s.t.VFS().ClearInterrupt()
		}
		for _, ao := range lists {
			s.runAndOr(ao)
			if s.exited || s.interrupted() {
				break
			}
		}
		if s.interrupted() {
			// As ^C to a shell: the job is killed and the rest of what
			// was typed is dropped. A script stops there; an interactive
			// shell reading its terminal survives it, prints a newline
			// (dash's main loop on EXINT) and prompts again.
			s.status = statusSIGINT
			if !s.Interactive || !perLine {
				break
			}
			s.t.VFS().ClearInterrupt()
			io.WriteString(s.stderr, "\n")
		}
	}
	return s.status
}

// statusSIGINT is the status a shell reports for a job SIGINT ended
// (128 + 2).
const statusSIGINT = 130

// interrupted reports whether the VFS has a signal pending
// (vfs.VFS.Interrupt: a host ending a command that cannot finish, as ^C
// would): the command running is ended by it (its interruptible wait
// fails with EINTR) and no further one runs.
func (s *Shell) interrupted() bool { return s.killed.Load() || s.t.VFS().Interrupted() }

// syntaxError reports a parse error as bash does; a script stops there.
func (s *Shell) syntaxError(line int, msg string) {
	fmt.Fprintf(s.stderr, "vfscope: line %d: %s\n", line, msg)
	s.status = 2
	if !s.Interactive {
		s.exited = true
	}
}

func (s *Shell) runAndOr(ao andOr) {
	last := -1
	for i, p := range ao.pipes {
		if i > 0 {
			if (ao.ops[i-1] == "&&") != (s.status == 0) {
				continue
			}
		}
		s.status = s.runPipeline(p)
		last = i
		if s.exited {
			return
		}
		if s.interrupted() {
			s.status = statusSIGINT
			return
		}
	}
	// set -e ignores a failure on the left of && or ||.
	if s.ErrExit && s.status != 0 && last == len(ao.pipes)-1 {
		s.exited = true
	}
}

// runPipeline runs the commands of a pipe one after the other, each
// one's output buffered as the next one's input (at most pipeLimit
// bytes of it). The status is the last command's. In a pipeline of
// several commands each runs in a subshell, as POSIX sh does ("each
// command of a multi-command pipeline is in a subshell environment"):
// exit, cd, set, umask or su there leave the shell as it was.
func (s *Shell) runPipeline(p pipeline) int {
	if len(p.cmds) == 1 {
		return s.runCommand(p.cmds[0], s.stdin, s.stdout)
	}
	var in io.Reader = s.stdin
	status := 0
	for i, c := range p.cmds {
		var out io.Writer = s.stdout
		var buf *pipeBuffer
		if i < len(p.cmds)-1 {
			buf = &pipeBuffer{limit: s.pipeLimit()}
			out = buf
		}
		status = s.subshell(func(sub *Shell) int { return sub.runCommand(c, in, out) })
		if s.interrupted() {
			return statusSIGINT
		}
		in = buf
	}
	return status
}

// subshell runs fn on a copy of the shell acting as a fork of its task
// (fork(2): its own working directory, umask, credentials and
// descriptor table), and returns fn's status. The copy writes to the
// shell's outputs, so the output limit counts what it writes.
func (s *Shell) subshell(fn func(sub *Shell) int) int {
	sub := *s
	sub.t = s.t.Fork(s.t.Comm())
	defer sub.t.Exit()
	sub.exited = false
	return fn(&sub)
}

// runCommand expands the words, sets up the redirections and runs the
// command.
func (s *Shell) runCommand(c command, stdin io.Reader, stdout io.Writer) int {
	args := make([]string, 0, len(c.words))
	for _, w := range c.words {
		args = append(args, s.expandWord(w)...)
	}
	x := &cmd{sh: s, t: s.t, stdin: stdin, stdout: stdout, stderr: s.stderr}
	var fds []int
	defer func() {
		for _, fd := range fds {
			s.t.Close(fd)
		}
	}()
	// The redirections apply in order, and one that fails says so on
	// standard error as the ones before it left it, as bash's do:
	// "2>e >&3" writes "3: Bad file descriptor" into e, "2>&- >&3"
	// nowhere.
	for _, r := range expandRedirects(c.redirs, s.status) {
		target := r.Target
		if r.Op == ">&" {
			var w io.Writer
			switch {
			case target == "-":
				x.close(r.FD)
				continue
			case target == "0" && r.FD == 0:
				continue
			case target == "1":
				w = x.stdout
			case target == "2":
				w = x.stderr
			case !namesDescriptor(target):
				fmt.Fprintf(x.stderr, "%s: ambiguous redirect\n", target)
				return 1
			}
			// A descriptor past 2, or standard input copied to 1 or
			// 2 (the shell's input is a reader only), is not open
			// for writing here: dup2 fails with EBADF. Standard
			// output copied to 0 ("<&1") leaves standard input as
			// it was.
			if w == nil || w == io.Writer(closedFile{}) {
				fmt.Fprintf(x.stderr, "%s: %s\n", target, errText(vfs.EBADF))
				return 1
			}
			if r.FD == 1 {
				x.stdout = w
			} else if r.FD == 2 {
				x.stderr = w
			}
			continue
		}
		flags := vfs.O_RDONLY
		switch r.Op {
		case ">":
			flags = vfs.O_WRONLY | vfs.O_CREAT | vfs.O_TRUNC
		case ">>":
			flags = vfs.O_WRONLY | vfs.O_CREAT | vfs.O_APPEND
		}
		fd, err := s.t.Open(target, flags, 0o666)
		if err != nil {
			fmt.Fprintf(x.stderr, "%s: %s\n", target, errText(err))
			return 1
		}
		fds = append(fds, fd)
		switch r.FD {
		case 0:
			x.stdin = &fdReader{t: s.t, fd: fd}
		case 1:
			x.stdout = &fdWriter{t: s.t, fd: fd}
		case 2:
			x.stderr = &fdWriter{t: s.t, fd: fd}
		}
	}
	if len(args) == 0 {
		return 0 // "> f" alone creates or truncates f
	}
	x.name, x.args = args[0], args[1:]
	b, ok := builtins[x.name]
	if !ok {
		fmt.Fprintf(x.stderr, "%s: command not found\n", x.name)
		return 127
	}
	// A command a pending interrupt ends is killed by SIGINT: it
	// writes nothing more (no "Interrupted system call" from its wait).
	x.stderr = &killedWriter{w: x.stderr, sh: s}
	out := &trackWriter{w: &killedWriter{w: x.stdout, sh: s}}
	x.stdout = out
	status := b.run(x)
	if text, ok := limitText(out.err); ok {
		// Past the limit, where it is seen.
		fmt.Fprintf(unlimited(x.stderr), "%s: %s\n", x.name, text)
		if status == 0 {
			status = 1
		}
	} else if out.err != nil {
		// Commands leave write errors on standard output to the shell,
		// which reports them once, as coreutils' close_stdout does.
		x.errorf("write error: %s", errText(out.err))
		if status == 0 {
			status = 1
		}
	}
	return status
}

// closedFile stands for a descriptor a redirection closed (">&-",
// "2>&-", "<&-"): as on a descriptor close(2) freed, the command's
// reads and writes on it fail with EBADF, and a redirection that
// copies it ("2>&- >&2") is a bad descriptor.
type closedFile struct{}

func (closedFile) Read([]byte) (int, error)  { return 0, vfs.EBADF }
func (closedFile) Write([]byte) (int, error) { return 0, vfs.EBADF }

// close closes the command's descriptor fd (0, 1 or 2).
func (c *cmd) close(fd int) {
	switch fd {
	case 0:
		c.stdin = closedFile{}
	case 1:
		c.stdout = closedFile{}
	case 2:
		c.stderr = closedFile{}
	}
}

// fdWriter writes to a descriptor of the task.
type fdWriter struct {
	t  *vfs.Task
	fd int
}

func (w *fdWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := w.t.Write(w.fd, p[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

// fdReader reads from a descriptor of the task.
type fdReader struct {
	t  *vfs.Task
	fd int
}

func (r *fdReader) Read(p []byte) (int, error) {
	n, err := r.t.Read(r.fd, p)
	if err != nil {
		return n, err
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// killedWriter drops what a command writes once an interrupt is
// pending (vfs.VFS.Interrupt, ^C): SIGINT has killed it.
type killedWriter struct {
	w  io.Writer
	sh *Shell
}

func (w *killedWriter) Write(p []byte) (int, error) {
	if w.sh.interrupted() {
		return len(p), nil
	}
	return w.w.Write(p)
}

// trackWriter remembers the first write error, so the shell can report
// "echo: write error: No space left on device".
type trackWriter struct {
	w   io.Writer
	err error
}

func (w *trackWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// errText is strerror: vfs.Errno carries glibc's text.
func errText(err error) string {
	if e, ok := err.(vfs.Errno); ok {
		return e.Error()
	}
	if text, ok := limitText(err); ok {
		return text
	}
	return vfs.ErrnoOf(err).Error()
}

// cmd is one command being run.
type cmd struct {
	sh     *Shell
	t      *vfs.Task
	name   string
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints "name: message" on standard error.
func (c *cmd) errorf(format string, a ...any) {
	fmt.Fprintf(c.stderr, c.name+": "+format+"\n", a...)
}

// printf writes to standard output.
func (c *cmd) printf(format string, a ...any) {
	fmt.Fprintf(c.stdout, format, a...)
}

// usageError prints a usage complaint and the coreutils hint, and
// returns status.
func (c *cmd) usageError(status int, format string, a ...any) int {
	c.errorf(format, a...)
	fmt.Fprintf(c.stderr, "Try '%s --help' for more information.\n", c.name)
	return status
}

func octal(m uint32) string { return strconv.FormatUint(uint64(m), 8) }
