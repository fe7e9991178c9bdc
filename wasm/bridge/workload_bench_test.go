package bridge

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/host/wasi"
)

// BenchmarkWorkload is the per-file phases of web/bench/peers.mjs, one
// operation per Exec as the JavaScript API issues them: the same numbers
// natively and as WebAssembly (GOOS=js under node, GOOS=wasip1 under
// wazero) say what running as WebAssembly costs, apart from the crossing.
// The files come 2,000 at a time, as in the JavaScript workload.
func BenchmarkWorkload(b *testing.B) {
	const dirs = 20
	data := make([]byte, 4096)
	for i := range data {
		data[i] = 7
	}
	const (
		oWRONLY = 1
		oCREAT  = 0o100
		oTRUNC  = 0o1000
	)
	name := func(i int) string { return fmt.Sprintf("/w/d%d/f%d", i%dirs, i) }
	moved := func(i int) string { return fmt.Sprintf("/w/d%d/m%d", (i+1)%dirs, i) }
	// The requests are made once for each VFS id (a fresh Bridge's first
	// VFS is always 1), so the profile `make pgo` takes is the bridge's
	// work, not the benchmark's.
	type reqSet struct{ create, stat, read, rename, unlink [][]byte }
	made := map[uint32]*reqSet{}
	setup := func(b *testing.B, br *Bridge, id uint32, n int) (create, stat, read, rename, unlink [][]byte) {
		r := new(req).op("mkdir", id).str("/w").num(0o777)
		for d := range dirs {
			r.op("mkdir", id).str(fmt.Sprintf("/w/d%d", d)).num(0o777)
		}
		if _, err := br.Exec(r.bytes(), NoEnv{}); err != nil {
			b.Fatal(err)
		}
		if s := made[id]; s != nil && len(s.create) == n {
			return s.create, s.stat, s.read, s.rename, s.unlink
		}
		defer func() { made[id] = &reqSet{create, stat, read, rename, unlink} }()
		for i := range n {
			create = append(create, new(req).op("writeFile", id).str(name(i)).raw(data).num(oWRONLY|oCREAT|oTRUNC).num(0o666).bytes())
			stat = append(stat, new(req).op("stat", id).str(name(i)).bytes())
			read = append(read, new(req).op("readFile", id).str(name(i)).bytes())
			rename = append(rename, new(req).op("rename", id).str(name(i)).str(moved(i)).num(0).bytes())
			unlink = append(unlink, new(req).op("unlink", id).str(moved(i)).bytes())
		}
		return
	}
	run := func(b *testing.B, br *Bridge, reqs [][]byte) {
		for _, q := range reqs {
			out, err := br.Exec(q, NoEnv{})
			if err != nil {
				b.Fatal(err)
			}
			if e := (&decoder{b: out}).u32(); e != 0 {
				b.Fatalf("errno %d", e)
			}
		}
	}
	// Rounds of 2,000 files on a fresh VFS, only the phase's own
	// operations timed.
	const round = 2000
	for _, phase := range []string{"create", "stat", "read", "rename", "unlink"} {
		b.Run(phase, func(b *testing.B) {
			for done := 0; done < b.N; done += round {
				b.StopTimer()
				n := min(round, b.N-done)
				br := New()
				id := newVFS(&testing.T{}, br)
				create, stat, read, rename, unlink := setup(b, br, id, round)
				reqs := map[string][][]byte{"create": create, "stat": stat, "read": read, "rename": rename, "unlink": unlink}
				for _, p := range []string{"create", "stat", "read", "rename", "unlink"} {
					if p == phase {
						b.StartTimer()
						run(b, br, reqs[p][:n])
						b.StopTimer()
						run(b, br, reqs[p][n:])
					} else {
						run(b, br, reqs[p])
					}
				}
			}
		})
	}
}

// BenchmarkWASIWorkload is the Go workload guest's (guests/workload) calls
// per file, through CallWASI as the GOOS=js build's imports make them
// (importCall: staged, and their writes applied),
// natively, on a guest memory "on the other side" (countingMemory): a
// create is path_open, fd_fdstat_get, fd_fdstat_set_flags, fd_write of
// 4 KiB and fd_close; a stat path_filestat_get; a read path_open,
// fd_fdstat_get, fd_fdstat_set_flags, two fd_reads (the data, then end
// of file) and fd_close; then path_unlink_file. With BenchmarkWorkload
// it is the profile `make pgo` builds vfscope.wasm with.
func BenchmarkWASIWorkload(b *testing.B) {
	const (
		dirs  = 20
		round = 2000
		size  = 4096
		// Guest memory layout: the path at 0, the iovec at 1024, the
		// result at 1088, file data at 8192.
		pathAt, iovAt, resAt, dataAt = 0, 1024, 1088, 8192
	)
	fi := func(name string) uint32 { return funcIndex(&testing.T{}, name) }
	var (
		pathOpen, fdstatGet, setFlags = fi("path_open"), fi("fd_fdstat_get"), fi("fd_fdstat_set_flags")
		fdWrite, fdRead, fdClose      = fi("fd_write"), fi("fd_read"), fi("fd_close")
		filestat, unlink, mkdir       = fi("path_filestat_get"), fi("path_unlink_file"), fi("path_create_directory")
	)
	rights := uint64(wasi.RightsAll)
	type guestRun struct {
		br *Bridge
		g  uint32
		cm *countingMemory
		p  []uint64
	}
	call := func(r *guestRun, fn uint32, p ...uint64) {
		res, err := importCall(r.br, r.g, r.cm.mem, fn, append(r.p[:0], p...), true)
		if err != nil || res != 0 {
			b.Fatalf("%s: result %d, %v", wasi.Funcs[fn].Name, res, err)
		}
	}
	setPath := func(r *guestRun, name string) uint64 {
		copy(r.cm.mem[pathAt:], name)
		return uint64(len(name))
	}
	open := func(r *guestRun, name string, oflags, fdflags uint64) uint64 {
		n := setPath(r, name)
		call(r, pathOpen, 3, 0, pathAt, n, oflags, rights, rights, fdflags, resAt)
		fd := uint64(binary.LittleEndian.Uint32(r.cm.mem[resAt:]))
		call(r, fdstatGet, fd, resAt)
		call(r, setFlags, fd, 0)
		return fd
	}
	phases := map[string]func(r *guestRun, name string){
		"create": func(r *guestRun, name string) {
			fd := open(r, name, uint64(wasi.OflagCreat|wasi.OflagTrunc), 0)
			binary.LittleEndian.PutUint32(r.cm.mem[iovAt:], dataAt)
			binary.LittleEndian.PutUint32(r.cm.mem[iovAt+4:], size)
			call(r, fdWrite, fd, iovAt, 1, resAt)
			call(r, fdClose, fd)
		},
		"stat": func(r *guestRun, name string) {
			call(r, filestat, 3, 1, pathAt, setPath(r, name), resAt)
		},
		"read": func(r *guestRun, name string) {
			fd := open(r, name, 0, 0)
			binary.LittleEndian.PutUint32(r.cm.mem[iovAt:], dataAt+size)
			binary.LittleEndian.PutUint32(r.cm.mem[iovAt+4:], size+1)
			call(r, fdRead, fd, iovAt, 1, resAt)
			call(r, fdRead, fd, iovAt, 1, resAt)
			call(r, fdClose, fd)
		},
		"unlink": func(r *guestRun, name string) {
			call(r, unlink, 3, pathAt, setPath(r, name))
		},
	}
	order := []string{"create", "stat", "read", "unlink"}
	name := func(i int) string { return fmt.Sprintf("w/d%d/f%d", i%dirs, i) }
	for _, phase := range order {
		b.Run(phase, func(b *testing.B) {
			for done := 0; done < b.N; done += round {
				b.StopTimer()
				n := min(round, b.N-done)
				br := New()
				_, g, cm := newGuest(&testing.T{}, br)
				r := &guestRun{br: br, g: g, cm: cm, p: make([]uint64, 0, 9)}
				for i := range size {
					cm.mem[dataAt+i] = byte(i)
				}
				call(r, mkdir, 3, pathAt, setPath(r, "w"))
				for d := range dirs {
					call(r, mkdir, 3, pathAt, setPath(r, fmt.Sprintf("w/d%d", d)))
				}
				for _, p := range order {
					for i := range round {
						if p == phase && i == 0 {
							b.StartTimer()
						}
						phases[p](r, name(i))
						if p == phase && i == n-1 {
							b.StopTimer()
						}
					}
				}
			}
		})
	}
}

// BenchmarkWorkloadAppend is web/bench/peers.mjs's append phase: 64 KiB
// writes to a file opened O_APPEND, one per Exec as the JavaScript API
// issues them, the file removed and opened anew every 64 MiB (outside
// the timer). With the per-file phases it is the profile `make pgo`
// builds vfscope.wasm with, so the page cache's write path, sixteen
// pages a write, is laid out and inlined as a hot path.
func BenchmarkWorkloadAppend(b *testing.B) {
	const (
		chunk   = 64 << 10
		perFile = 1024 // 64 MiB
		oWRONLY = 1
		oCREAT  = 0o100
		oAPPEND = 0o2000
	)
	data := make([]byte, chunk)
	for i := range data {
		data[i] = 9
	}
	br := New()
	t := &testing.T{}
	id := newVFS(t, br)
	fd := -1
	var write []byte
	reopen := func() {
		r := new(req)
		if fd >= 0 {
			r.op("close", id).num(int64(fd)).op("unlink", id).str("/big")
		}
		r.op("open", id).str("/big").num(oWRONLY | oCREAT | oAPPEND).num(0o644)
		d := exec(t, br, r, nil)
		if fd >= 0 {
			if e1, e2 := d.u32(), d.u32(); e1 != 0 || e2 != 0 {
				b.Fatalf("close, unlink: errno %d, %d", e1, e2)
			}
		}
		if e := d.u32(); e != 0 {
			b.Fatalf("open: errno %d", e)
		}
		fd = int(d.num())
		write = new(req).op("write", id).num(int64(fd)).raw(data).bytes()
	}
	b.SetBytes(chunk)
	b.ResetTimer()
	for i := range b.N {
		if i%perFile == 0 {
			b.StopTimer()
			reopen()
			b.StartTimer()
		}
		out, err := br.Exec(write, NoEnv{})
		if err != nil {
			b.Fatal(err)
		}
		d := &decoder{b: out}
		if e := d.u32(); e != 0 {
			b.Fatalf("write: errno %d", e)
		}
		if n := d.num(); n != chunk {
			b.Fatalf("write: %d bytes", n)
		}
	}
}
