package vfs_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// boxedOwner is a comparable struct type whose field may hold a value
// that is not: comparing two of them panics when both do.
type boxedOwner struct{ v any }

// TestLockOwnerNotComparable: FileLock.Owner is compared with == and
// keys the blocked hash, so an owner that is not comparable (Linux's
// fl_owner_t is a pointer, and always is) would panic there; the
// entry points a filesystem or lock manager calls refuse it with
// EINVAL instead, each call of the pair (the second one is the one
// that would compare two such owners).
func TestLockOwnerNotComparable(t *testing.T) {
	owners := []struct {
		name    string
		owner   func() any
		wantErr error
	}{
		{"slice", func() any { return []int{1} }, vfs.EINVAL},
		{"map", func() any { return map[int]int{} }, vfs.EINVAL},
		{"func", func() any { return func() {} }, vfs.EINVAL},
		{"struct holding a slice", func() any { return boxedOwner{[]int{1}} }, vfs.EINVAL},
		{"pointer", func() any { return new(int) }, nil},
		{"struct holding an int", func() any { return boxedOwner{1} }, nil},
	}
	manager := &vfs.LockManagerOperations{
		Break:  func(t *vfs.Task, fl *vfs.FileLock) bool { return false },
		Change: vfs.LeaseModify,
	}
	entries := []struct {
		name string
		call func(tk *vfs.Task, f *vfs.File, owner any, i int) error
	}{
		{"PosixLockFile", func(tk *vfs.Task, f *vfs.File, owner any, i int) error {
			return tk.PosixLockFile(f, &vfs.FileLock{Flags: vfs.FL_POSIX, Type: vfs.F_RDLCK, Owner: owner, PID: tk.PID(),
				File: f, Start: int64(i), End: int64(i) + 10}, nil)
		}},
		{"LocksLockFileWait POSIX", func(tk *vfs.Task, f *vfs.File, owner any, i int) error {
			return tk.LocksLockFileWait(f, &vfs.FileLock{Flags: vfs.FL_POSIX, Type: vfs.F_RDLCK, Owner: owner, PID: tk.PID(),
				File: f, Start: int64(i), End: int64(i) + 10})
		}},
		{"LocksLockFileWait flock", func(tk *vfs.Task, f *vfs.File, owner any, i int) error {
			return tk.LocksLockFileWait(f, &vfs.FileLock{Flags: vfs.FL_FLOCK, Type: vfs.F_RDLCK, Owner: owner, PID: tk.PID(),
				File: f, End: vfs.OFFSET_MAX})
		}},
		{"GenericSetlease", func(tk *vfs.Task, f *vfs.File, owner any, i int) error {
			return tk.GenericSetlease(f, vfs.F_RDLCK, &vfs.FileLock{Flags: vfs.FL_LEASE, Type: vfs.F_RDLCK, Owner: owner,
				PID: tk.PID(), File: f, End: vfs.OFFSET_MAX, LMOps: manager})
		}},
	}
	// One VFS for every row (a VFS's boot is most of a row's time under
	// WebAssembly), a file of its own for each.
	e := vfstest.New(t)
	tk := e.Root
	n := 0
	for _, en := range entries {
		for _, ow := range owners {
			n++
			path := fmt.Sprintf("/f%d", n)
			t.Run(en.name+"/"+ow.name, func(t *testing.T) {
				e.WriteFile(path, "x", 0o644)
				f, err := tk.OpenFile(vfs.AT_FDCWD, path, vfs.O_RDONLY, 0)
				e.Must(err)
				defer vfs.FputForTest(tk, f)
				for i := range 2 {
					err := func() (err error) {
						defer func() {
							if r := recover(); r != nil {
								err = fmt.Errorf("panic: %v", r)
							}
						}()
						return en.call(tk, f, ow.owner(), i)
					}()
					if err != ow.wantErr {
						t.Errorf("call %d: %v, want %v", i+1, err, ow.wantErr)
					}
				}
			})
		}
	}
}
