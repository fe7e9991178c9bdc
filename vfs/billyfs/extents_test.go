package billyfs

import (
	"math/rand"
	"testing"
)

// TestExtentsModel runs random adds and removes against a set of pages
// and checks the queries after each step.
func TestExtentsModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var e extents
	model := map[int64]bool{}
	const span = 200
	for step := 0; step < 3000; step++ {
		if rng.Intn(4) > 0 {
			idx := int64(rng.Intn(span))
			if e.add(idx) == model[idx] {
				t.Fatalf("step %d: add(%d) new=%v, model had it=%v", step, idx, !model[idx], model[idx])
			}
			model[idx] = true
		} else {
			a := int64(rng.Intn(span))
			b := a + int64(rng.Intn(20))
			want := int64(0)
			for i := a; i < b; i++ {
				if model[i] {
					want++
					delete(model, i)
				}
			}
			if got := e.remove(a, b); got != want {
				t.Fatalf("step %d: remove(%d,%d)=%d want %d", step, a, b, got, want)
			}
		}
		if e.count() != int64(len(model)) {
			t.Fatalf("step %d: count %d want %d", step, e.count(), len(model))
		}
		for i, r := range e.runs {
			if r.len <= 0 || i > 0 && e.runs[i-1].start+e.runs[i-1].len >= r.start {
				t.Fatalf("step %d: runs not sorted, disjoint and apart: %v", step, e.runs)
			}
		}
		// Every query at every 50th step; a few random ones between.
		probes := []int64{int64(rng.Intn(span + 2)), int64(rng.Intn(span + 2)), int64(rng.Intn(span + 2))}
		if step%50 == 0 {
			probes = probes[:0]
			for idx := int64(0); idx < span+2; idx++ {
				probes = append(probes, idx)
			}
		}
		for _, idx := range probes {
			if e.has(idx) != model[idx] {
				t.Fatalf("step %d: has(%d)=%v", step, idx, e.has(idx))
			}
			wantData, wantHole := int64(-1), idx
			for j := idx; j < span+2; j++ {
				if model[j] && wantData < 0 {
					wantData = j
				}
			}
			for model[wantHole] {
				wantHole++
			}
			if got := e.next(idx, true); got != wantData {
				t.Fatalf("step %d: next data from %d = %d want %d", step, idx, got, wantData)
			}
			if got := e.next(idx, false); got != wantHole {
				t.Fatalf("step %d: next hole from %d = %d want %d", step, idx, got, wantHole)
			}
		}
	}
}

func TestExtentsSequentialAppendIsOneRun(t *testing.T) {
	var e extents
	for i := int64(0); i < 100000; i++ {
		e.add(i)
	}
	if len(e.runs) != 1 || e.count() != 100000 {
		t.Fatalf("runs %v count %d", e.runs, e.count())
	}
}
