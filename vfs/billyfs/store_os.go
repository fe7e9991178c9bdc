//go:build !js && !wasip1

package billyfs

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
)

func init() { RegisterStoreKind("os", openOS) }

// openOS is the "os" kind: an existing host directory, every path of
// which billy's BoundOS keeps beneath it. billyfs itself never makes a
// symlink on the store (symlinks live in inode records), so nothing it
// writes can lead outside.
func openOS(dir string) (billy.Filesystem, error) {
	if dir == "" {
		return nil, fmt.Errorf("os: needs a host directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", abs)
	}
	return osfs.New(abs, osfs.WithBoundOS()), nil
}
