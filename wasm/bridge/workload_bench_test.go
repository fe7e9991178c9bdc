package bridge

import (
	"fmt"
	"testing"
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
	setup := func(b *testing.B, br *Bridge, id uint32, n int) (create, stat, read, rename, unlink [][]byte) {
		r := new(req).op("mkdir", id).str("/w").num(0o777)
		for d := range dirs {
			r.op("mkdir", id).str(fmt.Sprintf("/w/d%d", d)).num(0o777)
		}
		if _, err := br.Exec(r.bytes(), NoEnv{}); err != nil {
			b.Fatal(err)
		}
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
