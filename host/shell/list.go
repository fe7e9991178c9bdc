package shell

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// lsEntry is one file ls prints.
type lsEntry struct {
	name   string // as printed
	path   string // to stat and read
	st     vfs.Stat
	target string // symlink target, for -l
}

// ls is ls(1) writing to a pipe (one name per line, names unquoted):
// -l (owner and group by name for id 0, the only one with a name: the
// VFS has no passwd file), -n (by number), -a, -A, -i, -d, -1.
func cmdLs(c *cmd) int {
	o, ops, st, ok := c.getopt("laAid1n", map[string]byte{"all": 'a', "almost-all": 'A', "inode": 'i', "directory": 'd', "numeric-uid-gid": 'n'}, 2)
	if !ok {
		return st
	}
	f := lsFormat{long: o.has('l') || o.has('n'), inode: o.has('i'), numeric: o.has('n')}
	long := f.long
	if len(ops) == 0 {
		ops = []string{"."}
	}
	status := 0
	var files, dirs []lsEntry
	for _, a := range ops {
		e := lsEntry{name: a, path: a}
		var err error
		if long || o.has('d') {
			err = c.t.Lstat(a, &e.st)
		} else if err = c.t.Stat(a, &e.st); err != nil {
			err = c.t.Lstat(a, &e.st) // a dangling symlink is listed as itself
		}
		if err != nil {
			c.errorf("cannot access %s: %s", quote(a), errText(err))
			status = 2
			continue
		}
		if vfs.IsDir(e.st.Mode) && !o.has('d') {
			dirs = append(dirs, e)
			continue
		}
		if long && vfs.IsLnk(e.st.Mode) {
			e.target, _ = c.t.Readlink(a)
		}
		files = append(files, e)
	}
	byName := func(es []lsEntry) {
		sort.SliceStable(es, func(i, j int) bool { return es[i].name < es[j].name })
	}
	byName(files)
	byName(dirs)
	printed := false
	if len(files) > 0 {
		// ls.c sizes the columns as it gathers the operands, before
		// the directories are taken out to be listed on their own.
		c.lsPrint(files, f, f.widths(append(files[:len(files):len(files)], dirs...)))
		printed = true
	}
	for _, d := range dirs {
		if printed {
			c.printf("\n")
		}
		if len(ops) > 1 {
			c.printf("%s:\n", d.name)
		}
		printed = true
		ents, err := readDir(c.t, d.path)
		if err != nil {
			c.errorf("cannot open directory %s: %s", quote(d.name), errText(err))
			status = 2
			continue
		}
		var list []lsEntry
		for _, de := range ents {
			switch {
			case o.has('a'):
			case o.has('A'):
				if de.Name == "." || de.Name == ".." {
					continue
				}
			default:
				if strings.HasPrefix(de.Name, ".") {
					continue
				}
			}
			e := lsEntry{name: de.Name, path: joinPath(d.path, de.Name)}
			e.st.Ino = de.Ino
			if !long && f.inode && (de.Type == vfs.DT_DIR || de.Type == vfs.DT_UNKNOWN) {
				// A mount point's d_ino is the directory it covers:
				// ls.c stats a directory for its inode number.
				var st vfs.Stat
				if err := c.t.Lstat(e.path, &st); err != nil {
					c.errorf("cannot access %s: %s", quote(e.path), errText(err))
					status = 1
					continue
				}
				e.st.Ino = st.Ino
			}
			if long {
				if err := c.t.Lstat(e.path, &e.st); err != nil {
					c.errorf("cannot access %s: %s", quote(e.path), errText(err))
					status = 1
					continue
				}
				if vfs.IsLnk(e.st.Mode) {
					e.target, _ = c.t.Readlink(e.path)
				}
			}
			list = append(list, e)
		}
		if long {
			var blocks int64
			for _, e := range list {
				blocks += e.st.Blocks
			}
			c.printf("total %d\n", (blocks+1)/2)
		}
		c.lsPrint(list, f, f.widths(list))
	}
	return status
}

func numWidth(v uint64) int { return len(strconv.FormatUint(v, 10)) }

// lsFormat is how ls prints: -l (long), -i (inode) and -n (numeric:
// owner and group always as numbers).
type lsFormat struct{ long, inode, numeric bool }

// owner is the owner or group column for id, padded to width: a name
// left-aligned, a number right-aligned (ls.c format_user_or_group).
func (f lsFormat) owner(id uint32, width int) string {
	if n := ownerName(id); !f.numeric && n != strconv.FormatUint(uint64(id), 10) {
		return fmt.Sprintf("%-*s", width, n)
	}
	return fmt.Sprintf("%*d", width, id)
}

// ownerWidth is the width of id's owner or group column.
func (f lsFormat) ownerWidth(id uint32) int {
	if f.numeric {
		return numWidth(uint64(id))
	}
	return len(ownerName(id))
}

// lsWidths are the widths of ls's columns.
type lsWidths struct{ ino, links, uid, gid, size, min int }

// widths are the columns' widths over es, as coreutils sizes them.
func (f lsFormat) widths(es []lsEntry) lsWidths {
	var w lsWidths
	var wMaj int
	for _, e := range es {
		w.ino = max(w.ino, numWidth(e.st.Ino))
		w.links = max(w.links, numWidth(uint64(e.st.Nlink)))
		w.uid = max(w.uid, f.ownerWidth(e.st.UID))
		w.gid = max(w.gid, f.ownerWidth(e.st.GID))
		if vfs.IsChr(e.st.Mode) || vfs.IsBlk(e.st.Mode) {
			wMaj = max(wMaj, numWidth(uint64(vfs.Major(e.st.Rdev))))
			w.min = max(w.min, numWidth(uint64(vfs.Minor(e.st.Rdev))))
			w.size = max(w.size, wMaj+2+w.min)
		} else {
			w.size = max(w.size, numWidth(uint64(e.st.Size)))
		}
	}
	return w
}

// lsPrint prints entries one per line, or in long format with the
// columns aligned as coreutils aligns them, w wide.
func (c *cmd) lsPrint(es []lsEntry, f lsFormat, w lsWidths) {
	long, inode := f.long, f.inode
	wIno, wLinks, wUID, wGID, wSize, wMin := w.ino, w.links, w.uid, w.gid, w.size, w.min
	now := c.sh.now()
	for _, e := range es {
		var b strings.Builder
		if inode {
			fmt.Fprintf(&b, "%*d ", wIno, e.st.Ino)
		}
		if !long {
			b.WriteString(e.name)
			b.WriteByte('\n')
			c.stdout.Write([]byte(b.String()))
			continue
		}
		fmt.Fprintf(&b, "%s %*d %s %s ", modeString(e.st.Mode), wLinks, e.st.Nlink, f.owner(e.st.UID, wUID), f.owner(e.st.GID, wGID))
		if vfs.IsChr(e.st.Mode) || vfs.IsBlk(e.st.Mode) {
			fmt.Fprintf(&b, "%*d, %*d ", wSize-2-wMin, vfs.Major(e.st.Rdev), wMin, vfs.Minor(e.st.Rdev))
		} else {
			fmt.Fprintf(&b, "%*d ", wSize, e.st.Size)
		}
		b.WriteString(c.sh.lsTime(e.st.Mtime, now))
		b.WriteByte(' ')
		b.WriteString(e.name)
		if vfs.IsLnk(e.st.Mode) {
			b.WriteString(" -> ")
			b.WriteString(e.target)
		}
		b.WriteByte('\n')
		c.stdout.Write([]byte(b.String()))
	}
}

// now is the time ls compares dates with.
func (s *Shell) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Unix(0, s.t.VFS().Now())
}

// lsTime is ls -l's date: "Nov 21 06:18" within the last six months,
// else "Nov 21  2025".
func (s *Shell) lsTime(ns int64, now time.Time) string {
	when := s.timeOf(ns)
	const halfYear = 31556952 / 2 * time.Second
	// now is the VFS clock's last tick, which a file changed since then
	// was stamped with: equal is recent too (coreutils reads the precise
	// time again for a file that seems to come from the future).
	if when.After(now.Add(-halfYear)) && !when.After(now) {
		return when.Format("Jan _2 15:04")
	}
	return when.Format("Jan _2  2006")
}

// stat is stat(1)'s default format; -L follows symlinks.
func cmdStat(c *cmd) int {
	o, files, st, ok := c.getopt("L", map[string]byte{"dereference": 'L'}, 1)
	if !ok {
		return st
	}
	if len(files) == 0 {
		return c.usageError(1, "missing operand")
	}
	status := 0
	for _, f := range files {
		var st vfs.Stat
		var err error
		if o.has('L') {
			err = c.t.Stat(f, &st)
		} else {
			err = c.t.Lstat(f, &st)
		}
		if err != nil {
			c.errorf("cannot statx %s: %s", quote(f), errText(err))
			status = 1
			continue
		}
		name := f
		if vfs.IsLnk(st.Mode) {
			if target, err := c.t.Readlink(f); err == nil {
				name += " -> " + target
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "  File: %s\n", name)
		fmt.Fprintf(&b, "  Size: %-10d\tBlocks: %-10d IO Block: %-6d %s\n", st.Size, st.Blocks, st.Blksize, fileType(&st))
		fmt.Fprintf(&b, "Device: %d,%d\tInode: %-10d  Links: ", vfs.Major(st.Dev), vfs.Minor(st.Dev), st.Ino)
		if vfs.IsChr(st.Mode) || vfs.IsBlk(st.Mode) {
			fmt.Fprintf(&b, "%-5d Device type: %d,%d\n", st.Nlink, vfs.Major(st.Rdev), vfs.Minor(st.Rdev))
		} else {
			fmt.Fprintf(&b, "%d\n", st.Nlink)
		}
		fmt.Fprintf(&b, "Access: (%04o/%10.10s)  Uid: (%5d/%8s)   Gid: (%5d/%8s)\n",
			st.Mode&0o7777, modeString(st.Mode), st.UID, userName(st.UID), st.GID, userName(st.GID))
		fmt.Fprintf(&b, "Access: %s\nModify: %s\nChange: %s\n Birth: %s\n",
			c.sh.statTime(st.Atime), c.sh.statTime(st.Mtime), c.sh.statTime(st.Ctime), c.sh.birthTime(st.Btime))
		c.stdout.Write([]byte(b.String()))
	}
	return status
}

func (s *Shell) statTime(ns int64) string {
	return s.timeOf(ns).Format("2006-01-02 15:04:05.000000000 -0700")
}

// birthTime is "-" when the filesystem does not record it.
func (s *Shell) birthTime(ns int64) string {
	if ns == 0 {
		return "-"
	}
	return s.statTime(ns)
}
