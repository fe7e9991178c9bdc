// Command vfscope runs the Linux VFS rebuilt in Go.
//
//	vfscope                 the shell on a fresh VFS (same as vfscope sh)
//	vfscope sh [-e] [-c CMDS | FILE]
//	vfscope run [flags] APP.wasm [ARGS...]
//	vfscope serve [--addr HOST:PORT] [--allow-host HOST]... [--live [--allow-write]]
//	vfscope help
//
// Subcommands live in one table (subcommands below); adding one is adding
// a row and its function.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vfscope/vfscope/host/shell"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// env is what a subcommand runs with: the process's streams, passed in
// so tests can drive main without a process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// terminal reports whether stdin is a terminal (interactive shell).
	terminal bool
}

type subcommand struct {
	name    string
	usage   string // the arguments, for help
	summary string
	run     func(e *env, args []string) int
}

// subcommands is the table main dispatches on. The first row is what
// vfscope does without arguments.
var subcommands []subcommand

func init() {
	subcommands = []subcommand{
		{"sh", "[-e] [-c COMMANDS | FILE]", "run the shell on a fresh VFS (interactive on a terminal, else a script from stdin)", runSh},
		{"run", runUsage, "run a WASI preview1 guest on a fresh VFS", runRun},
		{"serve", serveUsage, "serve the playground (the VFS in the browser, drawn live) on localhost", runServe},
		{"help", "", "print this help", runHelp},
	}
}

func main() {
	os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, terminal: isTerminal(os.Stdin)}, os.Args[1:]))
}

// run dispatches on the subcommand and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		return subcommands[0].run(e, nil)
	}
	switch a := args[0]; {
	case a == "-h" || a == "--help":
		return runHelp(e, nil)
	case strings.HasPrefix(a, "-"):
		fmt.Fprintf(e.stderr, "vfscope: unknown flag %s (try 'vfscope help')\n", a)
		return 2
	}
	for _, sc := range subcommands {
		if sc.name == args[0] {
			return sc.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "vfscope: unknown command %q (try 'vfscope help')\n", args[0])
	return 2
}

func runHelp(e *env, args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "vfscope help: unexpected argument %s\n", args[0])
		return 2
	}
	fmt.Fprintf(e.stdout, "vfscope: the Linux VFS rebuilt in Go.\n\nUsage:\n")
	for _, sc := range subcommands {
		line := "vfscope " + sc.name
		if sc.usage != "" {
			line += " " + sc.usage
		}
		fmt.Fprintf(e.stdout, "  %-40s %s\n", line, sc.summary)
	}
	fmt.Fprintf(e.stdout, "\nWithout a command, vfscope runs the shell. In the shell, 'help' lists its commands.\n")
	return 0
}

// runSh is `vfscope sh`: -c runs a command string, FILE a script from
// the host, otherwise standard input (a prompt when it is a terminal);
// -e stops at the first failing command.
func runSh(e *env, args []string) (status int) {
	var script *string
	errExit := false
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			i = len(args)
		case a == "-h" || a == "--help":
			fmt.Fprintf(e.stdout, "Usage: vfscope sh %s\n", subcommands[0].usage)
			return 0
		case a == "-e":
			errExit = true
		case a == "-c":
			if i+1 >= len(args) {
				fmt.Fprintf(e.stderr, "vfscope sh: -c requires an argument\n")
				return 2
			}
			i++
			script = &args[i]
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(e.stderr, "vfscope sh: unknown flag %s (try 'vfscope sh -h')\n", a)
			return 2
		default:
			operands = append(operands, a)
		}
	}
	if len(operands) > 1 || script != nil && len(operands) > 0 {
		fmt.Fprintf(e.stderr, "vfscope sh: unexpected argument %s\n", operands[len(operands)-1])
		return 2
	}
	_, t, err := boot.New(vfs.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "vfscope: boot: %v\n", err)
		return 1
	}
	// ^C (SIGINT) interrupts the running command, not vfscope: an
	// interactive shell prompts again, a script stops with status 130.
	// SIGTERM, SIGHUP and SIGPIPE (a write to a standard output or error
	// whose reader has gone) interrupt it too and end the session, whose
	// standard input is then at its end; vfscope exits with 128 plus the
	// signal's number. Either way the stores below are written back.
	in := newEndReader(e.stdin)
	stdin := io.Reader(in)
	if e.terminal {
		// Reads of the terminal end at ^C as well (cat, the prompt).
		stdin = shell.NewTerminalReader(stdin, t.VFS())
	}
	stdout, stderr := &pipeWriter{w: e.stdout}, &pipeWriter{w: e.stderr}
	sh := shell.New(t, stdin, stdout, stderr)
	sig, release, brokenPipe := catchShellSignals(t.VFS(), sh, in)
	stdout.brokenPipe, stderr.brokenPipe = brokenPipe, brokenPipe
	// At exit, as a shutdown does: the disk-like filesystems the session
	// mounted (billyfs) are written back and unmounted, so that a store
	// on a host directory holds what the session wrote. The handler
	// stops first, so that no interrupt, a late one of the signal that
	// ended the script or a further signal's, lands after the clear
	// below; then the signal that ended the script was delivered, and
	// the write-back's waits sleep again.
	defer func() {
		defer release()
		if s := sig(); s != 0 {
			status = 128 + int(s)
		}
		t.VFS().ClearInterrupt()
		if writeBackStart != nil {
			writeBackStart(t.VFS())
		}
		unmountStores(t, e.stderr)
	}()
	// The output streams to the process's stdout, as Linux's cat does to
	// its terminal: nothing collects it, so no limit (^C stops it:
	// see catchShellSignals).
	sh.OutputLimit = 0
	sh.ErrExit = errExit
	sh.Location = time.Local
	switch {
	case script != nil:
		return sh.RunString(*script)
	case len(operands) == 1 && operands[0] != "-":
		src, err := os.ReadFile(operands[0])
		if err != nil {
			// As sh FILE: 127 for a file that is not there, 126 for one
			// that is but cannot be read (a directory, no permission).
			fmt.Fprintf(e.stderr, "vfscope sh: %s: %v\n", operands[0], pathErrText(err))
			if errors.Is(err, fs.ErrNotExist) {
				return 127
			}
			return 126
		}
		return sh.RunString(string(src))
	}
	sh.Interactive = e.terminal
	return sh.Run()
}

// catchShellSignals catches SIGINT, SIGTERM, SIGHUP and SIGPIPE for the
// shell's session and turns each into vfs.VFS.Interrupt, as a terminal's
// ^C sends SIGINT to the foreground job: the command's interruptible
// waits and copies end, and the shell reports status 130. SIGTERM,
// SIGHUP and SIGPIPE (which a write to a standard output or error whose
// reader has gone raises, and which ends the writer on Linux, status
// 141) also kill sh (Shell.Kill) and end in (the session's standard
// input) first: the shell runs no further command, whenever the command
// running ends (a cat that reads the end of in before the interrupt is
// set exits 0, and without the kill the next command would run), and
// it reads no further line, interactive or not, nor a command more
// input. Without it the Go runtime's default would kill vfscope, and the
// deferred write-back of the billyfs stores would never run. stop ends
// the handling (no interrupt comes after it returns) and returns the
// SIGTERM, SIGHUP or SIGPIPE caught, 0 if none; the signals stay caught,
// and are ignored, until release restores the default, so that one sent
// during the write-back neither interrupts its waits nor kills vfscope
// before the stores are written (a write then to the reader gone fails
// with EPIPE).
func catchShellSignals(v *vfs.VFS, sh *shell.Shell, in *endReader) (stop func() syscall.Signal, release func(), brokenPipe func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	var (
		mu      sync.Mutex     // protects ended and stopped, serialises deliver; a leaf but for the VFS's interrupt
		ended   syscall.Signal // the signal that ended the session, 0 if none
		stopped bool           // stop was called: no more interrupts
	)
	deliver := func(s os.Signal) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if s != os.Interrupt && ended == 0 {
			ended, _ = s.(syscall.Signal)
			sh.Kill() // first: sticky, unlike the interrupt the shell may clear
			in.end()
			if shellSignalStep != nil {
				shellSignalStep()
			}
		}
		v.Interrupt()
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case s := <-ch:
				deliver(s)
			case <-done:
				return
			}
		}
	}()
	var once sync.Once // closes done
	stop = func() syscall.Signal {
		once.Do(func() { close(done) })
		<-finished
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		return ended
	}
	// On Linux SIGPIPE ends the writer at the write that raised it; the
	// Go runtime delivers it to ch later, so the write's EPIPE delivers
	// it at once: the command that saw EPIPE is the shell's last.
	brokenPipe = func() { deliver(syscall.SIGPIPE) }
	return stop, func() {
		stop()
		signal.Stop(ch)
	}, brokenPipe
}

// pipeWriter is a standard output or error of vfscope sh: w, whose EPIPE
// (the reader has gone) calls brokenPipe before the writer sees it.
type pipeWriter struct {
	w          io.Writer
	brokenPipe func() // set before the shell runs
}

func (p *pipeWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil && errors.Is(err, syscall.EPIPE) {
		p.brokenPipe()
	}
	return n, err
}

// shellSignalStep, when not nil, runs in catchShellSignals between the
// end of the standard input and the interrupt, so that a test can widen
// the window in which the command running sees the end first. Set only
// by tests.
var shellSignalStep func()

// writeBackStart, when not nil, runs in runSh just before the stores
// are written back, so that a test can check that no interrupt lands
// there. Set only by tests.
var writeBackStart func(v *vfs.VFS)

// endReader is the standard input of vfscope sh: r, until end is called,
// from which on reads return io.EOF, even one already waiting for r.
// The read of r runs in a goroutine of its own, one at a time and only
// for a Read asked for, so that no more of r is consumed than the shell
// asks for (the rest stays for whoever reads it after vfscope).
type endReader struct {
	r     io.Reader
	ended chan struct{} // closed by end
	once  sync.Once     // closes ended

	mu      sync.Mutex       // protects pending and left, and serialises Read; a leaf
	pending chan endReadDone // the read of r under way, nil if none
	left    []byte           // what the last read of r returned beyond the Read's buffer
	leftErr error            // the error of that read, once left is read
}

type endReadDone struct {
	b   []byte
	err error
}

func newEndReader(r io.Reader) *endReader {
	return &endReader{r: r, ended: make(chan struct{})}
}

// end makes reads return io.EOF from now on. Safe from any goroutine.
func (er *endReader) end() { er.once.Do(func() { close(er.ended) }) }

func (er *endReader) Read(p []byte) (int, error) {
	er.mu.Lock()
	defer er.mu.Unlock()
	select {
	case <-er.ended:
		return 0, io.EOF
	default:
	}
	if len(er.left) > 0 {
		n := copy(p, er.left)
		er.left = er.left[n:]
		if len(er.left) > 0 {
			return n, nil
		}
		err := er.leftErr
		er.leftErr = nil
		return n, err
	}
	if er.pending == nil {
		ch := make(chan endReadDone, 1)
		buf := make([]byte, max(len(p), 1)) // no more than asked for (left holds it for an empty p)
		go func() {
			n, err := er.r.Read(buf)
			ch <- endReadDone{buf[:n], err}
		}()
		er.pending = ch
	}
	select {
	case d := <-er.pending:
		er.pending = nil
		n := copy(p, d.b)
		if n < len(d.b) {
			er.left, er.leftErr = d.b[n:], d.err
			return n, nil
		}
		return n, d.err
	case <-er.ended:
		return 0, io.EOF
	}
}

// pathErrText drops the "open FILE: " prefix of an *os.PathError.
func pathErrText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
