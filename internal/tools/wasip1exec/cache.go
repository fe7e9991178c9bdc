package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Every test binary is a new module, so the compilation cache gains an
// entry (tens of MiB of machine code) per package each time its tests
// change, and wazero never removes one: on a developer's machine it grew
// past 10 GiB. Before using it, wasip1exec trims it: when its files
// exceed cacheMax bytes, the least recently used go (by modification
// time: wazero rewrites an entry only when it compiles it, so a module
// run again and again keeps its first time; good enough for test
// binaries, which change with their sources) until cacheKeep remain.
const (
	cacheMax  = 2 << 30
	cacheKeep = 1 << 30
)

// trimCache removes the oldest files under dir until at most keep bytes
// remain, if the files there take more than max bytes. Errors (a file
// another wasip1exec removes first, a directory it cannot read) only
// leave more behind.
func trimCache(dir string, max, keep int64) {
	type entry struct {
		path string
		size int64
		mod  int64
	}
	var files []entry
	var total int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		files = append(files, entry{p, info.Size(), info.ModTime().UnixNano()})
		total += info.Size()
		return nil
	})
	if total <= max {
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod < files[j].mod })
	for _, f := range files {
		if total <= keep {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
}
