package hostfs

import (
	"testing"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// closeCount is a host file that counts its Close calls.
type closeCount struct {
	billy.File
	closed int
}

func (f *closeCount) Close() error { f.closed++; return nil }

// TestPending: the handle a task's ->create opened goes to that task's
// ->open of that inode only (Linux's FMODE_CREATED open), never to
// another task's open of the new file in between; a handle no open takes
// is closed.
func TestPending(t *testing.T) {
	a, b := &vfs.Task{}, &vfs.Task{}
	in1, in2 := &vfs.Inode{}, &vfs.Inode{}
	tests := []struct {
		name string
		// run plays the calls; it returns what it wants checked: the
		// handles the opens took, in order, and the files' close counts.
		run        func(si *sbInfo, f1, f2 *closeCount) []billy.File
		wantTaken  []bool // whether each take got a handle
		wantClosed [2]int
	}{
		{"the creator's open takes it", func(si *sbInfo, f1, f2 *closeCount) []billy.File {
			si.putPending(a, in1, f1)
			return []billy.File{si.takePending(a, in1)}
		}, []bool{true}, [2]int{0, 0}},
		{"another task's open in between takes nothing", func(si *sbInfo, f1, f2 *closeCount) []billy.File {
			si.putPending(a, in1, f1)
			return []billy.File{si.takePending(b, in1), si.takePending(a, in1)}
		}, []bool{false, true}, [2]int{0, 0}},
		{"untaken: closed at the creator's next open", func(si *sbInfo, f1, f2 *closeCount) []billy.File {
			si.putPending(a, in1, f1)
			return []billy.File{si.takePending(a, in2), si.takePending(a, in1)}
		}, []bool{false, false}, [2]int{1, 0}},
		{"untaken: closed at the creator's next create", func(si *sbInfo, f1, f2 *closeCount) []billy.File {
			si.putPending(a, in1, f1)
			si.putPending(a, in2, f2)
			return []billy.File{si.takePending(a, in2)}
		}, []bool{true}, [2]int{1, 0}},
		{"untaken: closed at eviction", func(si *sbInfo, f1, f2 *closeCount) []billy.File {
			si.putPending(a, in1, f1)
			si.putPending(b, in1, f2)
			si.dropPending(in1)
			return []billy.File{si.takePending(a, in1), si.takePending(b, in1)}
		}, []bool{false, false}, [2]int{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			si := &sbInfo{pending: make(map[*vfs.Task]pendingFile)}
			f1, f2 := &closeCount{}, &closeCount{}
			taken := tc.run(si, f1, f2)
			for i, f := range taken {
				if (f != nil) != tc.wantTaken[i] {
					t.Errorf("open %d took %v, want a handle: %v", i, f, tc.wantTaken[i])
				}
			}
			if got := [2]int{f1.closed, f2.closed}; got != tc.wantClosed {
				t.Errorf("closes %v, want %v", got, tc.wantClosed)
			}
		})
	}
}
