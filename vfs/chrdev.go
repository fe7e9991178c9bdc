package vfs

import "sync"

// Character device drivers (fs/char_dev.c): a driver registers its file
// operations for a device number; opening a character device node looks
// the number up (chrdev_open) and gives the file the driver's
// operations. A node whose number has no driver opens with ENXIO, as on
// Linux. Block devices have no drivers in vfscope.

// chrdevs is the registry of one VFS.
type chrdevs struct {
	// mu protects m. A leaf lock outside the lock model: drivers are
	// registered at boot and looked up on open, never nested.
	mu sync.RWMutex
	m  map[uint64]*ChrDev
}

// ChrDev is a registered character device (struct cdev).
type ChrDev struct {
	Name  string
	Major uint32
	Minor uint32
	FOps  *FileOperations
}

// RegisterChrdev is cdev_add(): fops serve every node with number
// MkDev(major, minor). EBUSY if the number is taken.
func (v *VFS) RegisterChrdev(name string, major, minor uint32, fops *FileOperations) error {
	if fops == nil {
		return EINVAL
	}
	v.chr.mu.Lock()
	defer v.chr.mu.Unlock()
	if v.chr.m == nil {
		v.chr.m = make(map[uint64]*ChrDev)
	}
	dev := MkDev(major, minor)
	if _, ok := v.chr.m[dev]; ok {
		return EBUSY
	}
	v.chr.m[dev] = &ChrDev{Name: name, Major: major, Minor: minor, FOps: fops}
	return nil
}

// ChrDevs lists the registered character devices, for /proc/devices.
func (v *VFS) ChrDevs() []*ChrDev {
	v.chr.mu.RLock()
	defer v.chr.mu.RUnlock()
	out := make([]*ChrDev, 0, len(v.chr.m))
	for _, c := range v.chr.m {
		out = append(out, c)
	}
	return out
}

// chrdevOpen is chrdev_open(): the driver's operations for the node.
func (v *VFS) chrdevOpen(rdev uint64) (*FileOperations, error) {
	v.chr.mu.RLock()
	defer v.chr.mu.RUnlock()
	c, ok := v.chr.m[rdev]
	if !ok {
		return nil, ENXIO
	}
	return c.FOps, nil
}
