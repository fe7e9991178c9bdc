//go:build !linux

package hostfs

import "io/fs"

// sysAttr adds nothing off linux: inode numbers are kept per path.
func sysAttr(fi fs.FileInfo, a *hattr) {}

func hostDev(fi fs.FileInfo) (uint64, bool) { return 0, false }
