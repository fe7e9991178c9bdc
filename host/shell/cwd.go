package shell

import (
	"path"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// The working directory as the shell names it (POSIX cd and pwd, -L by
// default): cd remembers the path it was given, its ".." taken
// lexically, so after `cd ly` through a symlink ly -> x/y, pwd prints
// .../ly and `cd ..` comes back, as sh does; -P resolves symlinks.
// Shell.pwd holds that path and Shell.oldpwd the one before the last cd
// (OLDPWD, for `cd -`).

// logicalCwd is the shell's name for the working directory: pwd when it
// still names the task's working directory (same device and inode: the
// check pwd -L makes in bash, and POSIX asks for), else the physical
// path (getcwd(3)).
func (s *Shell) logicalCwd() (string, error) {
	if s.pwd != "" {
		var a, b vfs.Stat
		if s.t.Stat(s.pwd, &a) == nil && s.t.Stat(".", &b) == nil && a.Dev == b.Dev && a.Ino == b.Ino {
			return s.pwd, nil
		}
	}
	return s.physicalCwd()
}

// physicalCwd is getcwd(3): an error when the directory is not
// reachable from the root (glibc refuses the kernel's
// "(unreachable)/..." with ENOENT).
func (s *Shell) physicalCwd() (string, error) {
	p, err := s.t.Getcwd()
	if err == nil && !strings.HasPrefix(p, "/") {
		err = vfs.ENOENT
	}
	return p, err
}

// cdOptions reads cd's and pwd's -L and -P (the last wins) and returns
// whether -P is in force and the operands.
func (c *cmd) cdOptions() (physical bool, ops []string, ok bool) {
	args := c.args
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		for _, ch := range a[1:] {
			switch ch {
			case 'L':
				physical = false
			case 'P':
				physical = true
			default:
				c.errorf("-%c: invalid option", ch)
				return false, nil, false
			}
		}
	}
	return physical, args, true
}

// cd is the shell's cd [-L|-P] [DIR|-]: no DIR is "/" (there is no
// HOME), "-" is the previous directory (printed, as sh prints it), an
// empty DIR leaves the directory as it is (dash).
func cmdCd(c *cmd) int {
	physical, ops, ok := c.cdOptions()
	if !ok {
		return 2
	}
	dir, print := "/", false
	switch len(ops) {
	case 0:
	case 1:
		dir = ops[0]
	default:
		c.errorf("too many arguments")
		return 1
	}
	s := c.sh
	// The name cd starts from is PWD even when it no longer names the
	// directory (dash: `cd ..` after the directory moved goes up the
	// name).
	cur, curErr := s.pwd, error(nil)
	if cur == "" {
		cur, curErr = s.physicalCwd()
	}
	if dir == "-" {
		// dash: with no OLDPWD, the directory it is in.
		dir, print = s.oldpwd, true
		if dir == "" {
			dir = "."
		}
	}
	if dir == "" {
		return 0
	}
	target := dir
	if !physical {
		// POSIX cd steps 7-8: prefix the working directory's name,
		// then drop "." and resolve ".." lexically.
		if !strings.HasPrefix(dir, "/") {
			if curErr != nil {
				physical = true // no name to start from: as -P
			} else {
				target = cur + "/" + dir
			}
		}
		if !physical {
			target = path.Clean(target)
		}
	}
	if err := c.t.Chdir(target); err != nil {
		c.errorf("%s: %s", dir, errText(err))
		return 1
	}
	if curErr == nil {
		s.oldpwd = cur
	}
	s.pwd = ""
	if !physical {
		s.pwd = target
	}
	if print {
		if p, err := s.logicalCwd(); err == nil {
			c.printf("%s\n", p)
		}
	}
	return 0
}

// pwd is the shell's pwd [-L|-P].
func cmdPwd(c *cmd) int {
	physical, _, ok := c.cdOptions()
	if !ok {
		return 2
	}
	var p string
	var err error
	if physical {
		p, err = c.sh.physicalCwd()
	} else {
		p, err = c.sh.logicalCwd()
	}
	if err != nil {
		c.errorf("error retrieving current directory: getcwd: cannot access parent directories: %s", errText(err))
		return 1
	}
	c.printf("%s\n", p)
	return 0
}
