package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// lsMain is ls(1), one name per line as when the output is not a terminal:
// -a (dot files, . and ..), -l (long format), -i (inode numbers), -d (the
// directories themselves), -1 (accepted). Names sort in the C locale's
// byte order. Exit 2 when an operand cannot be accessed, 1 for a
// directory that cannot be read (coreutils' "serious" and "minor" trouble).
func lsMain(p *proc, args []string) int {
	f, ok := parseFlags(p, args, "alid1AU", "")
	if !ok {
		fmt.Fprintf(p.stderr, "Try 'ls --help' for more information.\n")
		return 2
	}
	l := &lister{p: p, all: f.set['a'], almost: f.set['A'], long: f.set['l'], inode: f.set['i'], now: time.Now()}
	ops := f.operands
	if len(ops) == 0 {
		ops = []string{"."}
	}
	var files []entry
	var dirs []string
	for _, name := range ops {
		fi, err := os.Lstat(name)
		if err != nil {
			p.fail(2, "cannot access '%s': %s", name, strerror(err))
			continue
		}
		if fi.Mode()&fs.ModeSymlink != 0 && !f.set['d'] && !l.long {
			// Command-line symlinks to directories are followed unless
			// -l, -d (or -F) ask about the link itself.
			if tfi, err := os.Stat(name); err == nil {
				fi = tfi
			}
		}
		if fi.IsDir() && !f.set['d'] {
			dirs = append(dirs, name)
		} else {
			files = append(files, entry{name: name, path: name, st: fullStat(fi)})
		}
	}
	sortEntries(files)
	sort.Strings(dirs)
	l.print(files, false)
	for i, d := range dirs {
		if len(files) > 0 || i > 0 {
			fmt.Fprintln(p.stdout)
		}
		if len(ops) > 1 {
			fmt.Fprintf(p.stdout, "%s:\n", d)
		}
		l.listDir(d)
	}
	return 0
}

type entry struct {
	name string // as printed
	path string // to stat and readlink
	st   statFull
}

func sortEntries(es []entry) {
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
}

type lister struct {
	p                        *proc
	all, almost, long, inode bool
	now                      time.Time
}

func (l *lister) listDir(dir string) {
	p := l.p
	d, err := os.Open(dir)
	if err != nil {
		p.fail(2, "cannot open directory '%s': %s", dir, strerror(err))
		return
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		p.fail(1, "reading directory '%s': %s", dir, strerror(err))
	}
	if l.all {
		names = append(names, ".", "..")
	}
	var es []entry
	for _, n := range names {
		if n[0] == '.' && !l.all && !l.almost {
			continue
		}
		path := filepath.Join(dir, n)
		if n == "." || n == ".." {
			path = dir + "/" + n
		}
		e := entry{name: n, path: path}
		if l.long || l.inode {
			fi, err := os.Lstat(path)
			if err != nil {
				p.fail(1, "cannot access '%s': %s", path, strerror(err))
				continue
			}
			e.st = fullStat(fi)
		}
		es = append(es, e)
	}
	sortEntries(es)
	l.print(es, true)
}

// print writes the entries; total says whether to lead with the "total"
// line of a directory listing in long format.
func (l *lister) print(es []entry, total bool) {
	w := l.p.stdout
	if !l.long {
		inoW := 0
		if l.inode {
			for _, e := range es {
				inoW = max(inoW, len(strconv.FormatUint(e.st.ino, 10)))
			}
		}
		for _, e := range es {
			if l.inode {
				fmt.Fprintf(w, "%*d ", inoW, e.st.ino)
			}
			fmt.Fprintln(w, e.name)
		}
		return
	}
	var blocks int64
	var inoW, linkW, ownW, grpW, sizeW int
	for _, e := range es {
		blocks += e.st.blocks
		inoW = max(inoW, len(strconv.FormatUint(e.st.ino, 10)))
		linkW = max(linkW, len(strconv.FormatUint(e.st.nlink, 10)))
		ownW = max(ownW, len(userName(e.st.uid)))
		grpW = max(grpW, len(groupName(e.st.gid)))
		sizeW = max(sizeW, len(sizeField(e.st)))
	}
	if total {
		fmt.Fprintf(w, "total %d\n", blocks/2)
	}
	for _, e := range es {
		if l.inode {
			fmt.Fprintf(w, "%*d ", inoW, e.st.ino)
		}
		fmt.Fprintf(w, "%s %*d %-*s %-*s %*s %s %s", modeString(e.st), linkW, e.st.nlink,
			ownW, userName(e.st.uid), grpW, groupName(e.st.gid), sizeW, sizeField(e.st),
			lsTime(e.st.ModTime(), l.now), e.name)
		if e.st.Mode()&fs.ModeSymlink != 0 {
			if t, err := os.Readlink(e.path); err == nil {
				fmt.Fprintf(w, " -> %s", t)
			}
		}
		fmt.Fprintln(w)
	}
}

// sizeField is the size column: "major, minor" for devices.
func sizeField(st statFull) string {
	if st.Mode()&fs.ModeDevice != 0 {
		return fmt.Sprintf("%d, %d", major(st.rdev), minor(st.rdev))
	}
	return strconv.FormatInt(st.Size(), 10)
}

// lsTime is ls -l's date: the time of day for the last six months, the
// year otherwise (and for the future).
func lsTime(t, now time.Time) string {
	sixMonths := now.Add(-(365 * 24 * time.Hour / 2))
	if t.After(sixMonths) && !t.After(now.Add(time.Minute)) {
		return t.Format("Jan _2 15:04")
	}
	return t.Format("Jan _2  2006")
}

// modeString is ls -l's mode column ("drwxr-xr-x"). Without permission
// bits from the platform (WASI) it shows Go's defaults (0700 for
// directories, 0600 otherwise).
func modeString(st statFull) string {
	m := st.Mode()
	var b [10]byte
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(pos int, set bool, c byte) {
		if !set {
			return
		}
		if b[pos] == '-' {
			b[pos] = c - 'a' + 'A'
		} else {
			b[pos] = c
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's')
	special(6, m&fs.ModeSetgid != 0, 's')
	special(9, m&fs.ModeSticky != 0, 't')
	return string(b[:])
}

// userName and groupName look the id up in /etc/passwd and /etc/group
// (through the guest's filesystem) and fall back to the number, as ls
// does; stat uses nameOr for its "UNKNOWN".
func userName(uid uint32) string  { return nameOr(lookupID("/etc/passwd", uid), uid) }
func groupName(gid uint32) string { return nameOr(lookupID("/etc/group", gid), gid) }

func nameOr(name string, id uint32) string {
	if name == "" && id == 0 {
		// No /etc/passwd in a fresh VFS: uid and gid 0 are still root,
		// as vfscope's shell shows them.
		return "root"
	}
	if name == "" {
		return strconv.FormatUint(uint64(id), 10)
	}
	return name
}

var idFiles = map[string]map[uint32]string{}

func lookupID(file string, id uint32) string {
	m, ok := idFiles[file]
	if !ok {
		m = map[uint32]string{}
		if data, err := os.ReadFile(file); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				f := strings.Split(line, ":")
				if len(f) < 3 {
					continue
				}
				if n, err := strconv.ParseUint(f[2], 10, 32); err == nil {
					if _, dup := m[uint32(n)]; !dup {
						m[uint32(n)] = f[0]
					}
				}
			}
		}
		idFiles[file] = m
	}
	return m[id]
}
