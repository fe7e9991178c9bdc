package procfs_test

import (
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestStatus reads /proc/<pid>/status and /proc/self/status, as the
// task itself and as another, and checks every line.
func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		comm   string
		cred   *vfs.Cred
		umask  uint32
		opens  int  // descriptors the task opens (after its 0, 1, 2)
		other  bool // read by its parent, not by itself
		self   bool // through /proc/self
		status func(pid string) string
	}{
		{name: "root self", comm: "sh", cred: vfs.RootCred, umask: 0o022, self: true,
			status: func(pid string) string {
				return "Name:\tsh\nUmask:\t0022\nState:\tR (running)\nTgid:\t" + pid + "\nNgid:\t0\nPid:\t" + pid +
					"\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t4\nGroups:\t \n"
			}},
		{name: "user groups sorted", comm: "cat", cred: &vfs.Cred{UID: 1000, GID: 100, Groups: []uint32{27, 4, 100}},
			umask: 0o077, opens: 2,
			status: func(pid string) string {
				return "Name:\tcat\nUmask:\t0077\nState:\tR (running)\nTgid:\t" + pid + "\nNgid:\t0\nPid:\t" + pid +
					"\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\nFDSize:\t6\nGroups:\t4 27 100 \n"
			}},
		{name: "another task sleeps", comm: "worker", cred: &vfs.Cred{UID: 5, GID: 6, Groups: []uint32{7}},
			umask: 0, opens: 1, other: true,
			status: func(pid string) string {
				return "Name:\tworker\nUmask:\t0000\nState:\tS (sleeping)\nTgid:\t" + pid + "\nNgid:\t0\nPid:\t" + pid +
					"\nTracerPid:\t0\nUid:\t5\t5\t5\t5\nGid:\t6\t6\t6\t6\nFDSize:\t4\nGroups:\t7 \n"
			}},
		{name: "comm cut and escaped", comm: "a\\b\nc d-0123456789", cred: vfs.RootCred, umask: 0o777,
			status: func(pid string) string {
				return "Name:\ta\\\\b\\nc d-0123456\nUmask:\t0777\nState:\tR (running)\nTgid:\t" + pid + "\nNgid:\t0\nPid:\t" + pid +
					"\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t4\nGroups:\t \n"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, root := setup(t)
			for range 3 { // stdin, stdout, stderr
				fd, err := root.Open("/", vfs.O_RDONLY, 0)
				must(t, err)
				defer root.Close(fd)
			}
			task := root.Fork(tc.comm)
			defer task.Exit()
			for range tc.opens {
				_, err := task.Open("/", vfs.O_RDONLY, 0)
				must(t, err)
			}
			task.Umask(tc.umask)
			task.SetCred(tc.cred)
			pid := strconv.Itoa(int(task.PID()))
			reader, path := task, "/proc/"+pid+"/status"
			if tc.other {
				reader = root
			}
			if tc.self {
				path = "/proc/self/status"
			}
			if got, want := read(t, reader, path), tc.status(pid); got != want {
				t.Errorf("%s:\n%q\nwant\n%q", path, got, want)
			}
		})
	}
}

// TestStatusUmaskRace: another task reads /proc/<pid>/status while the
// task changes its umask; the write is under fs->lock as the read is
// (the race detector reports it otherwise), and the line read is always
// one of the two masks.
func TestStatusUmaskRace(t *testing.T) {
	_, root := setup(t)
	task := root.Fork("umasker")
	defer task.Exit()
	path := "/proc/" + strconv.Itoa(int(task.PID())) + "/status"
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			task.Umask(uint32(0o022 + (i%2)*0o055))
		}
	}()
	// A bounded loop that yields: under WebAssembly the writer runs only
	// when the reader lets it.
	for range 500 {
		s := read(t, root, path)
		if !strings.Contains(s, "\nUmask:\t0022\n") && !strings.Contains(s, "\nUmask:\t0077\n") {
			t.Fatalf("status:\n%s", s)
		}
		runtime.Gosched()
	}
	<-done
}
