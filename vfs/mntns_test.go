package vfs_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// liveFSTypes returns the type names of v's live superblocks, sorted.
func liveFSTypes(t *testing.T, v *VFS) []string {
	t.Helper()
	k := v.NewTask("count", RootCred)
	defer k.Exit()
	var names []string
	for _, sb := range v.SuperBlocks(k) {
		names = append(names, sb.FSType().Name)
		sb.PutSuper(k)
	}
	slices.Sort(names)
	return names
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestPutMntNS: tearing down the namespace kills every superblock that
// nothing else holds, and their pages go back to the pool; a task that
// still has a file open on a mount keeps that mount's superblock, whose
// file it still reads, until it exits.
func TestPutMntNS(t *testing.T) {
	e := vt.New(t)
	v, root, must := e.V, e.Root, e.Must
	const rootPages, heldPages = 40, 3
	e.WriteFile("/tmp/big", strings.Repeat("r", rootPages*PAGE_SIZE), 0o644)
	must(root.Mkdir("/mnt", 0o755))
	must(root.Mount("none", "/mnt", "tmpfs", 0, ""))
	held := bytes.Repeat([]byte{'h'}, heldPages*PAGE_SIZE)
	e.WriteFile("/mnt/held", string(held), 0o644)
	rootType := v.RootMount().SB().FSType().Name
	holder := root.Fork("holder")
	fd, err := holder.Open("/mnt/held", O_RDONLY, 0)
	must(err)
	// The holder keeps the file, not the tree: its root and working
	// directory go to the root's.
	must(holder.Chdir("/mnt"))
	before := FreePages()
	if got := liveFSTypes(t, v); !slices.Equal(got, sorted("proc", rootType, "tmpfs", "tmpfs")) {
		t.Fatalf("live superblocks before: %v", got)
	}
	root.Exit()

	v.PutMntNS()
	if v.RootMount() != nil {
		t.Fatal("the namespace still has a root")
	}
	// /dev's tmpfs and /proc are gone; /mnt's tmpfs lives on with the
	// holder's file and working directory, and the root filesystem with
	// the holder's root directory.
	if got := liveFSTypes(t, v); !slices.Equal(got, sorted(rootType, "tmpfs")) {
		t.Fatalf("live superblocks with the holder: %v", got)
	}
	buf := make([]byte, len(held))
	if n, err := holder.Pread(fd, buf, 0); err != nil || n != len(held) || !bytes.Equal(buf, held) {
		t.Fatalf("the holder's read after the teardown: %d, %v", n, err)
	}
	holder.Exit()
	if got := liveFSTypes(t, v); len(got) != 0 {
		t.Fatalf("live superblocks after the holder exited: %v", got)
	}
	if ms := v.MemStat(); ms.FilePages != 0 || ms.Shmem != 0 {
		t.Fatalf("pages left: %+v", ms)
	}
	if got := FreePages() - before; got < rootPages+heldPages {
		t.Errorf("the pool took back %d pages, want at least %d", got, rootPages+heldPages)
	}
	// A task made now has no root or working directory: its calls
	// fail, getcwd with ENOENT.
	late := v.NewTask("late", RootCred)
	defer late.Exit()
	if cwd, err := late.Getcwd(); err != ENOENT {
		t.Errorf("getcwd of a task made after the teardown: %q, %v; want ENOENT", cwd, err)
	}
	if _, err := late.Open("/tmp/big", O_RDONLY, 0); err == nil {
		t.Error("a task made after the teardown opened /tmp/big")
	}
	// Once more is nothing.
	v.PutMntNS()
}
