package boot_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/lock"
)

// TestBootClassesBounded boots and tears down VFSes and checks that the
// lock classes stop growing: the classes of a filesystem type (s_umount,
// s_vfs_rename_mutex, i_rwsem, sb_writers, ...) are made once per type
// name for the process, as Linux's lock_class_keys are static in each
// struct file_system_type (include/linux/fs.h: s_umount_key,
// i_mutex_key, ...). Classes are never freed (lock.NewClass), so a page
// that creates and closes VFSes would otherwise run out of them.
func TestBootClassesBounded(t *testing.T) {
	probe := func() uint32 { return lock.NewClass("boot-probe", lock.KindMutex).ID() }
	boot1 := func() {
		_, tk, err := boot.New(vfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tk.Exit()
	}
	boot1() // the first boot makes the classes of the standard types
	for _, n := range []int{1, 10, 50} {
		a := probe()
		for range n {
			boot1()
		}
		if grown := probe() - a - 1; grown != 0 {
			t.Errorf("%d boots made %d lock classes, want 0", n, grown)
		}
	}
}
