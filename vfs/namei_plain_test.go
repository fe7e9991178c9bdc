package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestPlainWalkMatchesRefWalk resolves paths that leave the lock-free
// walk's plain fast path (walkPlainRCU) at every kind of component, and
// paths it takes whole, in RCU mode and in ref-walk mode: both must reach
// the same dentry or fail with the same error (RCU may also give up with
// errECHILD, never with another answer).
func TestPlainWalkMatchesRefWalk(t *testing.T) {
	_, task, err := boot.New(vfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("n", vfs.NAME_MAX)
	for _, step := range []func() error{
		func() error { return task.Mkdir("/w", 0o755) },
		func() error { return task.Mkdir("/w/a", 0o755) },
		func() error { return task.Mkdir("/w/a/b", 0o755) },
		func() error { return task.Mkdir("/w/a/b/c", 0o755) },
		func() error { return task.Mkdir("/w/"+long, 0o755) },
		func() error { return task.Mkdir("/w/a/a-much-longer-directory-name", 0o755) },
		func() error { return task.Mkdir("/w/closed", 0o700) },
		func() error { return task.Mkdir("/w/closed/in", 0o755) },
		func() error { return task.Mkdir("/w/mnt", 0o755) },
		func() error { return task.Mount("none", "/w/mnt", "tmpfs", 0, "") },
		func() error { return task.Mkdir("/w/mnt/x", 0o755) },
		func() error { return task.Mkdir("/w/cf", 0o755) },
		func() error { return task.Mount("none", "/w/cf", "tmpfs", 0, "casefold") },
		func() error { return task.Mkdir("/w/cf/Dir", 0o755) },
		func() error { return task.Mkdir("/w/cf/Dir/sub", 0o755) },
		func() error { return task.Symlink("a/b", "/w/rel") },
		func() error { return task.Symlink("/w/a", "/w/abs") },
		func() error { return task.Symlink("nowhere", "/w/dangling") },
		func() error { return createFile(task, "/w/a/f") },
		func() error { return createFile(task, "/w/a/b/c/g") },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	user := &vfs.Cred{UID: 1000, GID: 1000}
	paths := []string{
		"/w/a/b/c", "/w/a/b/c/g", "/w/a/b/c/", "/w/a/b/c/g/", "//w//a///b/c//",
		"/w/a/f", "/w/a/f/", "/w/a/f/x", "/w/a/zz", "/w/a/zz/c",
		"/w/a/./b", "/w/a/../a/b", "/w/a/b/..", "/w/a/b/.", "/w/a/b/c/../../f",
		"/w/" + long, "/w/" + long + "/", "/w/" + long + "x", "/w/" + long + "x/y",
		"/w/a/a-much-longer-directory-name", "/w/a/a-much-longer-directory-name/",
		"/w/closed/in", "/w/closed",
		"/w/mnt/x", "/w/mnt", "/w/mnt/../a", "/w/mnt/x/..",
		"/w/cf/dir/sub", "/w/cf/DIR/SUB", "/w/cf/Dir/sub", "/w/cf/nope/sub",
		"/w/rel/c", "/w/rel", "/w/rel/", "/w/abs/b/c", "/w/abs/f", "/w/dangling", "/w/dangling/x",
		"/", "/w", "w/a/b", "/proc/self", "/proc/self/mounts",
	}
	for _, cred := range []*vfs.Cred{vfs.RootCred, user} {
		task.SetCred(cred)
		for _, p := range paths {
			for _, flags := range []uint32{0, vfs.LOOKUP_FOLLOW, vfs.LOOKUP_DIRECTORY} {
				ref, refErr := vfs.WalkForTest(task, p, flags, false)
				rcu, rcuErr := vfs.WalkForTest(task, p, flags, true)
				if rcuErr == vfs.ECHILDForTest {
					continue
				}
				if rcu != ref || rcuErr != refErr {
					t.Errorf("uid %d %q flags %#x: rcu %v %v, ref-walk %v %v", cred.UID, p, flags, rcu, rcuErr, ref, refErr)
				}
			}
		}
	}
	task.SetCred(vfs.RootCred)
	// The plain path must answer by itself, not give up, on a plain
	// path of cached directories.
	if _, err := vfs.WalkForTest(task, "/w/a/b/c/g", 0, true); err != nil {
		t.Errorf("rcu walk of a cached plain path: %v", err)
	}
}

func createFile(t *vfs.Task, p string) error {
	fd, err := t.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return t.Close(fd)
}
