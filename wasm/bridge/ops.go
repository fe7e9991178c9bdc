package bridge

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// opDef is one operation JavaScript can put in a batch. Its opcode is its
// index in opTable; JavaScript learns the table by name from "hello", so
// the two sides cannot disagree on numbers.
type opDef struct {
	name    string
	needVFS bool
	run     func(c *call) error
}

// opTable is every operation. Arguments (a: number, s: string, b: bytes)
// and results are listed in each comment.
var opTable []opDef

func init() {
	opTable = []opDef{
		{"", false, nil}, // 0 is no operation, so a zeroed buffer is rejected
		// hello() -> u32 n, n*(s name); u32 m, m*(a errno, s name, s text)
		{"hello", false, opHello},
		// vfsNew(a lockdep, a memoryBudget, a trace) -> a vfs
		{"vfsNew", false, opVFSNew},
		{"vfsClose", true, opVFSClose},
		// open(s path, a flags, a mode) -> a fd
		{"open", true, opOpen},
		{"close", true, func(c *call) error {
			fd := c.d.num()
			if !c.ok() {
				return nil
			}
			return c.in.task.Close(int(fd))
		}},
		// read(a fd, a n) -> b data
		{"read", true, opRead},
		// pread(a fd, a n, a off) -> b data
		{"pread", true, opPread},
		// write(a fd, b data) -> a n
		{"write", true, opWrite},
		// pwrite(a fd, b data, a off) -> a n
		{"pwrite", true, opPwrite},
		// seek(a fd, a off, a whence) -> a off
		{"seek", true, func(c *call) error {
			fd, off, whence := c.d.num(), c.d.num(), c.d.num()
			if !c.ok() {
				return nil
			}
			pos, err := c.in.task.Seek(int(fd), off, int(whence))
			if err == nil && !exact(pos) {
				// The position moved, as ksys_lseek's does before it
				// finds the result does not fit.
				return vfs.EOVERFLOW
			}
			if err == nil {
				c.e.num(pos)
			}
			return err
		}},
		// stat(s path), lstat(s path), fstat(a fd) -> stat (putStat)
		{"stat", true, func(c *call) error { return opStatPath(c, (*vfs.Task).Stat) }},
		{"lstat", true, func(c *call) error { return opStatPath(c, (*vfs.Task).Lstat) }},
		{"fstat", true, opFstat},
		// readdir(s path) -> u32 n, b types (n u8), b inos (n numbers),
		// b names (joined by NUL); without . and ..
		{"readdir", true, opReaddir},
		// mkdir(s path, a mode)
		{"mkdir", true, func(c *call) error {
			p, mode := c.d.path(), c.d.num()
			if !c.ok() {
				return nil
			}
			if !u32ok(mode) {
				return vfs.EINVAL
			}
			return c.in.task.Mkdir(p, uint32(mode))
		}},
		{"rmdir", true, func(c *call) error { return pathOp(c, (*vfs.Task).Rmdir) }},
		{"unlink", true, func(c *call) error { return pathOp(c, (*vfs.Task).Unlink) }},
		// rename(s old, s new, a flags): renameat2
		{"rename", true, func(c *call) error {
			o, n, flags := c.d.path(), c.d.path(), c.d.num()
			if !c.ok() {
				return nil
			}
			if !u32ok(flags) {
				return vfs.EINVAL
			}
			return c.in.task.Renameat2(vfs.AT_FDCWD, o, vfs.AT_FDCWD, n, uint32(flags))
		}},
		// link(s old, s new), symlink(s target, s path)
		{"link", true, func(c *call) error { return twoPathOp(c, (*vfs.Task).Link) }},
		{"symlink", true, func(c *call) error { return twoPathOp(c, (*vfs.Task).Symlink) }},
		// readlink(s path) -> s target
		{"readlink", true, func(c *call) error {
			p := c.d.path()
			if !c.ok() {
				return nil
			}
			s, err := c.in.task.Readlink(p)
			if err == nil {
				c.e.str(s)
			}
			return err
		}},
		// chmod(s path, a mode)
		{"chmod", true, func(c *call) error {
			p, mode := c.d.path(), c.d.num()
			if !c.ok() {
				return nil
			}
			if !u32ok(mode) {
				return vfs.EINVAL
			}
			return c.in.task.Chmod(p, uint32(mode))
		}},
		// chown(s path, a uid, a gid), lchown(...)
		{"chown", true, func(c *call) error { return opChown(c, (*vfs.Task).Chown) }},
		{"lchown", true, func(c *call) error { return opChown(c, (*vfs.Task).Lchown) }},
		// truncate(s path, a len), ftruncate(a fd, a len)
		{"truncate", true, func(c *call) error {
			p, n := c.d.path(), c.d.num()
			if !c.ok() {
				return nil
			}
			return c.in.task.Truncate(p, n)
		}},
		{"ftruncate", true, func(c *call) error {
			fd, n := c.d.num(), c.d.num()
			if !c.ok() {
				return nil
			}
			return c.in.task.Ftruncate(int(fd), n)
		}},
		// mount(s source, s target, s fstype, a flags, s data)
		{"mount", true, func(c *call) error {
			src, tgt, typ, flags, data := c.d.str(), c.d.str(), c.d.str(), c.d.num(), c.d.str()
			if !c.ok() {
				return nil
			}
			if !u32ok(flags) {
				return vfs.EINVAL
			}
			return c.in.task.Mount(src, tgt, typ, uint32(flags), data)
		}},
		// umount(s target, a flags): umount2
		{"umount", true, func(c *call) error {
			tgt, flags := c.d.path(), c.d.num()
			if !c.ok() {
				return nil
			}
			if !u32ok(flags) {
				return vfs.EINVAL
			}
			return c.in.task.Umount2(tgt, int(flags))
		}},
		// readFile(s path) -> b data
		{"readFile", true, opReadFile},
		// writeFile(s path, b data, a flags, a mode): open with flags
		// (O_WRONLY|O_CREAT|O_TRUNC or O_APPEND), write all, close
		{"writeFile", true, opWriteFile},
		{"fsync", true, func(c *call) error {
			fd := c.d.num()
			if !c.ok() {
				return nil
			}
			return c.in.task.Fsync(int(fd))
		}},
		{"sync", true, func(c *call) error { c.in.task.Sync(); return nil }},
		// access(s path, a mode)
		{"access", true, func(c *call) error {
			p, mode := c.d.path(), c.d.num()
			if !c.ok() {
				return nil
			}
			if !u32ok(mode) {
				return vfs.EINVAL
			}
			return c.in.task.Access(p, int(mode))
		}},
		{"chdir", true, func(c *call) error { return pathOp(c, (*vfs.Task).Chdir) }},
		// getcwd() -> s path
		{"getcwd", true, func(c *call) error {
			s, err := c.in.task.Getcwd()
			if err == nil {
				c.e.str(s)
			}
			return err
		}},
		// utimes(s path, u64 atimeNs, u64 mtimeNs, a flags): utimensat;
		// the times are int64 nanoseconds since the epoch, -1 meaning
		// UTIME_NOW and -2 UTIME_OMIT
		{"utimes", true, opUtimes},
		// shellNew() -> a shell; shellRun(a shell, s line, b stdin) ->
		// a status, u8 exited, b stdout, b stderr, s prompt; shellClose(a shell)
		{"shellNew", true, opShellNew},
		{"shellRun", false, opShellRun},
		{"shellClose", false, opShellClose},
		// shellSplit(a shell, s line) -> s error ("" if the line parsed),
		// s cwd, u32 n, n*(u32 nargs, nargs*s arg, u32 nredirs,
		// nredirs*(u8 fd, s op, s target)): the line's simple commands
		// as the shell would run them, and its working directory
		{"shellSplit", false, opShellSplit},
		// shellSetStatus(a shell, a status): the status of a line the
		// host ran for the shell (a guest's), which "$?" expands to next
		{"shellSetStatus", false, opShellSetStatus},
		// wasiFuncs() -> u32 n, n*(s name, u8 np, np*u8 type, u8 noreturn)
		{"wasiFuncs", false, opWASIFuncs},
		// wasiNew(S args, S env, S preopens, s root, b stdin, a shell) ->
		// a guest (preopens empty: none); its task is forked from the
		// shell's (credentials, umask), or from the VFS's first task for
		// shell 0
		{"wasiNew", true, opWASINew},
		// wasiMemory(a guest, u32 slot): the guest memory the host
		// registered under slot
		{"wasiMemory", false, opWASIMemory},
		// A guest's calls are not batched: the host calls CallWASI for
		// each (wasicall.go). wasiOutput(a guest) -> u8 exited, u32
		// code, b stdout, b stderr: what the calls since the last
		// wasiOutput wrote, and the exit status
		{"wasiOutput", false, opWASIOutput},
		{"wasiClose", false, opWASIClose},
		// subscribe(a ring) -> a listener; events(a listener, a max) ->
		// b JSON array of events; unsubscribe(a listener);
		// snapshot() -> b JSON snapshot (docs/trace-schema.md)
		{"subscribe", true, opSubscribe},
		{"events", false, opEvents},
		{"unsubscribe", false, opUnsubscribe},
		{"snapshot", true, opSnapshot},
	}
}

// OpNames lists the operations by opcode ("" for 0).
func OpNames() []string {
	out := make([]string, len(opTable))
	for i, op := range opTable {
		out[i] = op.name
	}
	return out
}

func opHello(c *call) error {
	c.e.u32(uint32(len(opTable)))
	for _, op := range opTable {
		c.e.str(op.name)
	}
	errs := vfs.Errnos()
	sort.Slice(errs, func(i, j int) bool { return errs[i] < errs[j] })
	c.e.u32(uint32(len(errs)))
	for _, e := range errs {
		c.e.num(int64(e))
		c.e.str(e.Name())
		c.e.str(e.Error())
	}
	return nil
}

// opVFSNew boots a VFS (vfs/boot: tmpfs root, /tmp, /proc, /dev) with
// its memory budget (Options.MemBudget; 0 is the VFS's default).
// MaxMemoryBudget is the largest memory budget a VFS may have (1 GiB,
// web/src/vfs.ts's MAX_MEMORY_BUDGET). Every VFS of a page shares one Go
// heap in wasm32's linear memory of at most 4 GiB, and the collector's
// goal is twice what is live: a budget past it lets one VFS's page cache
// take the heap to the end of that memory, and Go then dies ("fatal
// error: out of memory") with every other VFS in it. A larger one is a
// malformed request, refused before anything is booted.
const MaxMemoryBudget = 1 << 30

func opVFSNew(c *call) error {
	lockdep, budget, traced := c.d.num(), c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	if budget < 0 {
		return errBadRequest{"memory budget is negative"}
	}
	if budget > MaxMemoryBudget {
		return errBadRequest{fmt.Sprintf("memory budget %d is over the %d bytes a VFS may take of the wasm heap", budget, MaxMemoryBudget)}
	}
	v, t, err := boot.New(vfs.Options{Lockdep: lockdep != 0, Trace: traced != 0, MemBudget: budget, ClockNanos: c.b.clock.clockFunc()})
	if err != nil {
		return err
	}
	id := c.b.id()
	c.b.vfses[id] = &instance{v: v, task: t}
	c.e.num(int64(id))
	return nil
}

func opVFSClose(c *call) error {
	// A wedged VFS is only forgotten: its tasks' exits and closes could
	// sleep behind the operation that never finished.
	wedged := c.in.wedged != ""
	for id, s := range c.b.shells {
		if s.in == c.in {
			if !wedged {
				s.close()
			}
			delete(c.b.shells, id)
		}
	}
	for id, g := range c.b.guests {
		if g.in == c.in {
			if !wedged {
				g.close()
			}
			delete(c.b.guests, id)
		}
	}
	for id, l := range c.b.listeners {
		if l.in == c.in {
			l.l.Close()
			delete(c.b.listeners, id)
		}
	}
	for id, in := range c.b.vfses {
		if in == c.in {
			delete(c.b.vfses, id)
		}
	}
	c.b.last = nil
	if c.b.lastGuest != nil && c.b.lastGuest.in == c.in {
		c.b.lastGuest, c.b.lastGuestID = nil, 0
	}
	if wedged {
		return nil
	}
	// The namespace's last user leaves (put_mnt_ns): every superblock
	// nothing else holds is killed, and its pages go back to the pool
	// for the next VFS of the process; then the flusher and kswapd stop.
	c.in.task.Exit()
	c.in.v.PutMntNS()
	c.in.v.Shutdown()
	return nil
}

func opOpen(c *call) error {
	p, flags, mode := c.d.path(), c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	if !u32ok(flags) || !u32ok(mode) {
		return vfs.EINVAL
	}
	fd, err := c.in.task.Open(p, int(flags), uint32(mode))
	if err == nil {
		c.e.num(int64(fd))
	}
	return err
}

// maxIO bounds one read's buffer (Linux's MAX_RW_COUNT is 2 GiB - 4 KiB;
// a wasm32 heap cannot hold that).
const maxIO = 1 << 30

// u32ok reports whether a mode or flags argument fits the 32 bits Linux
// takes it in: a larger one is EINVAL, not its low bits (mode 2^32+0o600
// is not 0o600). JavaScript throws a RangeError before it gets here
// (web/src/args.ts).
func u32ok(v int64) bool { return v >= 0 && v <= 1<<32-1 }

// maxUnsized bounds readFile of a file that reports no size (a device,
// a pipe, procfs' files), which may never end: past it readFile fails
// with EFBIG, as node's readFileSync of an endless file fails with
// ERR_FS_FILE_TOO_LARGE, having grown Go's memory (which never shrinks)
// by a few times this, not by gigabytes.
const maxUnsized = 8 << 20

func opRead(c *call) error {
	fd, n := c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	if n < 0 || n > maxIO {
		return vfs.EINVAL
	}
	return readInto(c, int(fd), n, func(p []byte, _ int64) (int, error) { return c.in.task.Read(int(fd), p) })
}

func opPread(c *call) error {
	fd, n, off := c.d.num(), c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	if n < 0 || n > maxIO {
		return vfs.EINVAL
	}
	return readInto(c, int(fd), n, func(p []byte, done int64) (int, error) { return c.in.task.Pread(int(fd), p, off+done) })
}

// readChunk is the most a read reserves in the response before data has
// arrived. A read of more goes on, for a regular file, in chunks that
// double with what came back (a full chunk means more may follow), so
// the response, and Go's memory under it, grows with the bytes read,
// never with the length asked for: pread(2^29) of a 5-byte file reserves
// readChunk, not 512 MiB. Another file (a device, a pipe, procfs) gets
// one read of up to readChunk, a short read as read(2) allows, so that
// no second read can wait for data.
const readChunk = 1 << 20

// readInto reads up to n bytes of fd straight into the response: the data
// crosses to JavaScript in the batch's one copy. read is called with the
// bytes already read (pread's offset moves on by them).
func readInto(c *call, fd int, n int64, read func(p []byte, done int64) (int, error)) error {
	mark := len(c.e.b)
	c.e.u32(0)
	chunk := int(min(n, readChunk))
	pad := c.e.pad(chunk)
	total := 0
	for {
		// Not zeroed first: only the k bytes read are kept.
		p := c.e.extend(chunk)
		k, err := read(p, int64(total))
		c.e.b = c.e.b[:len(c.e.b)-chunk+k]
		if err != nil {
			if total == 0 {
				c.e.b = c.e.b[:mark]
				return err
			}
			break // what was read before the error, as read(2) returns it
		}
		total += k
		if k < chunk || int64(total) >= n || (total == k && !c.regular(fd)) {
			break
		}
		chunk = int(min(n-int64(total), int64(total)))
	}
	c.e.endData(mark, pad, total)
	return nil
}

// regular reports whether fd is a regular file, whose reads never wait.
func (c *call) regular(fd int) bool {
	ifmt, _, err := c.in.task.FdTypeFlags(fd)
	return err == nil && vfs.IsReg(ifmt)
}

func putU32(p []byte, v uint32) {
	p[0], p[1], p[2], p[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func opWrite(c *call) error {
	fd, data := c.d.num(), c.d.bytes()
	if !c.ok() {
		return nil
	}
	n, err := c.in.task.Write(int(fd), data)
	if err != nil && n == 0 {
		return err
	}
	c.e.num(int64(n))
	return nil
}

func opPwrite(c *call) error {
	fd, data, off := c.d.num(), c.d.bytes(), c.d.num()
	if !c.ok() {
		return nil
	}
	n, err := c.in.task.Pwrite(int(fd), data, off)
	if err != nil && n == 0 {
		return err
	}
	c.e.num(int64(n))
	return nil
}

// The helpers take method expressions ((*vfs.Task).Rmdir), not method
// values, which would allocate a closure per call.

func pathOp(c *call, f func(*vfs.Task, string) error) error {
	p := c.d.path()
	if !c.ok() {
		return nil
	}
	return f(c.in.task, p)
}

func twoPathOp(c *call, f func(*vfs.Task, string, string) error) error {
	a, b := c.d.str(), c.d.str()
	if !c.ok() {
		return nil
	}
	return f(c.in.task, a, b)
}

func opChown(c *call, f func(*vfs.Task, string, uint32, uint32) error) error {
	p, uid, gid := c.d.path(), c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	// -1 (or 2^32 - 1, the same uid_t) leaves the id unchanged.
	if uid < -1 || gid < -1 || !u32ok(max(uid, 0)) || !u32ok(max(gid, 0)) {
		return vfs.EINVAL
	}
	return f(c.in.task, p, uint32(uid), uint32(gid))
}

// exact reports whether v is a number JavaScript holds exactly (a safe
// integer: below 2^53 in magnitude). A result that is not fails with
// EOVERFLOW, as Linux fails a caller whose types cannot hold it
// (fs/read_write.c ksys_lseek, fs/stat.c cp_new_stat, fs/readdir.c
// filldir), never rounded to a neighbour.
func exact(v int64) bool { return v > -1<<53 && v < 1<<53 }

// exactU is exact for an unsigned number (an inode or device number).
func exactU(v uint64) bool { return v < 1<<53 }

// statExact reports whether every number of a stat result is exact (its
// 32-bit ones always are; the times go as seconds and nanoseconds).
func statExact(st *vfs.Stat) bool {
	return exactU(st.Dev) && exactU(st.Ino) && exactU(st.Rdev) && exact(st.Size) && exact(st.Blksize) && exact(st.Blocks)
}

// statSize is the size of a stat result: 19 numbers.
const statSize = 19 * 8

// putStat writes a stat result, 19 numbers: dev, ino, mode, nlink, uid,
// gid, rdev, size, blksize, blocks, mntId, then atime, mtime, ctime and
// btime each as seconds since the epoch and nanoseconds (0 to 999999999).
// Numbers only, so that JavaScript decodes one without making a BigInt
// (its Stats makes the exact nanoseconds on demand), and in one extend.
func putStat(e *encoder, st *vfs.Stat) {
	p := e.extend(statSize)
	putNum(p[0:], int64(st.Dev))
	putNum(p[8:], int64(st.Ino))
	putNum(p[16:], int64(st.Mode))
	putNum(p[24:], int64(st.Nlink))
	putNum(p[32:], int64(st.UID))
	putNum(p[40:], int64(st.GID))
	putNum(p[48:], int64(st.Rdev))
	putNum(p[56:], st.Size)
	putNum(p[64:], st.Blksize)
	putNum(p[72:], st.Blocks)
	putNum(p[80:], int64(st.MntID))
	for i, ns := range [4]int64{st.Atime, st.Mtime, st.Ctime, st.Btime} {
		// Seconds (rounded down) and the nanoseconds past them; in the
		// loop, not a function: a call costs more than the division
		// under GOOS=js.
		sec, nsec := ns/1e9, ns%1e9
		if nsec < 0 {
			sec, nsec = sec-1, nsec+1e9
		}
		putNum(p[88+16*i:], sec)
		putNum(p[96+16*i:], nsec)
	}
}

func opStatPath(c *call, f func(*vfs.Task, string, *vfs.Stat) error) error {
	p := c.d.path()
	if !c.ok() {
		return nil
	}
	st := &c.sc.stat
	if err := f(c.in.task, p, st); err != nil {
		return err
	}
	if !statExact(st) {
		return vfs.EOVERFLOW
	}
	putStat(c.e, st)
	return nil
}

func opFstat(c *call) error {
	fd := c.d.num()
	if !c.ok() {
		return nil
	}
	var st vfs.Stat
	if err := c.in.task.Fstat(int(fd), &st); err != nil {
		return err
	}
	if !statExact(&st) {
		return vfs.EOVERFLOW
	}
	putStat(c.e, &st)
	return nil
}

// opReaddir lists a directory in three byte strings, so that JavaScript
// decodes the names of a large directory with one UTF-8 decode and one
// split instead of one decode per name: the types (a u8 each), the inode
// numbers (a float64 each, little-endian), and the names joined by NUL
// (which no name contains). The three are gathered in the Bridge's
// scratch buffers, whose sizes are known only at the end, then copied
// into the response.
func opReaddir(c *call) error {
	p := c.d.path()
	if !c.ok() {
		return nil
	}
	t := c.in.task
	fd, err := t.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer t.Close(fd)
	rd := &c.sc.readdir
	types, inos, names := rd.types[:0], rd.inos[:0], rd.names[:0]
	defer func() { rd.types, rd.inos, rd.names = types[:0], inos[:0], names[:0] }()
	size := readdirChunk
	for {
		ents, err := t.Getdents(fd, size)
		if err != nil {
			return err
		}
		if len(ents) == 0 {
			break
		}
		used := 0
		for i := range ents {
			de := &ents[i]
			used += direntSize(de.Name)
			if de.Name == "." || de.Name == ".." {
				continue
			}
			if len(types) > 0 {
				names = append(names, 0)
			}
			if !exactU(de.Ino) {
				return vfs.EOVERFLOW
			}
			names = append(names, de.Name...)
			types = append(types, de.Type)
			inos = binary.LittleEndian.AppendUint64(inos, math.Float64bits(float64(de.Ino)))
		}
		// getdents64 returns less than a full buffer only at the end of
		// the directory, or when the next entry did not fit: the call that
		// finds the end then takes a small buffer (each call allocates its
		// entries at the buffer's size), and a large one again if it was
		// not the end.
		if size == readdirChunk && used <= readdirChunk-maxDirentSize {
			size = readdirProbe
		} else {
			size = readdirChunk
		}
	}
	c.e.u32(uint32(len(types)))
	copy(c.e.data(len(types)), types)
	copy(c.e.data(len(inos)), inos)
	copy(c.e.data(len(names)), names)
	return nil
}

// readdirChunk is the getdents64 buffer opReaddir lists with: 2,048
// short names fit, so a directory of the JavaScript benchmark's size
// takes one call, and one with readdirProbe's buffer that finds the end.
const (
	readdirChunk = 64 << 10
	readdirProbe = 1 << 10
)

// direntSize is the size of a struct linux_dirent64 for name, as the
// VFS counts it (vfs/readdir.go): the 19-byte header, the name, its NUL,
// rounded to 8. maxDirentSize is the largest.
func direntSize(name string) int { return (19 + len(name) + 1 + 7) &^ 7 }

const maxDirentSize = (19 + vfs.NAME_MAX + 1 + 7) &^ 7

// stepError is the error of a later call of an operation made of
// several (readFile: open, then read; writeFile: open, write, close):
// the response's errno word carries step in its high 16 bits (Exec), so
// that JavaScript names the call that failed, as Node's fs does
// (ENOSPC of a full tmpfs is "write", not "open").
type stepError struct {
	step uint32
	err  error
}

func (e stepError) Error() string { return e.err.Error() }
func (e stepError) Unwrap() error { return e.err }

// The steps of readFile, writeFile and wasiNew (web/src/ops.ts and
// web/src/wasi.ts name them).
const (
	stepRead       = 1 // readFile's fstat and reads
	stepWrite      = 1 // writeFile's writes
	stepWriteClose = 2 // writeFile's close
	stepPreopen    = 1 // wasiNew's preopens: 1 + the index of the one that failed
)

// errnoWord is an operation's errno as the response carries it: the
// errno in the low 16 bits (Linux's are below 4096), a stepError's step
// in the high 16.
func errnoWord(err error) uint32 {
	if s, ok := err.(stepError); ok {
		return uint32(vfs.ErrnoOf(s.err)) | s.step<<16
	}
	return uint32(vfs.ErrnoOf(err))
}

// maxReadFile bounds readFile of a file that reports its size: a larger
// one fails with EFBIG before anything is read or reserved, as node's
// readFileSync fails with ERR_FS_FILE_TOO_LARGE past 2 GiB (its largest
// Buffer). The bound is the bridge's one read (maxIO): a wasm32 heap
// cannot hold 2 GiB beside the rest, and a makeslice past it would end
// the runtime and every VFS in it.
const maxReadFile = maxIO

func opReadFile(c *call) error {
	p := c.d.path()
	if !c.ok() {
		return nil
	}
	t := c.in.task
	fd, err := t.Open(p, vfs.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer t.Close(fd)
	var st vfs.Stat
	if err := t.Fstat(fd, &st); err != nil {
		return stepError{stepRead, err}
	}
	if vfs.IsDir(st.Mode) {
		return stepError{stepRead, vfs.EISDIR}
	}
	// A file that reports no size (a device, a pipe, procfs' files) may
	// never end (/dev/zero): it is read up to maxUnsized, not maxReadFile.
	sized := st.Size > 0 && vfs.IsReg(st.Mode)
	limit := int64(maxReadFile)
	if !sized {
		limit = maxUnsized
	}
	if st.Size > limit {
		return stepError{stepRead, vfs.EFBIG}
	}
	mark := len(c.e.b)
	c.e.u32(0)
	// Read at least a page at a time: procfs files report size 0.
	chunk := max(int(st.Size)+1, 4096)
	pad := c.e.pad(chunk)
	total := 0
	for {
		p := c.e.extend(chunk) // not zeroed: only the k bytes read are kept
		k, err := t.Read(fd, p)
		c.e.b = c.e.b[:len(c.e.b)-chunk+k]
		if err != nil {
			c.e.b = c.e.b[:mark]
			return stepError{stepRead, err}
		}
		total += k
		// A regular file that reports its size is read whole once a
		// read comes back short having reached that size (read(2) of
		// one is short at its end; a short read before it, the file
		// shrinking, goes on), so reading it takes one call, not a
		// second that finds the end. Otherwise reading goes on until a
		// read returns 0 (fs/read_write.c caps one read at MAX_RW_COUNT,
		// so a short read alone is not the end).
		if k == 0 || (sized && k < chunk && int64(total) >= st.Size) {
			break
		}
		if int64(total) > limit {
			c.e.b = c.e.b[:mark]
			return stepError{stepRead, vfs.EFBIG}
		}
		chunk = max(chunk, 64<<10)
	}
	c.e.endData(mark, pad, total)
	return nil
}

func opWriteFile(c *call) error {
	p, data, flags, mode := c.d.path(), c.d.bytes(), c.d.num(), c.d.num()
	if !c.ok() {
		return nil
	}
	if !u32ok(flags) || !u32ok(mode) {
		return vfs.EINVAL
	}
	t := c.in.task
	fd, err := t.Open(p, int(flags), uint32(mode))
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n, err := t.Write(fd, data)
		if err != nil {
			t.Close(fd)
			return stepError{stepWrite, err}
		}
		if n == 0 {
			t.Close(fd)
			return stepError{stepWrite, io.ErrShortWrite}
		}
		data = data[n:]
	}
	if err := t.Close(fd); err != nil {
		return stepError{stepWriteClose, err}
	}
	return nil
}

func opUtimes(c *call) error {
	p, at, mt, flags := c.d.path(), int64(c.d.u64()), int64(c.d.u64()), c.d.num()
	if !c.ok() {
		return nil
	}
	if at < -2 || mt < -2 {
		return vfs.EINVAL
	}
	ts := func(ns int64) vfs.Timespec {
		switch ns {
		case -1:
			return vfs.Timespec{Nsec: vfs.UTIME_NOW}
		case -2:
			return vfs.Timespec{Nsec: vfs.UTIME_OMIT}
		}
		return vfs.Timespec{Sec: ns / 1e9, Nsec: ns % 1e9}
	}
	if !u32ok(flags) {
		return vfs.EINVAL
	}
	times := [2]vfs.Timespec{ts(at), ts(mt)}
	return c.in.task.Utimensat(vfs.AT_FDCWD, p, &times, int(flags))
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := v < 0
	if neg {
		v = -v
	}
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
