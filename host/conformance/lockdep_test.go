package conformance

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// abba takes two inodes' i_rwsem in opposite orders from two tasks (one
// after the other: nothing deadlocks), a cycle the validator reports.
func abba(t *testing.T, v *vfs.VFS, tk *vfs.Task) {
	t.Helper()
	if err := tk.Mkdir("/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := tk.Mkdir("/other", 0o755); err != nil {
		t.Fatal(err)
	}
	var a, b *vfs.Inode
	for _, c := range v.RootMount().Root().AllChildren(tk) {
		switch c.Name() {
		case "dir":
			a = c.Inode()
		case "other":
			b = c.Inode()
		}
	}
	if a == nil || b == nil {
		t.Fatal("no /dir or /other in the dcache")
	}
	alpha, beta := tk.Fork("alpha"), tk.Fork("beta")
	defer alpha.Exit()
	defer beta.Exit()
	a.RwsemLock(alpha)
	b.RwsemLock(alpha)
	b.RwsemUnlock(alpha)
	a.RwsemUnlock(alpha)
	b.RwsemLock(beta)
	a.RwsemLock(beta)
	a.RwsemUnlock(beta)
	b.RwsemUnlock(beta)
}

// TestRunTestsLockValidator: a run whose VFS's lock validator reported
// fails as <lockdep> even though every test passed, with the reports.
func TestRunTestsLockValidator(t *testing.T) {
	for _, c := range []struct {
		name  string
		cycle bool
		err   error
		want  string
	}{
		{"clean", false, nil, "[] 0"},
		{"cycle", true, nil, "[<lockdep>] 1"},
		{"cycle in a stopped run", true, context.DeadlineExceeded, "[<binary> <lockdep>] 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := func(ctx context.Context, args []string, out io.Writer) (int, error) {
				v, tk, err := boot.New(vfs.Options{Lockdep: true})
				if err != nil {
					return 1, err
				}
				if c.cycle {
					abba(t, v, tk)
				}
				io.WriteString(out, "=== RUN   TestX\n--- PASS: TestX (0.00s)\nPASS\n")
				return Validated(v, out, 0, c.err)
			}
			r, err := RunTests(context.Background(), run, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(keys(r.Failed), len(r.Problems)); got != c.want {
				t.Errorf("failed, problems: got %s, want %s\n%s", got, c.want, r.Output)
			}
			if c.cycle && !strings.Contains(string(r.Output), "### <lockdep>:\nlockdep report:") {
				t.Errorf("the output has no reports:\n%s", r.Output)
			}
		})
	}
}
