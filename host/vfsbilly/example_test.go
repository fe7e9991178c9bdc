// go-git v5.19.2 does not build for wasip1 (worktree.go needs
// isSymlinkWindowsNonAdmin, which no wasip1 file defines).

//go:build !wasip1

package vfsbilly_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// A git repository in a vfscope VFS: go-git works on the billy
// filesystem unchanged, and the repository is an ordinary tree that any
// task of the VFS (a shell, a WASI guest) can read.
func Example() {
	v, t, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		log.Fatal(err)
	}
	wt := vfsbilly.New(t, "/src/hello")
	dot, _ := wt.Chroot(".git")
	repo, err := git.Init(filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), wt)
	if err != nil {
		log.Fatal(err)
	}
	w, _ := repo.Worktree()
	if err := util.WriteFile(wt, "hello.txt", []byte("hello, vfscope\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	w.Add("hello.txt")
	author := &object.Signature{
		Name:  "Example",
		Email: "example@example.com",
		When:  time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	h, err := w.Commit("say hello", &git.CommitOptions{Author: author})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("commit", h)

	c, _ := repo.CommitObject(h)
	f, _ := c.File("hello.txt")
	body, _ := f.Contents()
	fmt.Printf("%s: %s by %s: hello.txt = %q\n", c.Hash.String()[:7], c.Message, c.Author.Name, body)

	// The VFS's own task reads what go-git wrote.
	fd, err := t.Open("/src/hello/.git/HEAD", vfs.O_RDONLY, 0)
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 100)
	n, _ := t.Read(fd, buf)
	t.Close(fd)
	fmt.Printf("/src/hello/.git/HEAD: %s", buf[:n])
	var st vfs.Stat
	t.Stat("/src/hello/.git/refs/heads/master", &st)
	fmt.Printf("refs/heads/master: %d bytes, mode %o\n", st.Size, st.Mode)

	entries, _ := wt.ReadDir(".git")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	fmt.Println(".git:", strings.Join(names, " "))

	fmt.Println("lockdep reports:", len(v.Validator().Reports()), "locking violations:", len(v.LockingViolations()))
	// Output:
	// commit 3784fe86a4c01f09afd37fa520c1eb3fb492f3bc
	// 3784fe8: say hello by Example: hello.txt = "hello, vfscope\n"
	// /src/hello/.git/HEAD: ref: refs/heads/master
	// refs/heads/master: 41 bytes, mode 100644
	// .git: HEAD index objects refs
	// lockdep reports: 0 locking violations: 0
}
