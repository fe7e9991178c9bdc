//go:build !linux

package hostfs

// Rename is os.Root's: it refuses to replace a directory (EEXIST).
func (d *Dir) Rename(oldpath, newpath string) error {
	return d.root.Rename(rel(oldpath), rel(newpath))
}
