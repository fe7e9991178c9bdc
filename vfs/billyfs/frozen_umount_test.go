package billyfs_test

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// storeImage lists every file of a store with its content.
func storeImage(t *testing.T, fs billy.Filesystem) string {
	t.Helper()
	var lines []string
	err := util.Walk(fs, "/", func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		f, err := fs.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %x", p, b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestFrozenSurvivesUmount: a frozen superblock holds an active
// reference, as freeze_super takes one: unmounting its last mount leaves
// it alive and its store as the freeze left it; the thaw drops the
// reference and the superblock dies then.
func TestFrozenSurvivesUmount(t *testing.T) {
	name := fmt.Sprintf("frozen-%d", storeSeq.Add(1))
	store := memfs.New()
	if err := billyfs.RegisterStore(name, store); err != nil {
		t.Fatal(err)
	}
	defer billyfs.ForgetStore(name)
	e := newEnv(t, name)
	e.mount("")
	r := e.Root
	e.WriteFile("/mnt/f", "data", 0o644)
	e.Must(r.Mkdir("/mnt/d", 0o755))
	e.Must(r.Freeze("/mnt"))
	var sb *vfs.SuperBlock
	for _, s := range e.V.SuperBlocks(r) {
		if s.FSType().Name == "billyfs" {
			sb = s
		}
		s.PutSuper(r)
	}
	frozen := storeImage(t, store)
	e.umount()
	if got := storeImage(t, store); got != frozen {
		t.Errorf("the store changed at the umount of a frozen superblock:\nfrozen:\n%s\nafter:\n%s", frozen, got)
	}
	live := func() bool {
		for _, s := range e.V.SuperBlocks(r) {
			defer s.PutSuper(r)
			if s == sb {
				return true
			}
		}
		return false
	}
	if !live() {
		t.Fatal("the frozen superblock died with its last mount")
	}
	e.Must(vfs.ThawSuper(r, sb))
	if live() {
		t.Error("the superblock outlived its thaw")
	}
	// Mounted again, the store has everything.
	e.mount("")
	if got, err := e.ReadFile("/mnt/f"); err != nil || got != "data" {
		t.Errorf("/mnt/f after the thaw and a mount: %q, %v", got, err)
	}
}
