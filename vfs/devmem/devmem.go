// Package devmem is drivers/char/mem.c: the memory character devices
// /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom, with
// Linux's device numbers (major 1).
package devmem

import (
	"crypto/rand"

	"github.com/vfscope/vfscope/vfs"
)

// Device numbers of the mem devices (major 1).
const (
	Major        = 1
	MinorNull    = 3
	MinorZero    = 5
	MinorFull    = 7
	MinorRandom  = 8
	MinorURandom = 9
)

// Devices lists each device: its name under /dev, minor and operations.
var Devices = []struct {
	Name  string
	Minor uint32
	FOps  *vfs.FileOperations
}{
	{"null", MinorNull, nullFOps},
	{"zero", MinorZero, zeroFOps},
	{"full", MinorFull, fullFOps},
	{"random", MinorRandom, randomFOps},
	{"urandom", MinorURandom, randomFOps},
}

// Register registers every mem device with v.
func Register(v *vfs.VFS) error {
	for _, d := range Devices {
		if err := v.RegisterChrdev(d.Name, Major, d.Minor, d.FOps); err != nil {
			return err
		}
	}
	return nil
}

// seekZero is the lseek of the mem devices: the position stays 0.
func seekZero(t *vfs.Task, f *vfs.File, off int64, whence int) (int64, error) {
	f.SetPos(0)
	return 0, nil
}

var nullFOps = &vfs.FileOperations{
	Read:   func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) { return 0, nil },
	Write:  func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) { return len(p), nil },
	Llseek: seekZero,
}

func readZero(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
	clear(p)
	return len(p), nil
}

var zeroFOps = &vfs.FileOperations{
	Read:   readZero,
	Write:  func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) { return len(p), nil },
	Llseek: seekZero,
}

var fullFOps = &vfs.FileOperations{
	Read:   readZero,
	Write:  func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) { return 0, vfs.ENOSPC },
	Llseek: seekZero,
}

var randomFOps = &vfs.FileOperations{
	Read: func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) {
		rand.Read(p)
		return len(p), nil
	},
	// Writing mixes into the pool on Linux; here it is accepted.
	Write:  func(t *vfs.Task, f *vfs.File, p []byte, pos *int64) (int, error) { return len(p), nil },
	Llseek: seekZero,
}
