package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// dcacheTree makes, below the root of a filesystem mounted with
// mountInodeFS, the dentries of paths (a trailing "/" makes a
// directory), each positive and hashed, with the operations dops, and
// returns them by path with one reference each, which the caller drops.
func dcacheTree(t *testing.T, tk *vfs.Task, sb *vfs.SuperBlock, dops *vfs.DentryOperations, paths ...string) map[string]*vfs.Dentry {
	t.Helper()
	out := map[string]*vfs.Dentry{}
	ino := uint64(1000)
	for _, p := range paths {
		parent, name := sb.Root(), p
		dir := false
		if p[len(p)-1] == '/' {
			dir, name = true, p[:len(p)-1]
		}
		for k := len(name) - 1; k >= 0; k-- {
			if name[k] == '/' {
				parent, name = out[name[:k+1]], name[k+1:]
				break
			}
		}
		d, err := vfs.DAlloc(tk, parent, name)
		if err != nil {
			t.Fatalf("d_alloc %s: %v", p, err)
		}
		d.SetOps(dops)
		ino++
		in, isNew := vfs.IgetLocked(tk, sb, ino)
		if !isNew {
			t.Fatalf("set-up: inode %d not new", ino)
		}
		if dir {
			in.SetModeType(vfs.S_IFDIR | 0o755)
		} else {
			in.SetModeType(vfs.S_IFREG | 0o644)
		}
		vfs.UnlockNewInode(tk, in)
		vfs.DAdd(tk, d, in)
		out[p] = d
	}
	return out
}

// TestDPruneUnhashed: __dentry_kill calls ->d_prune for every dentry it
// kills (Linux 5.x to 6.18 test only DCACHE_OP_PRUNE), a dentry already
// dropped from the hash (d_drop, as after an invalidation) as much as a
// hashed one the shrinker frees.
func TestDPruneUnhashed(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop bool // d_drop before the last dput
	}{
		{"hashed, freed by the shrinker", false},
		{"d_drop'd, freed by dput", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, sb := mountInodeFS(t, "dprune", &vfs.SuperOperations{})
			var pruned []string
			dops := &vfs.DentryOperations{Prune: func(_ *vfs.Task, d *vfs.Dentry) { pruned = append(pruned, d.Name()) }}
			d := dcacheTree(t, tk, sb, dops, "f")["f"]
			if tc.drop {
				vfs.DDrop(tk, d)
			}
			vfs.Dput(tk, d)
			if !tc.drop {
				vfs.ShrinkDcacheSB(tk, sb)
			}
			if len(pruned) != 1 || pruned[0] != "f" {
				t.Fatalf("->d_prune calls %q, want one for f", pruned)
			}
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}

// TestDInvalidateShrinksChildren: d_invalidate of a directory frees its
// unused descendants (shrink_dcache_parent) rather than leave them
// cached below a dentry nobody can find again; those in use stay, and
// so do their ancestors, which they hold.
func TestDInvalidateShrinksChildren(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths []string // below the invalidated directory d/
		held  []string // kept referenced across the invalidation
		freed int64    // dentries freed
	}{
		{"no children", nil, nil, 0},
		{"leaves", []string{"d/x", "d/y"}, nil, 2},
		{"nested", []string{"d/x", "d/sub/", "d/sub/z", "d/sub/deeper/", "d/sub/deeper/w"}, nil, 5},
		{"one in use", []string{"d/x", "d/sub/", "d/sub/z", "d/sub/w"}, []string{"d/sub/z"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, sb := mountInodeFS(t, "dinval", &vfs.SuperOperations{})
			ds := dcacheTree(t, tk, sb, nil, append([]string{"d/"}, tc.paths...)...)
			d := ds["d/"]
			held := map[string]bool{}
			for _, p := range tc.held {
				held[p] = true
			}
			for _, p := range tc.paths {
				if !held[p] {
					vfs.Dput(tk, ds[p])
				}
			}
			before := v.DentryState().NrDentry
			vfs.DInvalidate(tk, d)
			if n := before - v.DentryState().NrDentry; n != tc.freed {
				t.Errorf("d_invalidate freed %d dentries, want %d", n, tc.freed)
			}
			for _, p := range tc.held {
				if ds[p].Count() != 1 {
					t.Errorf("%s: count %d, want the one held", p, ds[p].Count())
				}
				vfs.Dput(tk, ds[p])
			}
			vfs.Dput(tk, d)
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
