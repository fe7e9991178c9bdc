package main

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// defaultStatFormat is coreutils stat's output (the device variant adds
// the device type).
const defaultStatFormat = "  File: %N\n" +
	"  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n" +
	"Device: %Hd,%Ld\tInode: %-10i  Links: %h\n" +
	"Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n" +
	"Access: %x\nModify: %y\nChange: %z\n Birth: %w\n"

const deviceStatFormat = "  File: %N\n" +
	"  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n" +
	"Device: %Hd,%Ld\tInode: %-10i  Links: %-5h Device type: %Hr,%Lr\n" +
	"Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n" +
	"Access: %x\nModify: %y\nChange: %z\n Birth: %w\n"

// statMain is stat(1): -L follows symbolic links, -c FORMAT prints the
// given format (with a newline) using coreutils' directives.
func statMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "L", "c")
	if !ok {
		return 1
	}
	if len(f.operands) == 0 {
		return p.usage(1, "missing operand")
	}
	for _, name := range f.operands {
		var fi fs.FileInfo
		var err error
		if f.set['L'] {
			fi, err = os.Stat(name)
		} else {
			fi, err = os.Lstat(name)
		}
		if err != nil {
			p.errorf("cannot statx '%s': %s", name, strerror(err))
			continue
		}
		st := fullStat(fi)
		format := defaultStatFormat
		if st.Mode()&fs.ModeDevice != 0 {
			format = deviceStatFormat
		}
		if f.set['c'] {
			format = f.values['c'] + "\n"
		}
		fmt.Fprint(p.stdout, statFormat(format, name, st))
	}
	return 0
}

// statFormat expands stat's %-directives, with printf flags and widths.
func statFormat(format, name string, st statFull) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-0#+ ", format[j]) >= 0 {
			j++
		}
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.') {
			j++
		}
		spec := format[i+1 : j]
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		conv := string(format[j])
		if (format[j] == 'H' || format[j] == 'L') && j+1 < len(format) {
			j++
			conv += string(format[j])
		}
		i = j
		if conv == "%" {
			b.WriteByte('%')
			continue
		}
		v, ok := statDirective(conv, name, st)
		if !ok {
			b.WriteString("?")
			continue
		}
		switch v := v.(type) {
		case string:
			// printf's 0 flag does not apply to strings.
			flags := spec[:len(spec)-len(strings.TrimLeft(spec, "-0#+ "))]
			b.WriteString(fmt.Sprintf("%"+strings.ReplaceAll(flags, "0", "")+spec[len(flags):]+"s", v))
		case octal:
			b.WriteString(fmt.Sprintf("%"+spec+"o", uint64(v)))
		case uint64:
			b.WriteString(fmt.Sprintf("%"+spec+"d", v))
		case int64:
			b.WriteString(fmt.Sprintf("%"+spec+"d", v))
		}
	}
	return b.String()
}

type octal uint64

func statDirective(conv, name string, st statFull) (any, bool) {
	m := st.Mode()
	perm := uint64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		perm |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		perm |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	switch conv {
	case "n":
		return name, true
	case "N":
		if m&fs.ModeSymlink != 0 {
			if t, err := os.Readlink(name); err == nil {
				return name + " -> " + t, true
			}
		}
		return name, true
	case "s":
		return st.Size(), true
	case "b":
		return st.blocks, true
	case "B":
		return int64(512), true
	case "o":
		return st.blksize, true
	case "F":
		return fileType(st), true
	case "a":
		return octal(perm), true
	case "A":
		return modeString(st), true
	case "f":
		return strconv.FormatUint(uint64(rawMode(st, perm)), 16), true
	case "h":
		return st.nlink, true
	case "i":
		return st.ino, true
	case "d":
		return st.dev, true
	case "D":
		return strconv.FormatUint(st.dev, 16), true
	case "Hd":
		return major(st.dev), true
	case "Ld":
		return minor(st.dev), true
	case "Hr":
		return major(st.rdev), true
	case "Lr":
		return minor(st.rdev), true
	case "t":
		return strconv.FormatUint(major(st.rdev), 16), true
	case "T":
		return strconv.FormatUint(minor(st.rdev), 16), true
	case "u":
		return uint64(st.uid), true
	case "g":
		return uint64(st.gid), true
	case "U":
		return idName("/etc/passwd", st.uid), true
	case "G":
		return idName("/etc/group", st.gid), true
	case "x":
		return st.atime.Format(statTime), true
	case "y":
		return st.ModTime().Format(statTime), true
	case "z":
		return st.ctime.Format(statTime), true
	case "w":
		return "-", true
	case "X":
		return st.atime.Unix(), true
	case "Y":
		return st.ModTime().Unix(), true
	case "Z":
		return st.ctime.Unix(), true
	case "W":
		return int64(0), true
	}
	return nil, false
}

// idName is stat's %U / %G: the name, root for 0 without a database (as
// ls), else UNKNOWN.
func idName(file string, id uint32) string {
	if n := lookupID(file, id); n != "" {
		return n
	}
	if id == 0 {
		return "root"
	}
	return "UNKNOWN"
}

const statTime = "2006-01-02 15:04:05.000000000 -0700"

// rawMode rebuilds st_mode (type bits and permissions).
func rawMode(st statFull, perm uint64) uint32 {
	m := st.Mode()
	t := uint32(0o100000)
	switch {
	case m.IsDir():
		t = 0o040000
	case m&fs.ModeSymlink != 0:
		t = 0o120000
	case m&fs.ModeNamedPipe != 0:
		t = 0o010000
	case m&fs.ModeSocket != 0:
		t = 0o140000
	case m&fs.ModeCharDevice != 0:
		t = 0o020000
	case m&fs.ModeDevice != 0:
		t = 0o060000
	}
	return t | uint32(perm)
}

// fileType is stat's %F.
func fileType(st statFull) string {
	m := st.Mode()
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character special file"
	case m&fs.ModeDevice != 0:
		return "block special file"
	case st.Size() == 0:
		return "regular empty file"
	}
	return "regular file"
}
