package boot_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

func TestSmoke(t *testing.T) {
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tk.Mkdir("/a", 0o755))
	must(tk.Mkdir("/a/b", 0o755))
	fd, err := tk.Open("/a/b/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	must(err)
	n, err := tk.Write(fd, []byte("hello"))
	if n != 5 || err != nil {
		t.Fatal(n, err)
	}
	must(tk.Close(fd))
	var st vfs.Stat
	must(tk.Stat("/a/b/f", &st))
	if st.Size != 5 || st.Nlink != 1 {
		t.Fatalf("%+v", st)
	}
	must(tk.Symlink("b/f", "/a/l"))
	must(tk.Stat("/a/l", &st))
	if st.Size != 5 {
		t.Fatal(st)
	}
	must(tk.Rename("/a/b/f", "/a/g"))
	if err := tk.Stat("/a/b/f", &st); err != vfs.ENOENT {
		t.Fatal(err)
	}
	must(tk.Link("/a/g", "/tmp/h"))
	must(tk.Stat("/tmp/h", &st))
	if st.Nlink != 2 {
		t.Fatal(st)
	}
	fd, err = tk.Open("/a", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(err)
	ents, err := tk.Getdents(fd, 4096)
	must(err)
	t.Log(ents)
	must(tk.Close(fd))
	if err := tk.Rmdir("/a"); err != vfs.ENOTEMPTY {
		t.Fatal(err)
	}
	must(tk.Unlink("/a/g"))
	must(tk.Unlink("/a/l"))
	must(tk.Rmdir("/a/b"))
	must(tk.Rmdir("/a"))
	must(tk.Mount("none", "/tmp", "tmpfs", 0, "size=1m"))
	for _, m := range tk.MountTable() {
		t.Logf("%+v", m)
	}
	must(tk.Umount2("/tmp", 0))
	if r := v.Validator().Reports(); len(r) > 0 {
		t.Fatal(r)
	}
	if r := v.LockingViolations(); len(r) > 0 {
		t.Fatal(r)
	}
}
