// go-git v5.19.2 does not build for wasip1 (worktree.go needs
// isSymlinkWindowsNonAdmin, which no wasip1 file defines).

//go:build !wasip1

package vfsbilly_test

import (
	"errors"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// sig is a fixed author and committer, so that commit hashes are the
// same on every run and every filesystem.
func sig(minute int) *object.Signature {
	return &object.Signature{
		Name:  "Ada Lovelace",
		Email: "ada@example.com",
		When:  time.Date(2024, 5, 1, 12, minute, 0, 0, time.UTC),
	}
}

// gitScenario runs one history on a worktree filesystem: init, two
// commits on master, a branch "feature" with a change and a new file,
// and a checkout back to master. It checks what go-git reads back at
// every step and returns the two branch heads.
func gitScenario(t *testing.T, wt billy.Filesystem) (master, feature plumbing.Hash) {
	t.Helper()
	dot, err := wt.Chroot(".git")
	must(t, err)
	repo, err := git.Init(filesystem.NewStorage(dot, cache.NewObjectLRUDefault()), wt)
	must(t, err)
	w, err := repo.Worktree()
	must(t, err)

	commit := func(msg string, minute int, files map[string]string) plumbing.Hash {
		t.Helper()
		for name, body := range files {
			must(t, util.WriteFile(wt, name, []byte(body), 0o644))
			_, err := w.Add(name)
			must(t, err)
		}
		h, err := w.Commit(msg, &git.CommitOptions{Author: sig(minute), Committer: sig(minute)})
		must(t, err)
		return h
	}
	first := commit("first", 0, map[string]string{"README.md": "# demo\n", "src/main.go": "package main\n"})
	master = commit("second", 1, map[string]string{"README.md": "# demo\n\nSecond.\n"})

	// The log, newest first.
	iter, err := repo.Log(&git.LogOptions{From: master})
	must(t, err)
	var msgs []string
	must(t, iter.ForEach(func(c *object.Commit) error {
		msgs = append(msgs, strings.TrimSpace(c.Message))
		if !c.Author.When.Equal(c.Committer.When) || c.Author.Email != "ada@example.com" {
			t.Errorf("commit %s: author %v", c.Hash, c.Author)
		}
		return nil
	}))
	if strings.Join(msgs, ",") != "second,first" {
		t.Errorf("log %v", msgs)
	}
	c, err := repo.CommitObject(master)
	must(t, err)
	if len(c.ParentHashes) != 1 || c.ParentHashes[0] != first {
		t.Errorf("parents %v, want %v", c.ParentHashes, first)
	}
	checkTree(t, repo, master, map[string]string{
		"README.md":   "# demo\n\nSecond.\n",
		"src/main.go": "package main\n",
	})

	// Another branch, a change and a new file there.
	must(t, w.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("feature"), Create: true}))
	head, err := repo.Head()
	must(t, err)
	if head.Name() != "refs/heads/feature" || head.Hash() != master {
		t.Errorf("HEAD %v", head)
	}
	feature = commit("feature work", 2, map[string]string{"src/main.go": "package main\n\nfunc main() {}\n", "NOTES": "on a branch\n"})
	checkTree(t, repo, feature, map[string]string{
		"README.md":   "# demo\n\nSecond.\n",
		"src/main.go": "package main\n\nfunc main() {}\n",
		"NOTES":       "on a branch\n",
	})

	// Back to master: the worktree follows.
	must(t, w.Checkout(&git.CheckoutOptions{Branch: plumbing.Master}))
	head, err = repo.Head()
	must(t, err)
	if head.Name() != plumbing.Master || head.Hash() != master {
		t.Errorf("HEAD %v", head)
	}
	checkWorktree(t, wt, map[string]string{
		"README.md":   "# demo\n\nSecond.\n",
		"src/main.go": "package main\n",
	})
	if _, err := wt.Stat("NOTES"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NOTES after checking out master: %v", err)
	}
	st, err := w.Status()
	must(t, err)
	if !st.IsClean() {
		t.Errorf("status after checkout:\n%s", st)
	}
	// And to the branch again, by hash this time.
	must(t, w.Checkout(&git.CheckoutOptions{Hash: feature}))
	checkWorktree(t, wt, map[string]string{"NOTES": "on a branch\n", "src/main.go": "package main\n\nfunc main() {}\n"})
	must(t, w.Checkout(&git.CheckoutOptions{Branch: plumbing.Master}))
	return master, feature
}

// checkTree reads a commit's tree back through go-git.
func checkTree(t *testing.T, repo *git.Repository, h plumbing.Hash, want map[string]string) {
	t.Helper()
	c, err := repo.CommitObject(h)
	must(t, err)
	tree, err := c.Tree()
	must(t, err)
	got := map[string]string{}
	must(t, tree.Files().ForEach(func(f *object.File) error {
		body, err := f.Contents()
		got[f.Name] = body
		return err
	}))
	if !sameMap(got, want) {
		t.Errorf("tree of %s: %q, want %q", h, got, want)
	}
}

// checkWorktree reads files from the worktree filesystem.
func checkWorktree(t *testing.T, wt billy.Filesystem, want map[string]string) {
	t.Helper()
	for name, body := range want {
		b, err := util.ReadFile(wt, name)
		if err != nil || string(b) != body {
			t.Errorf("%s: %q, %v; want %q", name, b, err, body)
		}
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestGit runs the scenario on vfscope, with lock validation on, and
// on go-billy's memfs: the commits must be the same objects.
func TestGit(t *testing.T) {
	_, tk := newVFS(t)
	master, feature := gitScenario(t, vfsbilly.New(tk, "/src/repo"))
	memMaster, memFeature := gitScenario(t, memfs.New())
	if master != memMaster || feature != memFeature {
		t.Errorf("vfscope made %s and %s, memfs %s and %s", master, feature, memMaster, memFeature)
	}

	// The repository is an ordinary tree of the VFS: the original task
	// sees it, with git's own layout.
	fd, err := tk.Open("/src/repo/.git/refs/heads/feature", vfs.O_RDONLY, 0)
	must(t, err)
	buf := make([]byte, 64)
	n, _ := tk.Read(fd, buf)
	tk.Close(fd)
	if strings.TrimSpace(string(buf[:n])) != feature.String() {
		t.Errorf("refs/heads/feature holds %q", buf[:n])
	}
	var names []string
	fd, err = tk.Open("/src/repo", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(t, err)
	ents, err := tk.Getdents(fd, 4096)
	must(t, err)
	tk.Close(fd)
	for _, e := range ents {
		names = append(names, e.Name)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != ". .. .git README.md src" {
		t.Errorf("worktree holds %v", names)
	}
}
