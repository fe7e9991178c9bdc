package shell

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

func init() {
	builtins["flock"] = builtin{cmdFlock, "flock [-s|-x|-u] [-n|-w SECS] [-E CODE] [-o|-F] [--verbose] FILE -c COMMAND | FILE COMMAND [ARG]... | FD   (util-linux's: hold a flock(2) lock on FILE while COMMAND runs)"}
}

// flock's exit statuses besides the command's: sysexits.h's, as
// util-linux's flock uses them.
const (
	exUsage     = 64 // EX_USAGE: bad options or operands
	exDataErr   = 65 // EX_DATAERR: flock(2) failed
	exNoInput   = 66 // EX_NOINPUT: the lock file cannot be opened
	exOSErr     = 71 // EX_OSERR: out of memory or descriptors
	exCantCreat = 73 // EX_CANTCREAT: the lock file cannot be created
)

// flockVerbose is the letter --verbose reports: it has no short form.
const flockVerbose = 0x80

// flockLong is util-linux 2.38's long options table, in its order (the
// order an ambiguous prefix lists the candidates in).
var flockLong = []longOpt{
	{"shared", 's', false},
	{"exclusive", 'x', false},
	{"unlock", 'u', false},
	{"nonblocking", 'n', false},
	{"nb", 'n', false},
	{"timeout", 'w', true},
	{"wait", 'w', true},
	{"conflict-exit-code", 'E', true},
	{"close", 'o', false},
	{"no-fork", 'F', false},
	{"verbose", flockVerbose, false},
	{"help", 'h', false},
	{"version", 'V', false},
}

// cmdFlock is util-linux's flock(1): open FILE (created if missing),
// take a flock(2) lock on it, run COMMAND (a shell line, with -c) and
// close the file, which releases the lock; or, given only a number,
// lock that descriptor of the shell's task. Options are util-linux's
// getopt_long ones ("+sexnoFuw:E:hV?"): they stop at the first operand.
// A lock another open file description holds makes -n fail at once,
// and -w after SECS, with status 1 (or -E's). COMMAND runs in this
// shell, in a subshell (a fork of the task, as flock's child is): an
// exit in it ends only COMMAND. -F runs it the same way (the status is
// the command's either way); -o closes the lock's descriptor in that
// subshell, the lock staying with flock's.
func cmdFlock(c *cmd) int {
	if len(c.args) == 0 {
		return c.usageError(exUsage, "not enough arguments")
	}
	o, ops, st, ok := c.getoptLong("+sexnoFuw:E:hV?", flockLong, exUsage)
	if !ok {
		return st
	}
	how := vfs.LOCK_EX
	nb, doClose, noFork, verbose := false, false, false, false
	conflict := 1
	var timeout time.Duration
	haveTimeout := false
	for _, op := range o.seq {
		switch op.ch {
		case 's':
			how = vfs.LOCK_SH
		case 'e', 'x':
			how = vfs.LOCK_EX
		case 'u':
			how = vfs.LOCK_UN
		case 'o':
			doClose = true
		case 'F':
			noFork = true
		case 'n':
			nb = true
		case 'w':
			secs, err := strconv.ParseFloat(strings.TrimLeft(op.val, " \t\n\v\f\r"), 64)
			if err != nil && !isRangeErr(err) {
				c.errorf("invalid timeout value: '%s'", op.val)
				return exUsage
			}
			if secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) || secs*1e9 > math.MaxInt64 {
				// setitimer(2) refuses a negative or overflowing time
				// (strtod reads "inf" and "nan").
				c.errorf("cannot set up timer: %s", vfs.EINVAL.Error())
				return exOSErr
			}
			timeout, haveTimeout = time.Duration(secs*1e9), true
		case 'E':
			n, ok := c.flockNumber("invalid exit code", op.val)
			if !ok {
				return exUsage
			}
			if n < 0 || n > 255 {
				c.errorf("exit code out of range (expected 0 to 255)")
				return exUsage
			}
			conflict = n
		case flockVerbose:
			verbose = true
		case 'V':
			c.printf("flock (the vfscope shell's builtin, util-linux 2.38's options)\n")
			return 0
		case 'h':
			c.printf("Usage: %s\n", builtins["flock"].usage)
			return 0
		default: // '?'
			fmt.Fprintf(c.stderr, "Try '%s --help' for more information.\n", c.name)
			return exUsage
		}
	}
	if noFork && doClose {
		c.errorf("the --no-fork and --close options are incompatible")
		return exUsage
	}
	var line, name, file string
	fd := -1
	switch {
	case len(ops) > 1:
		file = ops[0]
		if rest := ops[1:]; rest[0] == "-c" || rest[0] == "--command" {
			if len(rest) != 2 {
				c.errorf("%s requires exactly one command argument", rest[0])
				return exUsage
			}
			line, name = rest[1], "/bin/sh"
		} else {
			q := make([]string, len(rest))
			for i, w := range rest {
				q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
			}
			line, name = strings.Join(q, " "), rest[0]
		}
		var st int
		if fd, st = c.flockOpen(file); fd < 0 {
			return st
		}
		defer c.t.Close(fd)
	case len(ops) == 1:
		n, ok := c.flockNumber("bad file descriptor", ops[0])
		if !ok {
			return exUsage
		}
		fd = n
	default:
		c.errorf("requires file descriptor, file or directory")
		return exUsage
	}
	if haveTimeout && timeout == 0 {
		// -w 0 is -n (util-linux special-cases it too).
		haveTimeout, nb = false, true
	}
	now := time.Now
	if c.sh.Now != nil {
		now = c.sh.Now
	}
	start := now()
	if st, ok := c.flockWait(fd, file, how, nb, haveTimeout, timeout, conflict); !ok {
		return st
	}
	if verbose {
		d := now().Sub(start)
		c.printf("flock: getting lock took %d.%06d seconds\n", d/time.Second, d%time.Second/time.Microsecond)
	}
	if line == "" {
		return 0
	}
	if verbose {
		c.printf("flock: executing %s\n", name)
	}
	closeFD := -1
	if doClose {
		closeFD = fd
	}
	return c.sh.runNested(line, c, closeFD)
}

// flockOpen is util-linux flock's open_file(): FILE read-only, created
// if missing, or a directory. Its exit statuses when that fails:
// EX_OSERR when memory or descriptors ran out, EX_CANTCREAT on a
// read-only or full filesystem, EX_NOINPUT otherwise.
func (c *cmd) flockOpen(file string) (fd, status int) {
	fd, err := c.t.Open(file, vfs.O_RDONLY|vfs.O_NOCTTY|vfs.O_CREAT, 0o666)
	if err == vfs.EISDIR {
		fd, err = c.t.Open(file, vfs.O_RDONLY|vfs.O_NOCTTY, 0)
	}
	if err == nil {
		return fd, 0
	}
	c.errorf("cannot open lock file %s: %s", file, errText(err))
	switch vfs.ErrnoOf(err) {
	case vfs.ENOMEM, vfs.EMFILE, vfs.ENFILE:
		return -1, exOSErr
	case vfs.EROFS, vfs.ENOSPC:
		return -1, exCantCreat
	}
	return -1, exNoInput
}

// flockWait takes the lock: at once with nb, polling until timeout
// with haveTimeout, else waiting for it. A conflict ends it with
// status conflict; another error with EX_OSERR (ENOLCK, ENOMEM) or
// EX_DATAERR, as util-linux's flock.
func (c *cmd) flockWait(fd int, file string, how int, nb, haveTimeout bool, timeout time.Duration, conflict int) (status int, ok bool) {
	op := how
	if nb || haveTimeout {
		op |= vfs.LOCK_NB
	}
	deadline := time.Now().Add(timeout)
	for {
		err := c.t.Flock(fd, op)
		if err == nil {
			return 0, true
		}
		if err == vfs.EWOULDBLOCK && haveTimeout && time.Now().Before(deadline) && !c.sh.interrupted() {
			// Poll: the VFS has no timed wait for a task.
			time.Sleep(min(time.Millisecond, time.Until(deadline)))
			continue
		}
		if err == vfs.EWOULDBLOCK {
			return conflict, false
		}
		if file != "" {
			c.errorf("%s: %s", file, errText(err))
		} else {
			c.errorf("%d: %s", fd, errText(err))
		}
		if e := vfs.ErrnoOf(err); e == vfs.ENOLCK || e == vfs.ENOMEM {
			return exOSErr, false
		}
		return exDataErr, false
	}
}

// flockNumber is util-linux's strtos32_or_err: a decimal int32 after
// optional white space and sign, or the message what: 'arg' (with the
// range error) and false.
func (c *cmd) flockNumber(what, arg string) (int, bool) {
	n, err := strconv.ParseInt(strings.TrimLeft(arg, " \t\n\v\f\r"), 10, 32)
	if err == nil {
		return int(n), true
	}
	if isRangeErr(err) {
		c.errorf("%s: '%s': %s", what, arg, vfs.ERANGE.Error())
	} else {
		c.errorf("%s: '%s'", what, arg)
	}
	return 0, false
}

// isRangeErr reports a strconv error for a number out of range.
func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// runNested runs a command line as flock(1)'s "sh -c" child would: in
// a subshell (a fork of the task: cd, umask, su, exit and set -e there
// leave this shell as it was) starting with $? 0 and without -e, its
// output going to c's standard output. closeFD, unless -1, is closed
// in the subshell first (flock -o).
func (s *Shell) runNested(line string, c *cmd, closeFD int) int {
	lists, err := parse(line + "\n")
	if err != nil {
		c.errorf("%s", err.Error())
		return 2
	}
	return s.subshell(func(sub *Shell) int {
		sub.stdout, sub.status, sub.ErrExit = c.stdout, 0, false
		if closeFD >= 0 {
			sub.t.Close(closeFD)
		}
		for _, ao := range lists {
			sub.runAndOr(ao)
			if sub.exited || sub.interrupted() {
				break
			}
		}
		return sub.status
	})
}
