package vfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// TestTraceSyscallsAndMethods checks that with Options.Trace each system
// call is bracketed by sys.enter and sys.exit, that the filesystem
// methods it calls appear inside as method.enter/method.exit pairs with
// the locks held (when validation tracks them), and that its object
// events lie between.
func TestTraceSyscallsAndMethods(t *testing.T) {
	for _, lockdep := range []bool{false, true} {
		name := "trace"
		if lockdep {
			name = "trace+lockdep"
		}
		t.Run(name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{Trace: true, Lockdep: lockdep})
			if err != nil {
				t.Fatal(err)
			}
			l := v.Subscribe(1 << 12)
			defer l.Close()
			if err := tk.Mkdir("/a", 0o755); err != nil {
				t.Fatal(err)
			}
			evs := drain(l)
			var seq []string
			var mkdirEnter *trace.Event
			depth := 0
			dirLocked := 0 // exclusive acquisitions of a directory's i_rwsem
			for i := range evs {
				e := &evs[i]
				if e.Task != tk.PID() && e.Kind != trace.Report {
					t.Errorf("event %s of task %d", e.Kind, e.Task)
				}
				switch e.Kind {
				case trace.SyscallEnter, trace.SyscallExit:
					seq = append(seq, e.Kind.String()+" "+e.Op)
				case trace.MethodEnter:
					depth++
					seq = append(seq, "method.enter "+e.Op)
					if e.Op == "inode_operations.mkdir" {
						mkdirEnter = e
					}
				case trace.MethodExit:
					depth--
					seq = append(seq, "method.exit "+e.Op)
				case trace.DentryInstantiate:
					seq = append(seq, "dentry.instantiate "+e.Name)
				case trace.LockAcquire:
					if strings.Contains(e.Class, "i_mutex_dir_key") && e.LockMode == trace.ModeExclusive {
						dirLocked++
						if e.Inode == 0 {
							t.Errorf("i_rwsem acquisition names no inode: %+v", e)
						}
					}
				}
				if depth < 0 {
					t.Fatalf("method.exit without enter at %d", i)
				}
			}
			got := strings.Join(seq, "\n")
			for _, want := range []string{
				"sys.enter mkdirat",
				"method.enter inode_operations.lookup\nmethod.exit inode_operations.lookup",
				"method.enter inode_operations.mkdir\n",
				"dentry.instantiate a\nmethod.exit inode_operations.mkdir",
				"sys.exit mkdirat",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("events lack\n\t%s\nin\n\t%s", strings.ReplaceAll(want, "\n", "\n\t"), strings.ReplaceAll(got, "\n", "\n\t"))
				}
			}
			if seq[0] != "sys.enter mkdirat" || seq[len(seq)-1] != "sys.exit mkdirat" || depth != 0 {
				t.Errorf("not bracketed by the system call: %v (depth %d)", seq, depth)
			}
			if dirLocked == 0 {
				t.Error("no lock.acquire of a directory's i_rwsem for write")
			}
			if mkdirEnter == nil {
				t.Fatal("no method.enter of ->mkdir")
			}
			if mkdirEnter.Inode == 0 || mkdirEnter.Ino == 0 {
				t.Errorf("->mkdir's subject: inode %d ino %d", mkdirEnter.Inode, mkdirEnter.Ino)
			}
			// locking.rst: ->mkdir is called with the parent's i_rwsem held
			// exclusive; the validator's held-lock stack shows it.
			if v.Validator() != nil {
				found := false
				for _, h := range mkdirEnter.Held {
					if strings.Contains(h.Class, "i_mutex_dir_key") && h.Mode == trace.ModeExclusive {
						found = true
					}
				}
				if !found {
					t.Errorf("->mkdir entered without the directory's i_rwsem among %+v", mkdirEnter.Held)
				}
			}
		})
	}
}

// TestTraceChecksFollowListeners: on a VFS made with Options.Trace (and
// no validator), tasks take their checked paths only while someone
// listens; the system call events of a task made before, during or
// after a listening period, and of a second period, are all there.
func TestTraceChecksFollowListeners(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	sawMkdir := func(l *trace.Listener, task *vfs.Task) bool {
		for _, e := range drain(l) {
			if e.Kind == trace.SyscallEnter && e.Op == "mkdirat" && e.Task == task.PID() {
				return true
			}
		}
		return false
	}
	for i, mk := range []func() *vfs.Task{
		func() *vfs.Task { return tk },                // made before any listener
		func() *vfs.Task { return tk.Fork("during") }, // made while listening
		func() *vfs.Task { return tk.Fork("later") },  // made in a later period
	} {
		l := v.Subscribe(1 << 12)
		task := mk()
		if err := task.Mkdir("/d"+string(rune('0'+i)), 0o755); err != nil {
			t.Fatal(err)
		}
		if !sawMkdir(l, task) {
			t.Errorf("period %d: no sys.enter mkdirat from task %d", i, task.PID())
		}
		l.Close()
		// Nobody listens: the call still works, and emits into nothing.
		if err := task.Mkdir("/quiet"+string(rune('0'+i)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
