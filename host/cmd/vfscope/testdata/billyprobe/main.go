// Command billyprobe is the guest of TestRunBillyfsMount: it prints what
// /data/note holds, or "none", then writes the next generation of it.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	b, err := os.ReadFile("/data/note")
	gen := 0
	if err != nil {
		fmt.Println("none")
	} else {
		fmt.Printf("found %q\n", b)
		gen, _ = strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(string(b)), "generation "))
	}
	if err := os.MkdirAll("/data/dir", 0o755); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if err := os.WriteFile("/data/note", []byte(fmt.Sprintf("generation %d\n", gen+1)), 0o644); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
