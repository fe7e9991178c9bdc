package procfs_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestTaskCredPublished: another task's credentials are read while the
// task changes them. Linux's commit_creds publishes the new cred with
// rcu_assign_pointer and readers of another task's take it under RCU
// (__task_cred: proc_pid_make_inode's task_dump_owner,
// ptrace_may_access), so neither side races; under -race the readers
// below (procfs's pidInode and mayPtrace) and SetCred must not be
// reported. Each row also checks what the reader sees once the writer is
// done and its last SetCred is uid 1000.
func TestTaskCredPublished(t *testing.T) {
	user := &vfs.Cred{UID: 1000, GID: 1000}
	for _, tc := range []struct {
		name string
		// read runs as reader (uid 1000) against /proc/<pid of the
		// writer>; final says it runs after the writer is done.
		read func(t *testing.T, v *vfs.VFS, reader *vfs.Task, dir string, final bool)
	}{
		{"readlink cwd (mayPtrace)", func(t *testing.T, v *vfs.VFS, reader *vfs.Task, dir string, final bool) {
			body, err := reader.Readlink(dir + "/cwd")
			// While the writer is root, a task of uid 1000 may not:
			// EACCES; once it is uid 1000, the link is "/".
			if final && (err != nil || body != "/") {
				t.Errorf("readlink %s/cwd = %q, %v; want \"/\"", dir, body, err)
			}
			if err != nil && vfs.ErrnoOf(err) != vfs.EACCES {
				t.Errorf("readlink %s/cwd: %v", dir, err)
			}
		}},
		{"stat after drop_caches (pidInode)", func(t *testing.T, v *vfs.VFS, reader *vfs.Task, dir string, final bool) {
			// Dropping the dentries makes the next lookup build the
			// inode again from the task's credentials.
			if err := v.DropCaches(reader, 2); err != nil {
				t.Fatal(err)
			}
			var st vfs.Stat
			if err := reader.Lstat(dir+"/maps", &st); err != nil {
				t.Fatalf("lstat %s/maps: %v", dir, err)
			}
			if final && st.UID != 1000 {
				t.Errorf("%s/maps is uid %d, want 1000", dir, st.UID)
			}
			if st.UID != 0 && st.UID != 1000 {
				t.Errorf("%s/maps is uid %d", dir, st.UID)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, root := setup(t)
			writer := root.Fork("writer")
			defer writer.Exit()
			reader := root.Fork("reader")
			defer reader.Exit()
			reader.SetCred(user)
			dir := "/proc/" + pidStr(writer)
			const rounds = 200
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					if i%2 == 0 {
						writer.SetCred(vfs.RootCred)
					} else {
						writer.SetCred(user)
					}
					runtime.Gosched() // wasm: let the reader run
				}
			}()
			for i := 0; i < rounds; i++ {
				tc.read(t, v, reader, dir, false)
				runtime.Gosched()
			}
			wg.Wait()
			tc.read(t, v, reader, dir, true)
		})
	}
}
