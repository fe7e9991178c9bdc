package vfs_test

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestMountinfoRootRacesRename: mountinfo's root field (dentry_path) of
// a bind mount stays a path its root had, while, in a loop, its
// directory b moves out from under a deep chain /d/a/m/m/.../b and back,
// and a is renamed z and back while b is out. A walk up that read b's
// old parent and then a's new name would print /d/z/m/.../b/c, which
// never existed; __dentry_path retries on rename_lock instead.
func TestMountinfoRootRacesRename(t *testing.T) {
	if runtime.GOARCH == "wasm" {
		t.Skip("one thread with no preemption: the renames cannot run between a read's steps")
	}
	e := vt.New(t)
	e.Fixture()
	renamer := e.Root.Fork("renamer")
	e.Must(renamer.Mkdir("/d/a", 0o755))
	e.Must(renamer.Mkdir("/d/q", 0o755))
	e.Must(renamer.Chdir("/d/a"))
	const depth = 200
	for i := 0; i < depth; i++ {
		e.Must(renamer.Mkdir("m", 0o755))
		e.Must(renamer.Chdir("m"))
	}
	e.Must(renamer.Mkdir("b", 0o755))
	e.Must(renamer.Mkdir("b/c", 0o755))
	chain := "/d/a" + strings.Repeat("/m", depth)
	in := chain + "/b/c"
	e.Must(e.Root.Mount(in, "/e", "", MS_BIND, ""))
	valid := map[string]bool{in: true, "/d/q/b/c": true}

	dirM, err := renamer.Open(chain, O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	dirQ, err := renamer.Open("/d/q", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	dirD, err := renamer.Open("/d", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			e.Must(renamer.Renameat2(dirM, "b", dirQ, "b", 0))
			e.Must(renamer.Renameat2(dirD, "a", dirD, "z", 0))
			e.Must(renamer.Renameat2(dirD, "z", dirD, "a", 0))
			e.Must(renamer.Renameat2(dirQ, "b", dirM, "b", 0))
		}
	}()
	seen := map[string]int{}
	// About 5 torn fields in 50000 reads without the retry.
	start := time.Now()
	for i := 0; i < 50000 && time.Since(start) < 20*time.Second; i++ {
		for _, m := range e.Root.MountTable() {
			if m.Mountpoint == "/e" {
				seen[m.Root]++
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	for root, n := range seen {
		if !valid[root] {
			t.Errorf("root field %.40q... (%d times) is neither of the paths the mount's root had", root, n)
		}
	}
	if len(seen) < 2 {
		t.Errorf("root fields seen %d; the renames did not interleave with the reads", len(seen))
	}
}
