// Command fsprobe is a WASI guest for host/wasihost's tests: it exercises
// files through Go's os package (create, write, read, rename, readdir,
// symlink, stat, remove) and prints what it sees, one line per step, then
// exits with the code given as its first argument.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

func check(step string, err error) {
	if err != nil {
		fmt.Printf("%s: FAIL %v\n", step, err)
		os.Exit(3)
	}
}

func main() {
	fmt.Printf("args %q\n", os.Args[1:])
	fmt.Printf("env FOO=%s\n", os.Getenv("FOO"))

	check("mkdir", os.Mkdir("/tmp/d", 0o755))
	check("write", os.WriteFile("/tmp/d/a.txt", []byte("hello vfscope\n"), 0o644))
	b, err := os.ReadFile("/tmp/d/a.txt")
	check("read", err)
	fmt.Printf("read %q\n", b)

	f, err := os.OpenFile("/tmp/d/a.txt", os.O_APPEND|os.O_WRONLY, 0)
	check("open append", err)
	_, err = f.WriteString("more\n")
	check("append", err)
	check("close", f.Close())

	check("rename", os.Rename("/tmp/d/a.txt", "/tmp/d/b.txt"))
	_, err = os.Stat("/tmp/d/a.txt")
	fmt.Printf("old name gone: %v\n", errors.Is(err, fs.ErrNotExist))

	check("symlink", os.Symlink("b.txt", "/tmp/d/link"))
	target, err := os.Readlink("/tmp/d/link")
	check("readlink", err)
	fmt.Printf("readlink %s\n", target)
	st, err := os.Stat("/tmp/d/link")
	check("stat", err)
	lst, err := os.Lstat("/tmp/d/link")
	check("lstat", err)
	fmt.Printf("stat size=%d mode=%v lstat mode=%v\n", st.Size(), st.Mode(), lst.Mode()&fs.ModeType)
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		fmt.Printf("ino nonzero: %v nlink=%d\n", sys.Ino != 0, sys.Nlink)
	}

	check("link", os.Link("/tmp/d/b.txt", "/tmp/d/hard"))
	st, err = os.Stat("/tmp/d/hard")
	check("stat hard", err)
	fmt.Printf("hard nlink=%d\n", st.Sys().(*syscall.Stat_t).Nlink)

	for i := 0; i < 30; i++ {
		check("many", os.WriteFile(fmt.Sprintf("/tmp/d/f%02d", i), nil, 0o600))
	}
	ents, err := os.ReadDir("/tmp/d")
	check("readdir", err)
	fmt.Printf("readdir %d entries, first %s last %s\n", len(ents), ents[0].Name(), ents[len(ents)-1].Name())

	err = os.Remove("/tmp/d")
	fmt.Printf("rmdir non-empty: ENOTEMPTY=%v\n", errors.Is(err, syscall.ENOTEMPTY))
	err = os.Rename("/tmp/d", "/mnt/x")
	fmt.Printf("rename across mounts: EXDEV=%v\n", errors.Is(err, syscall.EXDEV))
	err = os.Link("/tmp/d/b.txt", "/mnt/y")
	fmt.Printf("link across mounts: EXDEV=%v\n", errors.Is(err, syscall.EXDEV))

	check("truncate", os.Truncate("/tmp/d/b.txt", 3))
	b, err = os.ReadFile("/tmp/d/hard")
	check("read hard", err)
	fmt.Printf("after truncate %q\n", b)

	check("removeall", os.RemoveAll("/tmp/d"))
	_, err = os.Stat("/tmp/d")
	fmt.Printf("removed: %v\n", errors.Is(err, fs.ErrNotExist))

	_, err = os.ReadFile("/../../etc/passwd")
	fmt.Printf("escape: %v\n", errors.Is(err, fs.ErrNotExist))

	mounts, err := os.ReadFile("/proc/mounts")
	check("proc", err)
	fmt.Printf("proc/mounts has tmpfs: %v\n", len(mounts) > 0)

	fmt.Fprintln(os.Stderr, "to stderr")
	code := 0
	if len(os.Args) > 1 {
		code, _ = strconv.Atoi(os.Args[1])
	}
	os.Exit(code)
}
