package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestChildKeepsResolveScope: a task made by Fork or Spawn of a task
// scoped by SetResolve walks scoped as its parent does. A WASI host
// confines its guest by the flag (host/wasi), so a child that walked
// unscoped could leave the guest's directory.
func TestChildKeepsResolveScope(t *testing.T) {
	for _, tc := range []struct {
		name string
		how  uint64
		make func(p *vfs.Task) *vfs.Task
		// want is the error of Open of each path, in order.
		paths []string
		want  []error
	}{
		{"fork beneath", vfs.RESOLVE_BENEATH, func(p *vfs.Task) *vfs.Task { return p.Fork("c") },
			[]string{"/tmp", "..", "sub", "/"}, []error{vfs.EXDEV, vfs.EXDEV, nil, vfs.EXDEV}},
		{"spawn beneath", vfs.RESOLVE_BENEATH, func(p *vfs.Task) *vfs.Task { return p.Spawn("c") },
			[]string{"/tmp", "..", "sub", "/"}, []error{vfs.EXDEV, vfs.EXDEV, nil, vfs.EXDEV}},
		// Under RESOLVE_IN_ROOT "/" and ".." are the working directory,
		// so "/sub" opens and "/jail" (the jail seen from /tmp) does not.
		{"fork in root", vfs.RESOLVE_IN_ROOT, func(p *vfs.Task) *vfs.Task { return p.Fork("c") },
			[]string{"/sub", "../sub", "/jail"}, []error{nil, nil, vfs.ENOENT}},
		{"spawn in root", vfs.RESOLVE_IN_ROOT, func(p *vfs.Task) *vfs.Task { return p.Spawn("c") },
			[]string{"/sub", "../sub", "/jail"}, []error{nil, nil, vfs.ENOENT}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, init, err := boot.New(vfs.Options{Lockdep: true})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			p := init.Fork("parent")
			for _, d := range []string{"/tmp/jail", "/tmp/jail/sub"} {
				if err := p.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Chdir("/tmp/jail"); err != nil {
				t.Fatal(err)
			}
			if err := p.SetResolve(tc.how); err != nil {
				t.Fatal(err)
			}
			c := tc.make(p)
			defer c.Exit()
			for i, path := range tc.paths {
				for _, who := range []struct {
					name string
					t    *vfs.Task
				}{{"parent", p}, {"child", c}} {
					fd, err := who.t.Open(path, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
					if err == nil {
						who.t.Close(fd)
					}
					if err != tc.want[i] {
						t.Errorf("%s: Open(%q) = %v, want %v", who.name, path, err, tc.want[i])
					}
				}
			}
		})
	}
}
