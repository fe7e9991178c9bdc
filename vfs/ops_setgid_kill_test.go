package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestSetgidKill: when chown, write and truncate drop set-group-ID
// (Linux 6.2+, fs/attr.c setattr_should_drop_sgid: always with group
// execute, and without it when the caller is neither in the file's group
// nor CAP_FSETID; setattr_should_drop_suidgid for write and truncate
// through file_remove_privs and dentry_needs_remove_privs, regular files
// only; chown_common asks setattr_should_drop_sgid of the file's group
// before the change).
func TestSetgidKill(t *testing.T) {
	// file makes /tmp/x with mode and owner as root, then becomes uid
	// 1000 (group 1000, supplementary 50).
	file := func(mode, uid, gid uint32) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.WriteFile("/tmp/x", "x", 0o644)
			e.Must(e.Root.Chown("/tmp/x", uid, gid))
			e.Must(e.Root.Chmod("/tmp/x", mode))
			e.As(1000, 1000, 50)
		}
	}
	asRoot := func(mode, uid, gid uint32) func(e *vt.Env) {
		return func(e *vt.Env) { file(mode, uid, gid)(e); e.T = e.Root }
	}
	write := func(e *vt.Env) error {
		fd, err := e.T.Open("/tmp/x", O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer e.T.Close(fd)
		_, err = e.T.Write(fd, []byte("y"))
		return err
	}
	ftruncate := func(e *vt.Env) error {
		fd, err := e.T.Open("/tmp/x", O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer e.T.Close(fd)
		return e.T.Ftruncate(fd, 0)
	}
	truncate := func(e *vt.Env) error { return e.T.Truncate("/tmp/x", 0) }
	chgrp := func(gid uint32) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Chown("/tmp/x", NoID, gid) }
	}
	want := func(mode uint32) func(e *vt.Env) { return wantMode("/tmp/x", S_IFREG|mode) }
	vt.Run(t, []vt.Case{
		// chown: the old group decides, before the change.
		{Name: "chgrp from foreign group drops sgid", Setup: file(0o2644, 1000, 77), Op: chgrp(50), Check: want(0o644)},
		{Name: "chgrp from member group keeps sgid", Setup: file(0o2644, 1000, 50), Op: chgrp(1000), Check: want(0o2644)},
		{Name: "chgrp with group exec drops sgid", Setup: file(0o2754, 1000, 50), Op: chgrp(1000), Check: want(0o754)},
		{Name: "chown no change from foreign group drops sgid", Setup: file(0o2644, 1000, 77), Op: chgrp(NoID), Check: want(0o644)},
		{Name: "root chown keeps sgid without group exec", Setup: asRoot(0o2644, 1000, 77), Op: chgrp(5), Check: want(0o2644)},
		{Name: "root chown drops sgid with group exec", Setup: asRoot(0o2754, 1000, 77), Op: chgrp(5), Check: want(0o754)},
		// write: file_remove_privs.
		{Name: "write outside group drops sgid", Setup: file(0o2666, 0, 77), Op: write, Check: want(0o666)},
		{Name: "write in group keeps sgid", Setup: file(0o2666, 0, 50), Op: write, Check: want(0o2666)},
		{Name: "write with group exec drops sgid", Setup: file(0o2777, 0, 1000), Op: write, Check: want(0o777)},
		{Name: "root write keeps sgid", Setup: asRoot(0o2666, 0, 77), Op: write, Check: want(0o2666)},
		{Name: "write drops suid", Setup: file(0o4666, 0, 50), Op: write, Check: want(0o666)},
		// truncate and ftruncate: dentry_needs_remove_privs.
		{Name: "truncate outside group drops sgid", Setup: file(0o2666, 1000, 77), Op: truncate, Check: want(0o666)},
		{Name: "truncate in group keeps sgid", Setup: file(0o2666, 1000, 50), Op: truncate, Check: want(0o2666)},
		{Name: "ftruncate outside group drops sgid", Setup: file(0o2666, 1000, 77), Op: ftruncate, Check: want(0o666)},
		{Name: "ftruncate in group keeps sgid", Setup: file(0o2666, 1000, 50), Op: ftruncate, Check: want(0o2666)},
		{Name: "root truncate keeps sgid", Setup: asRoot(0o2766, 1000, 77), Op: truncate, Check: want(0o2766)},
		{Name: "root truncate keeps suid", Setup: asRoot(0o4766, 1000, 77), Op: truncate, Check: want(0o4766)},
	})
}
