package lock

import (
	"sort"
	"strconv"
	"strings"
)

// path returns the edges of a shortest path from -> ... -> to in the
// dependency graph (breadth first, like lockdep's check_noncircular), or nil
// if to is not reachable. Called with graphMu held for write (it raises
// maxBFS).
func (v *Validator) path(from, to ClassKey) []edge {
	if from == to {
		return nil
	}
	parent := map[ClassKey]ClassKey{from: from}
	queue := []ClassKey{from}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, n := range v.fwd[k] {
			if _, seen := parent[n]; seen {
				continue
			}
			parent[n] = k
			if n == to {
				var rev []edge
				for c := to; c != from; c = parent[c] {
					rev = append(rev, edge{parent[c], c})
				}
				for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
					rev[i], rev[j] = rev[j], rev[i]
				}
				return rev
			}
			queue = append(queue, n)
			if len(queue) > v.maxBFS {
				v.maxBFS = len(queue)
			}
		}
	}
	return nil
}

// cycleKey names a cycle independently of where it was entered: its edges,
// sorted.
func cycleKey(es []edge) string {
	ks := make([]string, len(es))
	for i, e := range es {
		ks[i] = keyID(e.from) + ">" + keyID(e.to)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func keyID(k ClassKey) string {
	return strconv.FormatUint(uint64(k.Class.id), 10) + "/" + strconv.Itoa(int(k.Subclass))
}
