package shell

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// builtin is one command: its code and its synopsis for help.
type builtin struct {
	run   func(*cmd) int
	usage string
}

// builtins is the command table. Filled by init, as help reads it.
var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{
		"cat":          {cmdCat, "cat [FILE]...   (no FILE, or -: standard input)"},
		"cd":           {cmdCd, "cd [-L|-P] [DIR|-]   (no DIR: /; -: the previous one)"},
		"chmod":        {cmdChmod, "chmod [-Rcfv] MODE FILE...   (MODE octal, or symbolic like u+x,go-w,a=r)"},
		"chown":        {cmdChown, "chown [-hRcfv] UID[:GID] FILE..."},
		"cp":           {cmdCp, "cp [-r] SOURCE... DEST"},
		"df":           {cmdDf, "df [-a] [FILE]..."},
		"echo":         {cmdEcho, "echo [-n] [-e] [STRING]..."},
		"exit":         {cmdExit, "exit [N]"},
		"false":        {func(*cmd) int { return 1 }, "false"},
		"fsfreeze":     {cmdFsfreeze, "fsfreeze -f|-u MOUNTPOINT   (--freeze, --unfreeze)"},
		"help":         {cmdHelp, "help"},
		"id":           {cmdID, "id"},
		"ln":           {cmdLn, "ln [-s] [-f] TARGET... [LINK_NAME|DIRECTORY]"},
		"lockdep-abba": {cmdLockdepABBA, "lockdep-abba   (teaching: two tasks take two locks in opposite orders; the validator reports the AB-BA cycle)"},
		"ls":           {cmdLs, "ls [-l] [-a] [-A] [-i] [-d] [-1] [FILE]..."},
		"mkdir":        {cmdMkdir, "mkdir [-p] [-m MODE] DIRECTORY..."},
		"mknod":        {cmdMknod, "mknod [-m MODE] NAME TYPE [MAJOR MINOR]   (TYPE b, c or p)"},
		"mount":        {cmdMount, "mount [-t TYPE] [-o OPTIONS] [--bind|--rbind|--move] SOURCE TARGET | mount [-t TYPE]"},
		"mv":           {cmdMv, "mv SOURCE... DEST"},
		"pwd":          {cmdPwd, "pwd [-L|-P]"},
		"readlink":     {cmdReadlink, "readlink [-n] FILE..."},
		"rm":           {cmdRm, "rm [-r] [-f] FILE..."},
		"rmdir":        {cmdRmdir, "rmdir [-p] DIRECTORY..."},
		"set":          {cmdSet, "set [-e|+e]"},
		"stat":         {cmdStat, "stat [-L] FILE..."},
		"su":           {cmdSu, "su [UID[:GID]]   (no argument: 0:0)"},
		"sync":         {cmdSync, "sync [-d|-f] [FILE]...   (-d: fdatasync, -f: syncfs; no FILE: sync(2))"},
		"touch":        {cmdTouch, "touch [-c] FILE..."},
		"true":         {func(*cmd) int { return 0 }, "true"},
		"truncate":     {cmdTruncate, "truncate [-c] -s [<>/%+-]SIZE[K|M|G|T|P|E][B|iB] FILE..."},
		"umask":        {cmdUmask, "umask [-p] [-S] [MODE]   (octal, or symbolic as u=rwx,g=rx,o=)"},
		"umount":       {cmdUmount, "umount [-l] [-f] TARGET..."},
	}
}

func cmdHelp(c *cmd) int {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	c.printf("vfscope shell: coreutils-style commands on the virtual filesystem.\n")
	c.printf("Syntax: ';' '&&' '||' '|', quotes, backslash, '#' comments, < > >> 2> 2>&1 >&- <&-, $?.\n\n")
	for _, n := range names {
		c.printf("  %s\n", builtins[n].usage)
	}
	return 0
}

// cd is the shell's cd; without an operand it goes to / (there is no
// HOME).
// echo is bash's builtin echo: -n, -e and -E as leading options.
func cmdEcho(c *cmd) int {
	args := c.args
	newline, escapes := true, false
	for len(args) > 0 {
		a := args[0]
		if len(a) < 2 || a[0] != '-' || strings.Trim(a[1:], "neE") != "" {
			break
		}
		for _, ch := range a[1:] {
			switch ch {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		var stop bool
		s, stop = echoEscapes(s)
		if stop {
			newline = false
		}
	}
	if newline {
		s += "\n"
	}
	c.stdout.Write([]byte(s))
	return 0
}

// echoEscapes interprets echo -e's backslash sequences (bash's, in the
// C locale); \c stops output.
func echoEscapes(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e', 'E':
			b.WriteByte(0x1b)
		case '\\':
			b.WriteByte('\\')
		case 'c':
			return b.String(), true
		case '0':
			v, j := 0, i+1
			for ; j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7'; j++ {
				v = v*8 + int(s[j]-'0')
			}
			b.WriteByte(byte(v))
			i = j - 1
		case 'x', 'u', 'U':
			// \xHH is a byte; \uHHHH and \UHHHHHHHH a character, which
			// the C locale has only below 0x80: above, bash writes it
			// back as \u%04X or \U%08X. Without a hex digit the
			// sequence stays as it is.
			digits := 2
			switch s[i] {
			case 'u':
				digits = 4
			case 'U':
				digits = 8
			}
			v, j := uint64(0), i+1
			for ; j < len(s) && j <= i+digits && isHex(s[j]); j++ {
				v = v<<4 | hexVal(s[j])
			}
			switch {
			case j == i+1:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			case s[i] == 'x' || v < 0x80:
				b.WriteByte(byte(v))
			case v <= 0xffff:
				fmt.Fprintf(&b, "\\u%04X", v)
			default:
				fmt.Fprintf(&b, "\\U%08X", v)
			}
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String(), false
}

// isHex reports whether c is a hex digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// hexVal is the value of the hex digit c.
func hexVal(c byte) uint64 {
	switch {
	case c >= 'a':
		return uint64(c-'a') + 10
	case c >= 'A':
		return uint64(c-'A') + 10
	}
	return uint64(c - '0')
}

func cmdExit(c *cmd) int {
	status := c.sh.status
	if len(c.args) > 0 {
		n, err := strconv.Atoi(c.args[0])
		if err != nil {
			c.errorf("%s: numeric argument required", c.args[0])
			status = 2
		} else {
			status = n & 0xff
		}
	}
	c.sh.exited = true
	return status
}

func cmdSet(c *cmd) int {
	for _, a := range c.args {
		switch a {
		case "-e":
			c.sh.ErrExit = true
		case "+e":
			c.sh.ErrExit = false
		default:
			c.errorf("%s: invalid option", a)
			return 2
		}
	}
	return 0
}

// umask prints or sets the mask, as bash's umask builtin: four octal
// digits, or with -S the permissions it leaves (u=rwx,g=rx,o=rx), which
// -S also prints after setting; -p prints it as a command.
func cmdUmask(c *cmd) int {
	symbolic, pflag := false, false
	args := c.args
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		for _, ch := range a[1:] {
			switch ch {
			case 'S':
				symbolic = true
			case 'p':
				pflag = true
			default:
				c.errorf("-%c: invalid option", ch)
				c.errorf("usage: umask [-p] [-S] [mode]")
				return 2
			}
		}
	}
	old := c.t.Umask(0)
	c.t.Umask(old)
	if len(args) == 0 {
		if pflag {
			c.printf("umask%s ", map[bool]string{true: " -S"}[symbolic])
		}
		if symbolic {
			c.printf("%s\n", symbolicMask(old))
		} else {
			c.printf("%04o\n", old)
		}
		return 0
	}
	a := args[0]
	var m uint32
	if a == "" || a[0] < '0' || a[0] > '9' {
		var bad string
		if m, bad = symbolicUmask(old, a); bad != "" {
			c.errorf("%s", bad)
			return 1
		}
	} else {
		v, err := strconv.ParseUint(a, 8, 32)
		if err != nil || v > 0o777 {
			c.errorf("%s: octal number out of range", a)
			return 1
		}
		m = uint32(v)
	}
	c.t.Umask(m)
	if symbolic {
		c.printf("%s\n", symbolicMask(m))
	}
	return 0
}

// symbolicMask is bash's print_symbolic_umask: what mask allows, for
// the user, the group and others.
func symbolicMask(mask uint32) string {
	perm := func(shift uint) string {
		var b []byte
		for i, ch := range "rwx" {
			if mask>>shift&(4>>i) == 0 {
				b = append(b, byte(ch))
			}
		}
		return string(b)
	}
	return "u=" + perm(6) + ",g=" + perm(3) + ",o=" + perm(0)
}

// symbolicUmask is bash's symbolic_umask: the clauses of s ([ugoa]*
// then +, - or = then [rwx]*, separated by commas; no who is all)
// change the permissions old leaves, and the new mask is what they
// do not allow. bad is bash's complaint about s, "" if none.
func symbolicUmask(old uint32, s string) (mask uint32, bad string) {
	perm := ^old & 0o777
	for _, clause := range strings.Split(s, ",") {
		i, who := 0, uint32(0)
	whoLoop:
		for ; i < len(clause); i++ {
			switch clause[i] {
			case 'u':
				who |= 0o700
			case 'g':
				who |= 0o070
			case 'o':
				who |= 0o007
			case 'a':
				who |= 0o777
			default:
				break whoLoop
			}
		}
		if who == 0 {
			who = 0o777
		}
		op := byte(0) // bash shows the NUL it finds at the end
		if i < len(clause) {
			op = clause[i]
			i++
		}
		if op != '+' && op != '-' && op != '=' {
			return 0, fmt.Sprintf("`%c': invalid symbolic mode operator", op)
		}
		bits := uint32(0)
		for ; i < len(clause); i++ {
			switch clause[i] {
			case 'r':
				bits |= 0o444
			case 'w':
				bits |= 0o222
			case 'x':
				bits |= 0o111
			default:
				return 0, fmt.Sprintf("`%c': invalid symbolic mode character", clause[i])
			}
		}
		bits &= who
		switch op {
		case '+':
			perm |= bits
		case '-':
			perm &^= bits
		case '=':
			perm = perm&^who | bits
		}
	}
	return ^perm & 0o777, ""
}

// su switches the shell task's credentials to UID[:GID] (GID defaults
// to UID).
func cmdSu(c *cmd) int {
	uid, gid := uint32(0), uint32(0)
	if len(c.args) > 1 {
		c.errorf("too many arguments")
		return 1
	}
	if len(c.args) == 1 {
		u, g, hasG := strings.Cut(c.args[0], ":")
		var ok bool
		if uid, ok = parseID(u); !ok {
			c.errorf("user %s does not exist or the user entry does not contain all the required fields", u)
			return 1
		}
		gid = uid
		if hasG {
			if gid, ok = parseID(g); !ok {
				c.errorf("group %s does not exist", g)
				return 1
			}
		}
	}
	c.t.SetCred(&vfs.Cred{UID: uid, GID: gid})
	return 0
}

func cmdID(c *cmd) int {
	cr := c.t.Cred()
	name := func(id uint32) string {
		if id == 0 {
			return "(root)"
		}
		return ""
	}
	groups := []string{strconv.Itoa(int(cr.GID)) + name(cr.GID)}
	for _, g := range cr.Groups {
		if g != cr.GID {
			groups = append(groups, strconv.Itoa(int(g))+name(g))
		}
	}
	c.printf("uid=%d%s gid=%d%s groups=%s\n", cr.UID, name(cr.UID), cr.GID, name(cr.GID), strings.Join(groups, ","))
	return 0
}

// cmdSync is coreutils' sync: without operands sync(2); with FILEs,
// fsync(2) of each, fdatasync(2) with -d, syncfs(2) of the filesystem
// holding each with -f.
func cmdSync(c *cmd) int {
	o, files, st, ok := c.getopt("df", map[string]byte{"data": 'd', "file-system": 'f'}, 1)
	if !ok {
		return st
	}
	if o.has('d') && o.has('f') {
		return c.usageError(1, "cannot specify both --data and --file-system")
	}
	if len(files) == 0 {
		if o.has('d') {
			return c.usageError(1, "--data needs at least one argument")
		}
		c.t.Sync()
		return 0
	}
	status := 0
	for _, f := range files {
		fd, err := c.t.Open(f, vfs.O_RDONLY|vfs.O_NONBLOCK, 0)
		if err == vfs.EACCES || err == vfs.EISDIR {
			fd, err = c.t.Open(f, vfs.O_WRONLY|vfs.O_NONBLOCK, 0)
		}
		if err != nil {
			c.errorf("error opening %s: %s", quote(f), errText(err))
			status = 1
			continue
		}
		switch {
		case o.has('d'):
			err = c.t.Fdatasync(fd)
		case o.has('f'):
			err = c.t.Syncfs(fd)
		default:
			err = c.t.Fsync(fd)
		}
		if err != nil {
			c.errorf("error syncing %s: %s", quote(f), errText(err))
			status = 1
		}
		if err := c.t.Close(fd); err != nil && status == 0 {
			c.errorf("failed to close %s: %s", quote(f), errText(err))
			status = 1
		}
	}
	return status
}
