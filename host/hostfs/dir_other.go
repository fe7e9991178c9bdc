//go:build !linux

package hostfs

// Rename is os.Root's: it refuses to replace a directory (EEXIST). Off
// Linux Dir has no Rename2: hostfs checks RENAME_NOREPLACE with an
// Lstat first and gives EINVAL for RENAME_EXCHANGE.
func (d *Dir) Rename(oldpath, newpath string) error {
	return d.root.Rename(rel(oldpath), rel(newpath))
}
