package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestOpenCreatDirectory: since Linux 6.4 build_open_flags() (fs/open.c)
// returns EINVAL for O_CREAT|O_DIRECTORY before any lookup ("Block bugs
// where O_DIRECTORY | O_CREAT created regular files"), whether or not
// the name exists, and creates nothing. O_PATH strips O_CREAT first
// (build_open_how keeps only O_PATH_FLAGS), so O_PATH|O_CREAT|O_DIRECTORY
// opens the directory, as O_PATH|O_TMPFILE does (O_TMPFILE's
// O_DIRECTORY bit stays).
func TestOpenCreatDirectory(t *testing.T) {
	vt.Run(t, []vt.Case{
		{Name: "new name", Op: func(e *vt.Env) error { return openOnly(e, "/d/nd", O_RDONLY|O_CREAT|O_DIRECTORY, 0o644) }, Want: EINVAL, Check: wantAbsent("/d/nd")},
		{Name: "new name excl", Op: func(e *vt.Env) error { return openOnly(e, "/d/nd", O_RDWR|O_CREAT|O_EXCL|O_DIRECTORY, 0o644) }, Want: EINVAL, Check: wantAbsent("/d/nd")},
		{Name: "existing dir", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_RDONLY|O_CREAT|O_DIRECTORY, 0o644) }, Want: EINVAL},
		{Name: "existing file", Op: func(e *vt.Env) error { return openOnly(e, "/d/f", O_RDONLY|O_CREAT|O_DIRECTORY, 0o644) }, Want: EINVAL},
		{Name: "dangling symlink", Op: func(e *vt.Env) error { return openOnly(e, "/d/dangle", O_RDONLY|O_CREAT|O_DIRECTORY, 0o644) }, Want: EINVAL, Check: wantAbsent("/d/nothere")},
		{Name: "missing parent", Op: func(e *vt.Env) error { return openOnly(e, "/nope/x", O_RDONLY|O_CREAT|O_DIRECTORY, 0o644) }, Want: EINVAL},
		{Name: "path strips creat", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_PATH|O_CREAT|O_DIRECTORY, 0) }},
		{Name: "path strips tmpfile", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_PATH|O_TMPFILE|O_RDWR, 0o600) }},
		{Name: "directory alone", Op: func(e *vt.Env) error { return openOnly(e, "/d/sub", O_RDONLY|O_DIRECTORY, 0) }},
		{Name: "creat alone", Op: func(e *vt.Env) error { return openOnly(e, "/d/nd", O_RDONLY|O_CREAT, 0o644) }, Check: wantMode("/d/nd", S_IFREG|0o644&^0o022)},
	})
}
