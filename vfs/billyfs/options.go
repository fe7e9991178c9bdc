package billyfs

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// options are the mount options (-o).
type options struct {
	store     string // the store= value, as given
	maxBlocks int64  // size= in pages; 0: no limit
	maxInodes int64  // nr_inodes=; 0: no limit
}

// OptionError describes a bad mount option; mount(2) itself returns
// EINVAL, and a front end that wants to say why calls CheckOptions.
type OptionError struct {
	Option, Value, Reason string
}

func (e *OptionError) Error() string {
	if e.Value == "" {
		return "billyfs: " + e.Option + ": " + e.Reason
	}
	return "billyfs: " + e.Option + "=" + e.Value + ": " + e.Reason
}

// Unwrap makes errors.Is(err, vfs.EINVAL) true.
func (e *OptionError) Unwrap() error { return vfs.EINVAL }

// errBusy is the store of a mount in use by another mount.
var errBusy = vfs.EBUSY

// CheckOptions parses a billyfs mount's source and option string as
// mount would, and resolves its store without using it: nil, or an
// *OptionError saying what is wrong (a front end prints it where mount(2)
// can only return EINVAL).
func CheckOptions(dev, data string) error {
	var o options
	if err := parseOptions(data, &o, false); err != nil {
		return err
	}
	if err := o.storeOf(dev); err != nil {
		return err
	}
	fs, err := resolveStore(o.store)
	if err != nil || mounted(o.store) != nil {
		return err
	}
	// What fillSuper refuses: files, but no superblock.
	if _, err := fs.Stat(superPath); err == nil {
		return nil
	}
	if ents, err := fs.ReadDir("."); err == nil && len(ents) > 0 {
		return &OptionError{"store", o.store, "holds other files and no billyfs superblock (only an empty store is formatted)"}
	}
	return nil
}

// parseOptions reads a comma-separated option list into o. A remount
// may change size= and nr_inodes= only.
func parseOptions(data string, o *options, remount bool) error {
	for _, opt := range strings.Split(data, ",") {
		if opt == "" {
			continue
		}
		key, val, hasVal := strings.Cut(opt, "=")
		switch key {
		case "store":
			if !hasVal || val == "" {
				return &OptionError{key, "", "needs a value (mem, mem:NAME, os:DIR or a registered name)"}
			}
			if remount {
				if val != o.store {
					return &OptionError{key, val, "cannot change on remount"}
				}
				continue
			}
			o.store = val
		case "size":
			n, ok := vfs.ParseSize(val)
			if !hasVal || !ok {
				return &OptionError{key, val, "not a size (bytes, with k, m or g)"}
			}
			o.maxBlocks = (n + pageSize - 1) / pageSize
		case "nr_inodes":
			n, ok := vfs.ParseSize(val)
			if !hasVal || !ok {
				return &OptionError{key, val, "not a count"}
			}
			o.maxInodes = n
		default:
			return &OptionError{opt, "", "unknown option (billyfs takes store=, size= and nr_inodes=)"}
		}
	}
	return nil
}

// storeOf completes the options of a mount: without store=, the mount's
// source names the store (mount -t billyfs mem:NAME /mnt), unless it is
// "none" or empty.
func (o *options) storeOf(dev string) error {
	if o.store == "" && dev != "" && dev != "none" {
		o.store = dev
	}
	if o.store == "" {
		return &OptionError{"store", "", "missing: say where the data lives (store=mem, store=mem:NAME, store=os:DIR, or the mount's source)"}
	}
	return nil
}

// show writes the options /proc/mounts shows.
func (o *options) show(w *strings.Builder) {
	vfs.SeqShowOption(w, "store", o.store) // a host directory may hold any byte
	if o.maxBlocks > 0 {
		w.WriteString(",size=" + strconv.FormatInt(o.maxBlocks*pageSize>>10, 10) + "k")
	}
	if o.maxInodes > 0 {
		w.WriteString(",nr_inodes=" + strconv.FormatInt(o.maxInodes, 10))
	}
}
