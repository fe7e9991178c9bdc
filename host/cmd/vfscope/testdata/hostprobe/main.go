// Command hostprobe is the guest of TestRunHostMount: run under
// `vfscope run --mount host:DIR:/data`, it lists /data, reads, writes,
// renames, links and removes there, and tries to read outside through a
// link and "..", printing one line per step. With the argument "ro" it
// only reads and tries one write.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

func list(dir string) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "error: " + err.Error()
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fs.ErrNotExist):
		return "ENOENT"
	default:
		return err.Error()
	}
}

func main() {
	fmt.Println("ls:", list("/data"))
	b, err := os.ReadFile("/data/a.txt")
	fmt.Printf("cat: %q %s\n", b, result(err))
	for _, p := range []string{"/data/etc/passwd", "/data/../../etc/passwd", "/data/up/etc/passwd"} {
		b, err := os.ReadFile(p)
		fmt.Printf("escape %s: %d bytes %s\n", p, len(b), result(err))
	}
	if len(os.Args) > 1 && os.Args[1] == "ro" {
		err := os.WriteFile("/data/ro-file", []byte("x"), 0o644)
		fmt.Println("write:", result(err))
		return
	}
	fmt.Println("mkdir:", result(os.Mkdir("/data/newdir", 0o755)))
	fmt.Println("write:", result(os.WriteFile("/data/newdir/b.txt", []byte("from the guest\n"), 0o644)))
	f, err := os.OpenFile("/data/newdir/b.txt", os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.WriteString("appended\n")
		f.Close()
	}
	fmt.Println("append:", result(err))
	fmt.Println("rename:", result(os.Rename("/data/newdir/b.txt", "/data/c.txt")))
	fmt.Println("symlink:", result(os.Symlink("c.txt", "/data/link")))
	b, err = os.ReadFile("/data/link")
	fmt.Printf("cat link: %q %s\n", b, result(err))
	fmt.Println("link:", result(os.Link("/data/c.txt", "/data/sub/hard")))
	st1, err1 := os.Stat("/data/c.txt")
	st2, err2 := os.Stat("/data/sub/hard")
	fmt.Println("same file:", err1 == nil && err2 == nil && os.SameFile(st1, st2))
	fmt.Println("rm:", result(os.Remove("/data/gone")))
	fmt.Println("rmdir non-empty:", result(os.Remove("/data/sub")))
	fmt.Println("truncate:", result(os.Truncate("/data/a.txt", 4)))
	fmt.Println("ls:", list("/data"))
}
