// Command workload is the filesystem benchmark guest of vfscope's WASI
// front ends: it creates a tree of files, stats every file, reads every
// file and deletes the tree, timing each phase with the guest's clock.
// Compiled with GOOS=wasip1 GOARCH=wasm it runs under wazero on vfscope
// (both WASI paths) and on wazero's own DirFS, so the phases compare the
// filesystems and not the program; host/conformance's benchmark does that.
//
//	workload [-root DIR] [-dirs N] [-files N] [-size BYTES] [-check] [-keep]
//
// The default is the tree: 100 directories of 100 files of 4 KiB
// (10,000 files) under /tmp/workload. Output, one line per phase and a
// total, easy to parse ("PHASE NANOSECONDS ns ..."):
//
//	create 123456789 ns 10000 files (123.456789ms)
//	stat    23456789 ns 10000 files (23.456789ms)
//	read    34567890 ns 10000 files 40960000 bytes (34.56789ms)
//	delete  45678901 ns 10100 entries (45.678901ms)
//	total  227160369 ns (227.160369ms)
//
// With -check the stat phase also verifies that every inode number is
// non-zero and distinct and that a second stat sees the same number; the
// delete phase lists each directory with readdir (as rm -r does) and
// checks the listing is complete. Any failure prints a message and exits 1.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

type config struct {
	root        string
	dirs, files int
	size        int
	check, keep bool
}

func main() {
	var c config
	flag.StringVar(&c.root, "root", "/tmp/workload", "directory to create the tree in (must not exist)")
	flag.IntVar(&c.dirs, "dirs", 100, "number of directories")
	flag.IntVar(&c.files, "files", 100, "files per directory")
	flag.IntVar(&c.size, "size", 4096, "bytes per file")
	flag.BoolVar(&c.check, "check", false, "verify inode numbers and listings as well")
	flag.BoolVar(&c.keep, "keep", false, "skip the delete phase")
	flag.Parse()
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "workload: %v\n", err)
		os.Exit(1)
	}
}

func (c config) dir(d int) string     { return filepath.Join(c.root, "d"+strconv.Itoa(d)) }
func (c config) file(d, f int) string { return filepath.Join(c.dir(d), "f"+strconv.Itoa(f)) }

// content is file (d, f)'s data: its size in a byte pattern that differs
// from file to file, so a read of the wrong file shows.
func (c config) content(buf []byte, d, f int) []byte {
	buf = buf[:c.size]
	seed := byte(d*31 + f*7)
	for i := range buf {
		buf[i] = seed + byte(i)
	}
	return buf
}

func run(c config, out io.Writer) error {
	n := c.dirs * c.files
	var total time.Duration
	phase := func(name string, fn func() (string, error)) error {
		start := time.Now()
		what, err := fn()
		d := time.Since(start)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		total += d
		fmt.Fprintf(out, "%-6s %10d ns %s (%v)\n", name, d.Nanoseconds(), what, d)
		return nil
	}
	buf := make([]byte, c.size)
	rbuf := make([]byte, c.size+1)
	inodes := map[uint64]string{}

	if err := phase("create", func() (string, error) {
		if err := os.Mkdir(c.root, 0o755); err != nil {
			return "", err
		}
		for d := 0; d < c.dirs; d++ {
			if err := os.Mkdir(c.dir(d), 0o755); err != nil {
				return "", err
			}
			for f := 0; f < c.files; f++ {
				if err := os.WriteFile(c.file(d, f), c.content(buf, d, f), 0o644); err != nil {
					return "", err
				}
			}
		}
		return fmt.Sprintf("%d files", n), nil
	}); err != nil {
		return err
	}

	if err := phase("stat", func() (string, error) {
		for d := 0; d < c.dirs; d++ {
			for f := 0; f < c.files; f++ {
				name := c.file(d, f)
				fi, err := os.Stat(name)
				if err != nil {
					return "", err
				}
				if fi.Size() != int64(c.size) || !fi.Mode().IsRegular() {
					return "", fmt.Errorf("%s: size %d mode %v, want a regular file of %d bytes", name, fi.Size(), fi.Mode(), c.size)
				}
				if c.check {
					if err := checkInode(inodes, name, fi); err != nil {
						return "", err
					}
				}
			}
		}
		return fmt.Sprintf("%d files", n), nil
	}); err != nil {
		return err
	}

	if err := phase("read", func() (string, error) {
		var bytesRead int64
		for d := 0; d < c.dirs; d++ {
			for f := 0; f < c.files; f++ {
				name := c.file(d, f)
				data, err := readFile(name, rbuf)
				if err != nil {
					return "", err
				}
				if !bytes.Equal(data, c.content(buf, d, f)) {
					return "", fmt.Errorf("%s: read %d bytes that differ from what was written", name, len(data))
				}
				bytesRead += int64(len(data))
			}
		}
		return fmt.Sprintf("%d files %d bytes", n, bytesRead), nil
	}); err != nil {
		return err
	}

	if !c.keep {
		if err := phase("delete", func() (string, error) {
			entries := 0
			for d := 0; d < c.dirs; d++ {
				dir := c.dir(d)
				names, err := readDirNames(dir)
				if err != nil {
					return "", err
				}
				if c.check && len(names) != c.files {
					return "", fmt.Errorf("%s: readdir gave %d names, want %d", dir, len(names), c.files)
				}
				for _, name := range names {
					if err := os.Remove(filepath.Join(dir, name)); err != nil {
						return "", err
					}
					entries++
				}
				if err := os.Remove(dir); err != nil {
					return "", err
				}
				entries++
			}
			if err := os.Remove(c.root); err != nil {
				return "", err
			}
			return fmt.Sprintf("%d entries", entries), nil
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "%-6s %10d ns (%v)\n", "total", total.Nanoseconds(), total)
	return nil
}

// readFile reads a whole file into buf (one byte longer than any file, so
// that one read sees the end), as a program that knows its file sizes does.
func readFile(name string, buf []byte) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
	}
	return buf[:n], nil
}

func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// checkInode records fi's inode number and fails if it is 0, already
// belongs to another file, or changes on a second stat.
func checkInode(seen map[uint64]string, name string, fi os.FileInfo) error {
	ino := inode(fi)
	if ino == 0 {
		return fmt.Errorf("%s: inode number 0", name)
	}
	if other, dup := seen[ino]; dup {
		return fmt.Errorf("%s: inode number %d already seen for %s", name, ino, other)
	}
	seen[ino] = name
	again, err := os.Lstat(name)
	if err != nil {
		return err
	}
	if ino2 := inode(again); ino2 != ino {
		return fmt.Errorf("%s: inode number changed from %d to %d", name, ino, ino2)
	}
	return nil
}
