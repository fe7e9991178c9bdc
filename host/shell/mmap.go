package shell

import (
	"errors"
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

func init() {
	builtins["mmap"] = builtin{cmdMmap, "mmap [-p] [-l LENGTH] FILE [r OFFSET COUNT | w OFFSET TEXT | sync]...   (teaching: map LENGTH bytes of FILE (its size by default; MAP_SHARED, or MAP_PRIVATE with -p), load and store through the mapping, msync; each step shows the faults it took and the page's PTE and flags)"}
}

// cmdMmap maps LENGTH bytes of FILE (its size by default) and runs the
// steps in order: r loads COUNT bytes at OFFSET and prints them quoted, w stores TEXT at OFFSET,
// sync is msync(MS_SYNC). After each step it prints the faults the step
// took (->fault, fault-around ->map_pages, ->page_mkwrite, private
// copies) and, for the page it touched, the PTE and the page-cache page's
// flags. An access that faults fatally ends the command as the signal
// would end a process: "Bus error" (status 135) or "Segmentation fault"
// (139).
func cmdMmap(c *cmd) int {
	o, ops, st, ok := c.getopt("pl:", map[string]byte{"private": 'p', "length": 'l'}, 1)
	if !ok {
		return st
	}
	if len(ops) == 0 {
		return c.usageError(1, "missing file operand")
	}
	file, steps := ops[0], ops[1:]
	flags, kind := vfs.MAP_SHARED, "MAP_SHARED"
	if o.has('p') {
		flags, kind = vfs.MAP_PRIVATE, "MAP_PRIVATE"
	}
	write := false
	for i := 0; i < len(steps); i++ {
		switch steps[i] {
		case "r", "w":
			if i+2 >= len(steps) {
				return c.usageError(1, "step '%s' needs OFFSET and %s", steps[i], map[string]string{"r": "COUNT", "w": "TEXT"}[steps[i]])
			}
			write = write || steps[i] == "w"
			i += 2
		case "sync":
		default:
			return c.usageError(1, "unknown step '%s'", steps[i])
		}
	}
	mode := vfs.O_RDONLY
	if write && !o.has('p') {
		mode = vfs.O_RDWR
	}
	fd, err := c.t.Open(file, mode, 0)
	if err != nil {
		c.errorf("cannot open %s: %s", quote(file), errText(err))
		return 1
	}
	defer c.t.Close(fd)
	var st0 vfs.Stat
	if err := c.t.Fstat(fd, &st0); err != nil {
		c.errorf("%s: %s", quote(file), errText(err))
		return 1
	}
	length := max(st0.Size, 1)
	if o.has('l') {
		l, err := strconv.ParseInt(o.last('l'), 0, 64)
		if err != nil || l <= 0 {
			c.errorf("invalid length '%s'", o.last('l'))
			return 1
		}
		length = l
	}
	vma, err := c.t.Mmap(fd, 0, length, vfs.PROT_READ|vfs.PROT_WRITE*boolInt(write), flags)
	if err != nil {
		c.errorf("%s: %s", quote(file), errText(err))
		return 1
	}
	defer c.t.Munmap(vma)
	pages := (length + vfs.PAGE_SIZE - 1) / vfs.PAGE_SIZE
	c.printf("%s of %s: %d bytes, %d page%s\n", kind, file, length, pages, plural(pages))
	for i := 0; i < len(steps); i++ {
		before := mmapCounts(vma)
		var off int64
		var line string
		switch steps[i] {
		case "sync":
			if err := c.t.Msync(vma, 0, length, vfs.MS_SYNC); err != nil {
				c.errorf("msync: %s", errText(err))
				return 1
			}
			c.printf("msync(MS_SYNC)%s\n", mmapFaults(before, mmapCounts(vma)))
			for p := int64(0); p < min(pages, 4); p++ {
				c.printf("  page %d: %s\n", p, mmapPageState(c.t, vma, p))
			}
			continue
		case "r", "w":
			var perr error
			off, perr = strconv.ParseInt(steps[i+1], 0, 64)
			if perr != nil || off < 0 {
				c.errorf("invalid offset '%s'", steps[i+1])
				return 1
			}
			var n int
			var aerr error
			_ = n
			if steps[i] == "r" {
				ln, lerr := strconv.Atoi(steps[i+2])
				if lerr != nil || ln < 0 || ln > 1<<20 {
					c.errorf("invalid count '%s'", steps[i+2])
					return 1
				}
				buf := make([]byte, ln)
				n, aerr = vma.Load(off, buf)
				line = "load " + strconv.Itoa(ln) + " at " + strconv.FormatInt(off, 10) + ": " + strconv.Quote(string(buf[:n]))
			} else {
				n, aerr = vma.Store(off, []byte(steps[i+2]))
				line = "store " + strconv.Quote(steps[i+2]) + " at " + strconv.FormatInt(off, 10)
			}
			i += 2
			if aerr != nil {
				if after := mmapCounts(vma); after != before {
					c.printf("%s%s\n", line, mmapFaults(before, after))
				}
				var fe *vfs.FaultError
				if errors.As(aerr, &fe) {
					name := map[vfs.Signal]string{vfs.SIGBUS: "Bus error", vfs.SIGSEGV: "Segmentation fault"}[fe.Sig]
					c.errorf("%s (%s at offset %d: %s)", name, fe.Sig, fe.Off, fe.Why)
					return 128 + int(fe.Sig)
				}
				c.errorf("%s", errText(aerr))
				return 1
			}
		}
		c.printf("%s%s\n", line, mmapFaults(before, mmapCounts(vma)))
		c.printf("  page %d: %s\n", off/vfs.PAGE_SIZE, mmapPageState(c.t, vma, off/vfs.PAGE_SIZE))
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// mmapCounts snapshots a mapping's fault counters.
func mmapCounts(vma *vfs.Mapping) [4]int64 {
	s := vma.Stats()
	return [4]int64{s.Faults.Load(), s.MapPages.Load(), s.Mkwrites.Load(), s.CowCopies.Load()}
}

// mmapFaults describes the faults between two snapshots.
func mmapFaults(a, b [4]int64) string {
	var parts []string
	if n := b[0] - a[0]; n > 0 {
		parts = append(parts, strconv.FormatInt(n, 10)+" fault"+plural(n))
	}
	if n := b[1] - a[1]; n > 0 {
		parts = append(parts, "->map_pages mapped "+strconv.FormatInt(n, 10)+" page"+plural(n))
	}
	if n := b[2] - a[2]; n > 0 {
		parts = append(parts, strconv.FormatInt(n, 10)+" ->page_mkwrite")
	}
	if n := b[3] - a[3]; n > 0 {
		parts = append(parts, strconv.FormatInt(n, 10)+" private cop"+map[bool]string{true: "y", false: "ies"}[n == 1])
	}
	if len(parts) == 0 {
		return " (no fault)"
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// mmapPageState describes page i of the mapping: its PTE, and the flags
// of the file's page-cache page there.
func mmapPageState(t *vfs.Task, vma *vfs.Mapping, i int64) string {
	p := vma.PTE(t, i)
	var pte []string
	for _, b := range []struct {
		on   bool
		name string
	}{{p.Present, "present"}, {p.Write, "writable"}, {p.Dirty, "dirty"}, {p.Anon, "private copy"}} {
		if b.on {
			pte = append(pte, b.name)
		}
	}
	if len(pte) == 0 {
		pte = append(pte, "none")
	}
	s := "pte " + strings.Join(pte, ",")
	fo := vfs.FilemapGetFolio(vma.File().Inode().Mapping(), vma.Pgoff()+i)
	if fo == nil {
		return s + "; not in the page cache"
	}
	defer vfs.FolioPut(fo)
	var names []string
	for _, n := range vfs.FolioFlagNames(fo.Flags()) {
		if n != "lru" && n != "referenced" && n != "active" && n != "private" {
			names = append(names, n)
		}
	}
	return s + "; page cache: " + strings.Join(names, ",")
}
