// Package vfsbilly presents a vfscope VFS as a go-billy v5 filesystem
// (billy.Filesystem: Basic, TempFile, Dir, Symlink, Chroot; plus
// billy.Change and billy.Capable), so that go-git and other billy users
// run on it unchanged.
//
//	v, t, _ := boot.New(vfs.Options{})
//	fs := vfsbilly.New(t, "/src/repo")
//
// Every call is one or a few vfs.Task system calls: a billy.File is a
// descriptor in the filesystem's task, Read is read(2), Stat is stat(2),
// and the page cache, dcache, locks and trace events are the VFS's own.
// go-billy's test suites run against this package (suite_test.go).
//
// # Tasks and roots
//
// New spawns a task from the caller's (vfs.Task.Spawn): the
// filesystem's task has the caller's credentials, umask, root and
// descriptor limit, but none of its descriptors or mappings, so making a
// filesystem touches nothing of the caller's (no pending write error of
// the caller's files is reported to, and so consumed by, a close in the
// new task). A root other than "/" (and every Chroot) gets a further
// task, spawned from its parent's and chrooted there by chroot(2):
// absolute symlink targets resolve from that root and ".." stops at it,
// as for a process in a chroot. A root need not exist until something
// is created in it. The adapter lends CAP_SYS_CHROOT for that one call,
// as a container runtime would; search permission on the directory is
// still checked with the task's own credentials. A filesystem that
// nothing references any more lets its tasks exit (runtime.AddCleanup).
//
// The root is a path, as osfs's base directory is: when the directory
// a filesystem is bound to is removed, the next call binds again to
// what the path names then (ENOENT until something does; a call that
// creates makes it, as at the start). Files open at the time stay with
// the directory they were opened in. A root renamed (not removed) is
// followed, as a chrooted process follows its root: the filesystem
// checks for a removed root at each call (one flag), where noticing a
// rename would take a walk of the root path at each call.
//
// Each filesystem's task raises its soft RLIMIT_NOFILE to the hard limit,
// as the Go runtime does for a Go program on Linux: with a caller at
// init's limits (1024 and 4096), a filesystem holds 4096 open files. A
// billy.File dropped without Close has its descriptor closed when the
// collector finds it unreachable, as the os package does for a dropped
// *os.File.
//
// Names are cleaned lexically before the VFS walks them, as go-billy's
// Join and chroot helper clean them: "a/b/.." is "a", whatever b is. A
// name that climbs above the root that way ("..", "/../x", "a/../..")
// is refused with billy.ErrCrossedBoundary before any system call.
// Join uses "/" on every host: the tree is a Linux one.
//
// Create, OpenFile with O_CREATE, Rename, Symlink and TempFile make the
// missing parent directories first, as go-billy's osfs does.
//
// # Concurrency
//
// One goroutine drives one vfs.Task at a time, so each call runs on a
// task of its own: a filesystem's binding to its root is a task whose
// descriptor table holds the files opened in it, and calls take a task
// that shares that table (vfs.Task.CloneFiles) from a small pool, as a
// Linux process's threads make their calls. Calls on one filesystem, and
// on one file, run at once, as on osfs: a Read of an empty FIFO, or a
// Lock that must wait, sleeps on its task while the others go on, and
// the file's Close returns at once. The filesystem's mutex is held to
// take a task and to give it back, across a close(2) and while binding;
// a Chroot's first call, or its first after its root was removed, may
// take its parent's mutex (to spawn its task from the parent's), so a
// child's mutex is taken before its parent's, never the reverse.
//
// # Errors
//
// Errors are *os.PathError (or *os.LinkError for Rename and Symlink)
// whose Err is the host's syscall.Errno of the same name as the Linux
// errno the VFS returned, so os.IsNotExist, os.IsExist, os.IsPermission
// and errors.Is with fs.ErrNotExist, fs.ErrExist, fs.ErrPermission and
// errors.ErrUnsupported answer as they do for the os package on Linux.
// errors.go holds the table and its rows; ErrnoOf recovers the
// vfs.Errno. billy.ErrCrossedBoundary and os.ErrClosed (a file used
// after Close) are returned as go-billy's other backends return them.
//
// # Locks
//
// File.Lock and File.Unlock are flock(2)'s LOCK_EX and LOCK_UN on the
// file's open file description, as osfs's are on Linux, and
// Capabilities claims billy.LockCapability. Lock waits while another
// billy.File (of this or any other filesystem on the VFS) holds the
// file locked, on its call's task, so the other files stay usable
// meanwhile. Closing a file releases its lock.
//
// # Deliberate differences from go-billy's memfs and chroot helper
//
//   - Close of a file while a Read or Lock sleeps on it does what
//     close(2) by another thread does on Linux: the call goes on with
//     the open file description until it is woken (data, the writer's
//     last close, the lock's release), and the descriptor is closed
//     when it returns. An os.File whose Read sleeps in a FIFO is woken
//     by Close with os.ErrClosed instead (its poller is evicted); the
//     VFS has no signal to interrupt a sleeping call.
//   - A symlink whose target climbs out of a Chroot (or of New's root)
//     resolves inside it, ".." stopping at the root as chroot(2) makes
//     it; go-billy's chroot helper, which resolves symlinks itself,
//     fails with billy.ErrCrossedBoundary instead. Escape is prevented
//     either way. (go-billy's TestSymlinkWithChrootCrossBounders is
//     replaced by a test of the Linux behaviour.)
//   - Absolute symlink targets are stored as given and resolved from
//     the filesystem's root by the VFS; the chroot helper rewrites them
//     to include its base directory. Readlink returns them as given in
//     both.
//   - Modes are Linux's: new files and directories are subject to the
//     task's umask, as with osfs on Linux; memfs ignores it.
//   - Remove of the root itself ("", "/", "." or any name that cleans
//     to it) is EBUSY, as rmdir(2) of a chrooted process's "/" is (a
//     final component of the root: do_rmdir's LAST_ROOT), for New's
//     root as for a Chroot's. memfs and osfs's default (chroot)
//     filesystem remove an empty root; osfs's BoundOS refuses with an
//     error of its own ("base dir cannot be removed"). The root may
//     still be removed from outside, through a filesystem above it
//     (see "Tasks and roots").
package vfsbilly
