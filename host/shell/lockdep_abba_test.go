package shell_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/shell"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/lock"
)

func TestLockdepABBA(t *testing.T) {
	tests := []struct {
		name    string
		lockdep bool
		runs    int
		status  int
		want    []string // substrings of the last run's output
		reports int      // circular-dependency reports the validator holds after all runs
	}{
		{"first run reports the cycle", true, 1, 0,
			[]string{"lock A; lock B", "lock B; lock A", "possible circular locking dependency detected", "lockdep_abba_A", "lockdep_abba_B"}, 1},
		{"second run finds it already reported", true, 2, 0,
			[]string{"already reported this cycle"}, 1},
		{"validator off", false, 1, 1,
			[]string{"lock validation is off"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VFSCOPE_LOCKDEP", "")
			v, task, err := boot.New(vfs.Options{Lockdep: tc.lockdep})
			if err != nil {
				t.Fatal(err)
			}
			if tc.lockdep != (v.Validator() != nil) {
				t.Skip("VFSCOPE_LOCKDEP forces the validator on in this process")
			}
			var out bytes.Buffer
			status := 0
			for i := 0; i < tc.runs; i++ {
				out.Reset()
				sh := shell.New(task, strings.NewReader(""), &out, &out)
				status = sh.RunString("lockdep-abba\n")
			}
			if status != tc.status {
				t.Errorf("status %d, want %d; output:\n%s", status, tc.status, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			n := 0
			if val := v.Validator(); val != nil {
				for _, r := range val.Reports() {
					if r.Kind != lock.CircularDependency {
						t.Errorf("unexpected report: %s", r.Text)
						continue
					}
					n++
				}
			}
			if n != tc.reports {
				t.Errorf("%d circular-dependency reports, want %d", n, tc.reports)
			}
			if len(task.Owner().Held()) != 0 {
				t.Errorf("the shell's task holds locks after the command: %v", task.Owner().Held())
			}
		})
	}
}
