package procfs_test

import (
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestStatusLayoutHost compares /proc/<pid>/status with the host's
// /proc/thread-self/status for a thread given the same comm: the lines
// vfscope has come in the host's order, the Name line is escaped and
// cut the same, and every other line has the host's layout, numbers
// aside (a umask keeps its four digits).
func TestStatusLayoutHost(t *testing.T) {
	for _, comm := range []string{"sh", "a\\b\nc d-0123456789", "tab\there", "0123456789abcdef"} {
		t.Run(comm, func(t *testing.T) {
			host := hostThreadStatus(t, comm)
			_, root := setup(t)
			task := root.Fork(comm)
			defer task.Exit()
			task.Umask(0o022)
			ours := strings.Split(strings.TrimSuffix(read(t, task, "/proc/self/status"), "\n"), "\n")
			hostLine := map[string]int{}
			for i, l := range host {
				hostLine[key(l)] = i
			}
			last := -1
			for _, l := range ours {
				i, ok := hostLine[key(l)]
				if !ok {
					t.Errorf("%q: no such line on the host", l)
					continue
				}
				if i <= last {
					t.Errorf("%q: out of the host's order", l)
				}
				last = i
				h := host[i]
				switch key(l) {
				case "Name", "State", "Groups", "Ngid", "TracerPid":
					if l != h {
						t.Errorf("%q, host %q", l, h)
					}
				default:
					re := "^" + regexp.MustCompile(`[0-9]+`).ReplaceAllString(regexp.QuoteMeta(h), "[0-9]+") + "$"
					if !regexp.MustCompile(re).MatchString(l) || key(l) == "Umask" && len(l) != len(h) {
						t.Errorf("%q, host %q", l, h)
					}
				}
			}
		})
	}
}

func key(line string) string {
	k, _, _ := strings.Cut(line, ":")
	return k
}

// hostThreadStatus names the calling thread comm (through
// /proc/thread-self/comm), reads its status and gives its old name back.
func hostThreadStatus(t *testing.T, comm string) []string {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := os.ReadFile("/proc/thread-self/comm")
	if err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile("/proc/thread-self/comm", []byte(comm), 0); err != nil {
		t.Skip(err)
	}
	defer os.WriteFile("/proc/thread-self/comm", old, 0)
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		t.Fatal(err)
	}
	if os.Getuid() != 0 || !strings.Contains(string(b), "\nGroups:\t \n") {
		t.Skip("the host comparison wants a root thread with no supplementary groups")
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}
