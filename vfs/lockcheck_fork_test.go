package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// fork(2) calls into filesystems (dup_mmap: vm_operations ->open for
// every mapping copied) and, as every system call, is checked on return
// to user space: a ->open that returns with a lock held is reported at
// the fork.
var lockcheckVMPrivate = lock.NewClass("lockcheck_vm_private", lock.KindMutex)

func TestLockcheckForkHeldOnReturn(t *testing.T) {
	for _, c := range []struct {
		name string
		leak bool
	}{
		{"vm open balanced", false},
		{"vm open leaks a lock", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := vfs.New(vfs.Options{Lockdep: true})
			tk := v.NewTask("init", vfs.RootCred)
			if err := tmpfs.Register(tk, v); err != nil {
				t.Fatal(err)
			}
			if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
				t.Fatal(err)
			}
			fd, err := tk.Open("/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tk.Write(fd, make([]byte, vfs.PAGE_SIZE)); err != nil {
				t.Fatal(err)
			}
			vma, err := tk.Mmap(fd, 0, vfs.PAGE_SIZE, vfs.PROT_READ, vfs.MAP_SHARED)
			if err != nil {
				t.Fatal(err)
			}
			// A lock of the mapping's own (a driver's vm_private_data
			// mutex), below mmap_lock as ->open finds it.
			var priv lock.Mutex
			priv.Init(lockcheckVMPrivate, 0)
			opens := 0
			vma.VMOps = &vfs.VMOperations{
				Fault:    vfs.FilemapFault,
				MapPages: vfs.FilemapMapPages,
				Open: func(t *vfs.Task, vma *vfs.Mapping) {
					opens++
					if c.leak {
						priv.Lock(t.Owner()) // the bug: never unlocked
					}
				},
			}
			if n := len(v.Validator().Reports()); n != 0 {
				t.Fatalf("%d reports before fork", n)
			}
			child := tk.Fork("child")
			if opens != 1 {
				t.Fatalf("vm ->open called %d times by fork, want 1", opens)
			}
			reps := v.Validator().Reports()
			if !c.leak {
				if len(reps) != 0 {
					t.Fatalf("reports: %v", reps)
				}
			} else {
				if len(reps) != 1 || reps[0].Kind != lock.HeldOnReturn {
					t.Fatalf("want one HeldOnReturn report, got %v", reps)
				}
				for _, want := range []string{"fork", tk.Owner().Name()} {
					if !strings.Contains(reps[0].Text, want) {
						t.Errorf("report lacks %q:\n%s", want, reps[0].Text)
					}
				}
				priv.Unlock(tk.Owner())
			}
			child.Exit()
			tk.Close(fd)
		})
	}
}
