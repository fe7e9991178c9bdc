package lock

import "sort"

// The modes a class was acquired in (classInfo.usage).
const (
	usedExclusive = 1 << iota
	usedShared
)

// markUsed records that the class was acquired in mode m. The bit is
// loaded first so the common case, a mode already seen, writes nothing.
func (ci *classInfo) markUsed(m Mode) {
	bit := uint32(usedExclusive)
	if m == Shared {
		bit = usedShared
	}
	if ci.usage.Load()&bit == 0 {
		ci.usage.Or(bit)
	}
}

// noteDepth raises the deepest held-lock stack seen to n.
func (v *Validator) noteDepth(n int) {
	for {
		cur := v.maxDepth.Load()
		if int64(n) <= cur || v.maxDepth.CompareAndSwap(cur, int64(n)) {
			return
		}
	}
}

// ProcClass is one (class, subclass) as /proc/lockdep shows it (l_show in
// kernel/locking/lockdep_proc.c).
type ProcClass struct {
	Key ClassKey
	// ForwardDeps and BackwardDeps count the keys reachable from this one
	// in the dependency graph, and the keys it is reachable from, itself
	// included, as lockdep_count_forward_deps and
	// lockdep_count_backward_deps count them (a class with no dependency
	// has 1 and 1).
	ForwardDeps, BackwardDeps int
	// UsedExclusive and UsedShared say whether the class was ever acquired
	// for write (or a lock without a read side) and for read.
	UsedExclusive, UsedShared bool
	// After holds the direct dependencies (keys taken while holding this
	// one), in the order they were first seen, like a lock_class's
	// locks_after list entries of distance 1.
	After []ClassKey
}

// ProcStats are the counts /proc/lockdep_stats shows (lockdep_stats_show).
type ProcStats struct {
	Classes      int // lock-classes: keys seen
	Direct       int // direct dependencies: edges of the graph
	Indirect     int // indirect dependencies: the sum of every key's ForwardDeps
	MaxDepth     int // max locking depth: the deepest held-lock stack seen
	MaxBFSQueue  int // max bfs queue depth: the longest queue of a cycle search
	Reports      int // reports made (not printed by Linux; vfscope keeps validating)
	Repeats      int // repeats of reported bugs, counted and not reported again
	Acquisitions int // acquisitions validated
}

// ProcSnapshot is the validator's graph and counters at one moment: the
// classes in the order of Classes, and the stats. Classes and edges are
// read under graphMu, so the counts agree with each other.
type ProcSnapshot struct {
	Classes []ProcClass
	Stats   ProcStats
}

// ProcSnapshot takes the snapshot /proc/lockdep and /proc/lockdep_stats
// print. The transitive counts are breadth-first searches of the graph,
// one per key, under graphMu held for read.
func (v *Validator) ProcSnapshot() ProcSnapshot {
	var s ProcSnapshot
	v.graphMu.RLock()
	back := make(map[ClassKey][]ClassKey, len(v.classes))
	for from, tos := range v.fwd {
		for _, to := range tos {
			back[to] = append(back[to], from)
		}
	}
	s.Classes = make([]ProcClass, 0, len(v.classes))
	for k, ci := range v.classes {
		u := ci.usage.Load()
		s.Classes = append(s.Classes, ProcClass{
			Key:           k,
			ForwardDeps:   reachable(v.fwd, k),
			BackwardDeps:  reachable(back, k),
			UsedExclusive: u&usedExclusive != 0,
			UsedShared:    u&usedShared != 0,
			After:         append([]ClassKey(nil), v.fwd[k]...),
		})
	}
	s.Stats.Classes = len(v.classes)
	s.Stats.Direct = len(v.edges)
	s.Stats.MaxBFSQueue = v.maxBFS
	v.graphMu.RUnlock()

	sort.Slice(s.Classes, func(i, j int) bool { return s.Classes[i].Key.less(s.Classes[j].Key) })
	for _, c := range s.Classes {
		s.Stats.Indirect += c.ForwardDeps
	}
	s.Stats.MaxDepth = int(v.maxDepth.Load())
	s.Stats.Acquisitions = int(v.acquisitions.Load())
	v.reportMu.Lock()
	s.Stats.Reports = len(v.reports)
	s.Stats.Repeats = v.repeats
	v.reportMu.Unlock()
	return s
}

// reachable counts the keys reachable from k through adj, k included.
func reachable(adj map[ClassKey][]ClassKey, k ClassKey) int {
	seen := map[ClassKey]struct{}{k: {}}
	queue := []ClassKey{k}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, n := range adj[c] {
			if _, ok := seen[n]; !ok {
				seen[n] = struct{}{}
				queue = append(queue, n)
			}
		}
	}
	return len(seen)
}
