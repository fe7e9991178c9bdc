package vfsbilly_test

import (
	"os"
	"testing"

	"github.com/go-git/go-billy/v5/test"
	"github.com/go-git/go-billy/v5/util"
	"gopkg.in/check.v1"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestBillySuites runs go-billy's own test suites (Basic, Dir, Symlink,
// TempFile and Chroot, through test.FilesystemSuite), each test on a
// fresh VFS with lock validation on.
func TestBillySuites(t *testing.T) { check.TestingT(t) }

// billySuite is go-billy's FilesystemSuite over a fresh VFS per test.
// made says whether the root exists before the test (made by mkdir) or
// is created by the adapter on the first call that creates something.
type billySuite struct {
	test.FilesystemSuite
	made bool
	v    *vfs.VFS
}

var (
	_ = check.Suite(&billySuite{made: true})
	_ = check.Suite(&billySuite{made: false})
)

func (s *billySuite) SetUpTest(c *check.C) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	c.Assert(err, check.IsNil)
	root := "/srv/billy"
	if s.made {
		c.Assert(tk.Mkdir("/srv", 0o755), check.IsNil)
		c.Assert(tk.Mkdir(root, 0o755), check.IsNil)
	}
	s.v = v
	s.FilesystemSuite = test.NewFilesystemSuite(vfsbilly.New(tk, root))
}

func (s *billySuite) TearDownTest(c *check.C) {
	c.Check(s.v.Validator().Reports(), check.HasLen, 0)
	c.Check(s.v.LockingViolations(), check.HasLen, 0)
	s.v.Shutdown() // no flusher outlives its test
}

// TestSymlinkWithChrootCrossBounders replaces go-billy's test of the same
// name, which expects Stat of a symlink whose target climbs out of a
// chroot to fail with billy.ErrCrossedBoundary. A vfsbilly filesystem's
// task is chrooted (chroot(2)), so, as on Linux, ".." at the root stays
// at the root: the link resolves inside the chroot, to a missing file,
// and then to the file once it exists there. The escape is prevented
// either way; only the error differs.
func (s *billySuite) TestSymlinkWithChrootCrossBounders(c *check.C) {
	qux, _ := s.FS.Chroot("/qux")
	c.Assert(util.WriteFile(s.FS, "file", []byte("foo"), 0o644), check.IsNil)

	c.Assert(qux.Symlink("../../file", "qux/link"), check.IsNil)
	fi, err := qux.Lstat("qux/link")
	c.Assert(err, check.IsNil)
	c.Assert(fi.Mode()&os.ModeSymlink != 0, check.Equals, true)

	_, err = qux.Stat("qux/link")
	c.Assert(os.IsNotExist(err), check.Equals, true, check.Commentf("%v", err))

	c.Assert(util.WriteFile(qux, "file", []byte("inside"), 0o644), check.IsNil)
	b, err := util.ReadFile(qux, "qux/link")
	c.Assert(err, check.IsNil)
	c.Assert(string(b), check.Equals, "inside")
}

// The two tests that make and remove 102,400 temporary files each run
// on the suite whose root exists beforehand only: on the other they
// would test nothing new and double the longest part of the run (about
// 40 s each under -race with lock validation on, almost all of it the
// validator recording acquisition stacks).
func (s *billySuite) TestTempFileMany(c *check.C) {
	if !s.made {
		c.Skip("run on the suite with an existing root")
	}
	s.TempFileSuite.TestTempFileMany(c)
}

func (s *billySuite) TestTempFileManyWithUtil(c *check.C) {
	if !s.made {
		c.Skip("run on the suite with an existing root")
	}
	s.TempFileSuite.TestTempFileManyWithUtil(c)
}
