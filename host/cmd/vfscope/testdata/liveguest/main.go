// Command liveguest is the WASI guest of TestRunServe: it makes
// /tmp/live/a.txt and /tmp/live/sub/b.txt and prints "ready", then
// creates /tmp/live/NAME for each NAME it reads on stdin, printing
// "created NAME", until stdin ends; last it lists /tmp/live, so that the
// test sees what the VFS holds whatever its viewers asked for.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	if err := os.MkdirAll("/tmp/live/sub", 0o755); err != nil {
		fail(err)
	}
	for _, p := range []string{"/tmp/live/a.txt", "/tmp/live/sub/b.txt"} {
		if err := os.WriteFile(p, []byte("hello from the guest\n"), 0o644); err != nil {
			fail(err)
		}
	}
	fmt.Println("ready")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		name := sc.Text()
		if err := os.WriteFile("/tmp/live/"+name, nil, 0o644); err != nil {
			fail(err)
		}
		fmt.Println("created", name)
	}
	ents, err := os.ReadDir("/tmp/live")
	if err != nil {
		fail(err)
	}
	for _, e := range ents {
		fmt.Println("entry", e.Name())
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "liveguest:", err)
	os.Exit(1)
}
