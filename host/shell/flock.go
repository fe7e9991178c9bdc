package shell

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

func init() {
	builtins["flock"] = builtin{cmdFlock, "flock [-s|-x|-u] [-n] [-E CODE] FILE -c COMMAND | FILE COMMAND [ARG]...   (util-linux's: hold a flock(2) lock on FILE while COMMAND runs)"}
}

// cmdFlock is util-linux's flock(1) in its command form: open FILE
// (created if missing), take a flock(2) lock on it, run COMMAND (a shell
// line, with -c) and close the file, which releases the lock. Options
// stop at the first operand, as util-linux's ("+" in its getopt). With
// -n a lock held by another open file description makes it fail at once
// with status 1 (or -E's). COMMAND runs in this shell: there are no
// child processes, and an exit in it ends only COMMAND.
func cmdFlock(c *cmd) int {
	how := vfs.LOCK_EX
	nb := false
	conflict := 1
	args := c.args
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && args[0] != "-c" && args[0] != "--command" {
		a := args[0]
		args = args[1:]
		switch a {
		case "-s", "--shared":
			how = vfs.LOCK_SH
		case "-x", "-e", "--exclusive":
			how = vfs.LOCK_EX
		case "-u", "--unlock":
			how = vfs.LOCK_UN
		case "-n", "--nb", "--nonblock":
			nb = true
		case "-E", "--conflict-exit-code":
			if len(args) == 0 {
				return c.usageError(64, "option requires an argument -- 'E'")
			}
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 0 || n > 255 {
				c.errorf("invalid exit code: '%s'", args[0])
				return 64
			}
			conflict = n
			args = args[1:]
		case "--help":
			c.printf("Usage: %s\n", builtins["flock"].usage)
			return 0
		default:
			return c.usageError(64, "invalid option -- '%s'", strings.TrimLeft(a, "-"))
		}
	}
	if len(args) < 2 {
		return c.usageError(64, "not enough arguments")
	}
	file, rest := args[0], args[1:]
	var line string
	if rest[0] == "-c" || rest[0] == "--command" {
		if len(rest) != 2 {
			return c.usageError(64, "%s requires exactly one command argument", rest[0])
		}
		line = rest[1]
	} else {
		q := make([]string, len(rest))
		for i, w := range rest {
			q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		line = strings.Join(q, " ")
	}
	fd, err := c.t.Open(file, vfs.O_RDONLY|vfs.O_NOCTTY|vfs.O_CREAT, 0o666)
	if err == vfs.EISDIR {
		fd, err = c.t.Open(file, vfs.O_RDONLY|vfs.O_NOCTTY, 0)
	}
	if err != nil {
		c.errorf("cannot open lock file %s: %s", file, errText(err))
		return 66
	}
	defer c.t.Close(fd)
	op := how
	if nb {
		op |= vfs.LOCK_NB
	}
	if err := c.t.Flock(fd, op); err != nil {
		if err == vfs.EWOULDBLOCK {
			return conflict
		}
		c.errorf("%s: %s", file, errText(err))
		return 1
	}
	return c.sh.runNested(line, c)
}

// runNested runs a command line as flock(1)'s "sh -c" child would: in
// a subshell (a fork of the task: cd, umask, su, exit and set -e there
// leave this shell as it was) starting with $? 0 and without -e, its
// output going to c's standard output.
func (s *Shell) runNested(line string, c *cmd) int {
	lists, err := parse(line + "\n")
	if err != nil {
		c.errorf("%s", err.Error())
		return 2
	}
	return s.subshell(func(sub *Shell) int {
		sub.stdout, sub.status, sub.ErrExit = c.stdout, 0, false
		for _, ao := range lists {
			sub.runAndOr(ao)
			if sub.exited || sub.interrupted() {
				break
			}
		}
		return sub.status
	})
}
