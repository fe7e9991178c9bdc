package procfs_test

import (
	"strconv"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// The magic links /proc/<pid>/fd/N, cwd and root lead to the object
// itself, not to their text: proc_pid_get_link() calls nd_jump_link()
// (fs/proc/base.c, fs/namei.c), so the walk continues from the open
// file's or directory's own path even when it is unlinked, renamed or
// outside the reader's root; readlink(2) still gives the d_path text
// (proc_pid_readlink). Each case runs in a fresh VFS and reports the
// errno or content it saw, compared with what Linux gives.
func TestMagicLinksJump(t *testing.T) {
	// put writes a file with content.
	put := func(t *testing.T, tk *vfs.Task, path, content string) {
		t.Helper()
		fd, err := tk.Open(path, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644)
		must(t, err)
		_, err = tk.Write(fd, []byte(content))
		must(t, err)
		must(t, tk.Close(fd))
	}
	// get reads a file through a new descriptor, or gives the error.
	get := func(tk *vfs.Task, path string, flags int) string {
		fd, err := tk.Open(path, flags, 0)
		if err != nil {
			return "error " + err.Error()
		}
		defer tk.Close(fd)
		b := make([]byte, 64)
		n, err := tk.Pread(fd, b, 0)
		if err != nil {
			return "error " + err.Error()
		}
		return string(b[:n])
	}
	fdLink := func(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }
	cases := []struct {
		name string
		// run returns what the case observed; want is Linux's.
		run  func(t *testing.T, tk *vfs.Task) string
		want string
	}{
		{"readlink of an unlinked file's fd gives the text", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/secret", "REAL")
			fd, err := tk.Open("/tmp/secret", vfs.O_RDONLY, 0)
			must(t, err)
			must(t, tk.Unlink("/tmp/secret"))
			s, err := tk.Readlink(fdLink(fd))
			must(t, err)
			return s
		}, "/tmp/secret (deleted)"},
		{"open of an unlinked file's fd reads that file, not one named like its text", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/secret", "REAL")
			fd, err := tk.Open("/tmp/secret", vfs.O_RDONLY, 0)
			must(t, err)
			must(t, tk.Unlink("/tmp/secret"))
			put(t, tk, "/tmp/secret (deleted)", "IMPOSTOR")
			return get(tk, fdLink(fd), vfs.O_RDONLY)
		}, "REAL"},
		{"open of a renamed file's fd after another took its name", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/a", "A")
			fd, err := tk.Open("/tmp/a", vfs.O_RDONLY, 0)
			must(t, err)
			must(t, tk.Rename("/tmp/a", "/tmp/b"))
			put(t, tk, "/tmp/a", "NEW A")
			return get(tk, fdLink(fd), vfs.O_RDONLY)
		}, "A"},
		{"O_TMPFILE then linkat(/proc/self/fd/N, AT_SYMLINK_FOLLOW) names the tmpfile", func(t *testing.T, tk *vfs.Task) string {
			must(t, tk.Mkdir("/tmp/d", 0o755))
			fd, err := tk.Openat(vfs.AT_FDCWD, "/tmp/d", vfs.O_TMPFILE|vfs.O_RDWR, 0o600)
			must(t, err)
			_, err = tk.Write(fd, []byte("TMPFILE"))
			must(t, err)
			text, err := tk.Readlink(fdLink(fd))
			must(t, err)
			put(t, tk, text, "OTHER")
			if err := tk.Linkat(vfs.AT_FDCWD, fdLink(fd), vfs.AT_FDCWD, "/tmp/d/final", vfs.AT_SYMLINK_FOLLOW); err != nil {
				return "error " + err.Error()
			}
			return get(tk, "/tmp/d/final", vfs.O_RDONLY) + " / " + get(tk, text, vfs.O_RDONLY)
		}, "TMPFILE / OTHER"},
		{"O_CREAT open of an unlinked file's fd writes that file", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/x", "")
			fd, err := tk.Open("/tmp/x", vfs.O_RDWR, 0)
			must(t, err)
			must(t, tk.Unlink("/tmp/x"))
			wfd, err := tk.Open(fdLink(fd), vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			if err != nil {
				return "error " + err.Error()
			}
			_, err = tk.Write(wfd, []byte("via link"))
			must(t, err)
			must(t, tk.Close(wfd))
			b := make([]byte, 16)
			n, _ := tk.Pread(fd, b, 0)
			var st vfs.Stat
			return string(b[:n]) + " / " + errString(tk.Stat("/tmp/x (deleted)", &st))
		}, "via link / " + vfs.ENOENT.Error()},
		{"O_CREAT open of a directory's link is EISDIR", func(t *testing.T, tk *vfs.Task) string {
			_, err := tk.Open("/proc/self/root", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
			return errString(err)
		}, vfs.EISDIR.Error()},
		{"a walk through a removed cwd finds nothing, not a directory named like its text", func(t *testing.T, tk *vfs.Task) string {
			must(t, tk.Mkdir("/tmp/gone", 0o755))
			must(t, tk.Chdir("/tmp/gone"))
			must(t, tk.Rmdir("/tmp/gone"))
			must(t, tk.Mkdir("/tmp/gone (deleted)", 0o755))
			put(t, tk, "/tmp/gone (deleted)/x", "IMPOSTOR")
			text, err := tk.Readlink("/proc/self/cwd")
			must(t, err)
			var st vfs.Stat
			return text + " / " + errString(tk.Stat("/proc/self/cwd/x", &st))
		}, "/tmp/gone (deleted) / " + vfs.ENOENT.Error()},
		{"stat through cwd and fd links gives the object's inode", func(t *testing.T, tk *vfs.Task) string {
			must(t, tk.Mkdir("/tmp/c", 0o755))
			must(t, tk.Chdir("/tmp/c"))
			fd, err := tk.Open("/tmp/c", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
			must(t, err)
			must(t, tk.Rename("/tmp/c", "/tmp/c2"))
			must(t, tk.Mkdir("/tmp/c", 0o755))
			var want, cwd, viaFD vfs.Stat
			must(t, tk.Fstat(fd, &want))
			must(t, tk.Stat("/proc/self/cwd", &cwd))
			must(t, tk.Stat(fdLink(fd)+"/.", &viaFD))
			return strconv.FormatBool(cwd.Ino == want.Ino && viaFD.Ino == want.Ino)
		}, "true"},
		{"a link to a place outside the reader's root opens", func(t *testing.T, tk *vfs.Task) string {
			must(t, tk.Mkdir("/tmp/jail", 0o755))
			must(t, tk.Mkdir("/tmp/jail/proc", 0o555))
			must(t, tk.Mount("proc", "/tmp/jail/proc", "proc", 0, ""))
			put(t, tk, "/tmp/outside", "OUTSIDE")
			child := tk.Fork("jailed")
			defer child.Exit()
			fd, err := child.Open("/tmp/outside", vfs.O_RDONLY, 0)
			must(t, err)
			must(t, child.Chroot("/tmp/jail"))
			must(t, child.Chdir("/"))
			got := get(child, fdLink(fd), vfs.O_RDONLY)
			must(t, child.Close(fd))
			must(t, tk.Umount2("/tmp/jail/proc", 0))
			return got
		}, "OUTSIDE"},
		{"O_NOFOLLOW refuses the link", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/f", "F")
			fd, err := tk.Open("/tmp/f", vfs.O_RDONLY, 0)
			must(t, err)
			return get(tk, fdLink(fd), vfs.O_RDONLY|vfs.O_NOFOLLOW)
		}, "error " + vfs.ELOOP.Error()},
		{"a trailing slash on a file's link is ENOTDIR", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/f", "F")
			fd, err := tk.Open("/tmp/f", vfs.O_RDONLY, 0)
			must(t, err)
			var st vfs.Stat
			return errString(tk.Stat(fdLink(fd)+"/", &st))
		}, vfs.ENOTDIR.Error()},
		{"the jump counts as a link: 39 symlinks and the magic link resolve", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/f", "F")
			fd, err := tk.Open("/tmp/f", vfs.O_RDONLY, 0)
			must(t, err)
			chain(t, tk, "/proc/"+pidStr(tk)+"/fd/"+strconv.Itoa(fd), 39)
			return get(tk, "/tmp/l39", vfs.O_RDONLY)
		}, "F"},
		{"the jump counts as a link (as /proc/self would): 40 symlinks and the magic link are ELOOP", func(t *testing.T, tk *vfs.Task) string {
			put(t, tk, "/tmp/f", "F")
			fd, err := tk.Open("/tmp/f", vfs.O_RDONLY, 0)
			must(t, err)
			chain(t, tk, "/proc/"+pidStr(tk)+"/fd/"+strconv.Itoa(fd), 40)
			return get(tk, "/tmp/l40", vfs.O_RDONLY)
		}, "error " + vfs.ELOOP.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tk := setup(t)
			if got := c.run(t, tk); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// chain makes /tmp/l1 -> target and /tmp/lN -> /tmp/l(N-1) up to n.
func chain(t *testing.T, tk *vfs.Task, target string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		must(t, tk.Symlink(target, "/tmp/l"+strconv.Itoa(i)))
		target = "/tmp/l" + strconv.Itoa(i)
	}
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}
