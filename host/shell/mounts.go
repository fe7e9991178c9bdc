package shell

import (
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// util-linux exit status of a failed mount or umount (MNT_EX_FAIL).
const mountFail = 32

// mountOptionFlags are the mount -o words that become MS_ flags (set),
// or clear them; everything else goes to the filesystem as data.
var mountOptionFlags = map[string]struct {
	flag  uint32
	clear bool
}{
	"ro":          {vfs.MS_RDONLY, false},
	"rw":          {vfs.MS_RDONLY, true},
	"nosuid":      {vfs.MS_NOSUID, false},
	"suid":        {vfs.MS_NOSUID, true},
	"nodev":       {vfs.MS_NODEV, false},
	"dev":         {vfs.MS_NODEV, true},
	"noexec":      {vfs.MS_NOEXEC, false},
	"exec":        {vfs.MS_NOEXEC, true},
	"sync":        {vfs.MS_SYNCHRONOUS, false},
	"async":       {vfs.MS_SYNCHRONOUS, true},
	"dirsync":     {vfs.MS_DIRSYNC, false},
	"noatime":     {vfs.MS_NOATIME, false},
	"atime":       {vfs.MS_NOATIME, true},
	"nodiratime":  {vfs.MS_NODIRATIME, false},
	"diratime":    {vfs.MS_NODIRATIME, true},
	"relatime":    {vfs.MS_RELATIME, false},
	"norelatime":  {vfs.MS_RELATIME, true},
	"strictatime": {vfs.MS_STRICTATIME, false},
	"lazytime":    {vfs.MS_LAZYTIME, false},
	"nolazytime":  {vfs.MS_LAZYTIME, true},
	"silent":      {vfs.MS_SILENT, false},
	"loud":        {vfs.MS_SILENT, true},
	"remount":     {vfs.MS_REMOUNT, false},
	"bind":        {vfs.MS_BIND, false},
	"rbind":       {vfs.MS_BIND | vfs.MS_REC, false},
	"move":        {vfs.MS_MOVE, false},
	"defaults":    {0, false},
}

// parseMountOptions applies mount -o's list to flags and returns the
// MS_ flags and the data string for the filesystem.
func parseMountOptions(list string, flags uint32) (uint32, string) {
	var rest []string
	for _, w := range strings.Split(list, ",") {
		if w == "" {
			continue
		}
		if f, ok := mountOptionFlags[w]; ok {
			if f.clear {
				flags &^= f.flag
			} else {
				flags |= f.flag
			}
			continue
		}
		rest = append(rest, w)
	}
	return flags, strings.Join(rest, ",")
}

// mountOptions is the option list of /proc/mounts: the per-mount flags,
// then the superblock's own options (after its rw or ro).
func mountOptions(mi vfs.MountInfo) string {
	so := mi.SuperOptions
	so = strings.TrimPrefix(strings.TrimPrefix(so, "rw"), "ro")
	return mi.MountOptions + so
}

// mount is util-linux mount(8): a new mount, --bind, --rbind, --move,
// -o remount; with no operands, the table ("SOURCE on TARGET type TYPE
// (OPTIONS)", from /proc/self/mountinfo).
func cmdMount(c *cmd) int {
	o, ops, st, ok := c.getopt("t:o:rwBRMv", map[string]byte{
		"types": 't', "options": 'o', "read-only": 'r', "rw": 'w', "read-write": 'w',
		"bind": 'B', "rbind": 'R', "move": 'M', "verbose": 'v',
	}, 1)
	if !ok {
		return st
	}
	optList := strings.Join(o.val['o'], ",")
	flags, data := parseMountOptions(optList, 0)
	if flags&vfs.MS_REMOUNT != 0 && len(ops) > 0 {
		// As libmount does: a remount starts from the mount's current
		// flags (from mountinfo), so "remount,ro" keeps nosuid.
		for _, mi := range c.t.MountTable() {
			if mi.Mountpoint == c.absPath(ops[len(ops)-1]) {
				base, _ := parseMountOptions(mi.MountOptions, 0)
				flags, data = parseMountOptions(optList, base)
			}
		}
	}
	if o.has('r') {
		flags |= vfs.MS_RDONLY
	}
	if o.has('w') {
		flags &^= vfs.MS_RDONLY
	}
	if o.has('B') {
		flags |= vfs.MS_BIND
	}
	if o.has('R') {
		flags |= vfs.MS_BIND | vfs.MS_REC
	}
	if o.has('M') {
		flags |= vfs.MS_MOVE
	}
	fstype := o.last('t')
	var source, target string
	switch len(ops) {
	case 0:
		if o.has('o') || o.has('B') || o.has('R') || o.has('M') {
			return c.usageError(1, "bad usage")
		}
		for _, mi := range c.t.MountTable() {
			if fstype != "" && !typeMatches(fstype, mi.FSType) {
				continue
			}
			c.printf("%s on %s type %s (%s)\n", mi.Source, mi.Mountpoint, mi.FSType, mountOptions(mi))
		}
		return 0
	case 1:
		if flags&vfs.MS_REMOUNT == 0 {
			c.errorf("%s: can't find in /etc/fstab.", ops[0])
			return 1
		}
		source, target = "none", ops[0]
		for _, mi := range c.t.MountTable() {
			if mi.Mountpoint == c.absPath(target) {
				source = mi.Source
			}
		}
	case 2:
		source, target = ops[0], ops[1]
	default:
		return c.usageError(1, "bad usage")
	}
	if fstype == "" && flags&(vfs.MS_BIND|vfs.MS_MOVE|vfs.MS_REMOUNT) == 0 {
		c.errorf("%s: you must specify the filesystem type.", target)
		return mountFail
	}
	err := c.t.Mount(source, target, fstype, flags, data)
	if err == nil {
		if o.has('v') {
			// util-linux's success_message, with the paths canonical
			// as libmount makes them.
			tgt := c.absPath(target)
			switch {
			case flags&vfs.MS_MOVE != 0:
				c.printf("mount: %s moved to %s.\n", c.absPath(source), tgt)
			case flags&vfs.MS_BIND != 0:
				c.printf("mount: %s bound on %s.\n", c.absPath(source), tgt)
			default:
				c.printf("mount: %s mounted on %s.\n", source, tgt)
			}
		}
		return 0
	}
	remount := flags&vfs.MS_REMOUNT != 0
	var tst vfs.Stat
	targetErr := c.t.Stat(target, &tst)
	var msg string
	switch err {
	case vfs.EPERM:
		if c.t.Cred().UID != 0 {
			msg = "must be superuser to use mount."
		} else {
			msg = "permission denied."
		}
	case vfs.EBUSY:
		if remount {
			msg = "mount point is busy."
		} else {
			msg = source + " already mounted or mount point busy."
		}
	case vfs.ENOENT:
		if targetErr != nil {
			msg = "mount point does not exist."
		} else {
			msg = "special device " + source + " does not exist."
		}
	case vfs.ENOTDIR:
		// libmount's mnt_context_get_mount_excode: the target, then a
		// source with a path prefix that is not a directory, else
		// the call's own error (a file bound onto a directory).
		var sst vfs.Stat
		switch {
		case targetErr != nil || !vfs.IsDir(tst.Mode):
			msg = "mount point is not a directory."
		case source != "" && c.t.Stat(source, &sst) == vfs.ENOTDIR:
			msg = "special device " + source + " does not exist (a path prefix is not a directory)."
		default:
			msg = "mount(2) system call failed: " + errText(err) + "."
		}
	case vfs.ENODEV:
		msg = "unknown filesystem type '" + fstype + "'."
	case vfs.EINVAL:
		switch {
		case remount:
			msg = "mount point not mounted or bad option."
		case flags&vfs.MS_MOVE != 0:
			msg = "bad option; moving a mount residing under a shared mount is unsupported."
		case fstype == billyfs.Name:
			// mount(2) can say only EINVAL; billyfs says which option
			// and why (as the kernel's fs_context log does).
			if why := billyfs.CheckOptions(source, data); why != nil {
				msg = "bad option: " + why.Error() + "."
				break
			}
			fallthrough
		default:
			msg = "wrong fs type, bad option, bad superblock on " + source + ", missing codepage or helper program, or other error."
		}
	case vfs.EROFS:
		msg = "cannot mount " + source + " read-only."
	case vfs.EACCES:
		msg = "permission denied."
	default:
		msg = "mount(2) system call failed: " + errText(err) + "."
	}
	c.errorf("%s: %s", target, msg)
	return mountFail
}

// typeMatches is mount -t's list test: "tmpfs,proc", or "notmpfs".
func typeMatches(list, fstype string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.HasPrefix(t, "no") && t[2:] == fstype {
			return false
		}
		if t == fstype {
			return true
		}
	}
	return strings.HasPrefix(list, "no")
}

// umount is util-linux umount(8) with -l (MNT_DETACH) and -f
// (MNT_FORCE).
func cmdUmount(c *cmd) int {
	o, ops, st, ok := c.getopt("lfv", map[string]byte{"lazy": 'l', "force": 'f', "verbose": 'v'}, 1)
	if !ok {
		return st
	}
	if len(ops) == 0 {
		return c.usageError(1, "bad usage")
	}
	flags := 0
	if o.has('l') {
		flags |= vfs.MNT_DETACH
	}
	if o.has('f') {
		flags |= vfs.MNT_FORCE
	}
	status := 0
	for _, target := range ops {
		err := c.t.Umount2(target, flags)
		if err == nil {
			if o.has('v') {
				c.printf("umount: %s unmounted\n", target)
			}
			continue
		}
		switch err {
		case vfs.EBUSY:
			c.errorf("%s: target is busy.", target)
		case vfs.EINVAL:
			c.errorf("%s: not mounted.", target)
		case vfs.ENOENT:
			c.errorf("%s: no mount point specified.", target)
		case vfs.EPERM:
			c.errorf("%s: must be superuser to unmount.", target)
		default:
			c.errorf("%s: umount failed: %s.", target, errText(err))
		}
		status = mountFail
	}
	return status
}

// df is coreutils df(1) in 1K blocks; -a shows the filesystems with no
// blocks and the duplicates, -T adds the type.
func cmdDf(c *cmd) int {
	o, files, st, ok := c.getopt("aTk", map[string]byte{"all": 'a', "print-type": 'T'}, 1)
	if !ok {
		return st
	}
	table := c.t.MountTable()
	header := []string{"Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted on"}
	if o.has('T') {
		header = []string{"Filesystem", "Type", "1K-blocks", "Used", "Available", "Use%", "Mounted on"}
	}
	rows := [][]string{header}
	row := func(mi vfs.MountInfo, sf *vfs.Statfs) {
		unit := uint64(sf.Frsize)
		if unit == 0 {
			unit = uint64(sf.Bsize)
		}
		k := func(n uint64) uint64 { return (n*unit + 1023) / 1024 }
		used := sf.Blocks - sf.Bfree
		pct := "-"
		if total := used + sf.Bavail; total != 0 {
			p := used * 100 / total
			if used*100%total != 0 {
				p++
			}
			pct = strconv.FormatUint(p, 10) + "%"
		}
		r := []string{mi.Source}
		if o.has('T') {
			r = append(r, mi.FSType)
		}
		r = append(r, strconv.FormatUint(k(sf.Blocks), 10), strconv.FormatUint(k(used), 10),
			strconv.FormatUint(k(sf.Bavail), 10), pct, mi.Mountpoint)
		rows = append(rows, r)
	}
	status := 0
	if len(files) == 0 {
		seen := map[[2]uint32]bool{}
		for _, mi := range table {
			var sf vfs.Statfs
			if err := c.t.Statfs(mi.Mountpoint, &sf); err != nil {
				c.errorf("%s: %s", quotef(mi.Mountpoint), errText(err))
				status = 1
				continue
			}
			dev := [2]uint32{mi.Major, mi.Minor}
			if !o.has('a') && (sf.Blocks == 0 || seen[dev]) {
				continue
			}
			seen[dev] = true
			row(mi, &sf)
		}
	}
	for _, f := range files {
		var fst vfs.Stat
		var sf vfs.Statfs
		err := c.t.Stat(f, &fst)
		if err == nil {
			err = c.t.Statfs(f, &sf)
		}
		if err != nil {
			c.errorf("%s: %s", quotef(f), errText(err))
			status = 1
			continue
		}
		for _, mi := range table {
			if mi.ID == fst.MntID {
				row(mi, &sf)
				break
			}
		}
	}
	if len(rows) == 1 {
		if len(files) == 0 {
			c.errorf("no file systems processed")
			return 1
		}
		return status
	}
	minWidth := map[string]int{"Filesystem": 14, "Type": 4, "Used": 5, "Available": 5, "Use%": 4}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = max(minWidth[h], len(h))
	}
	for _, r := range rows[1:] {
		for i, cell := range r {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			if i == len(r)-1 {
				b.WriteString(cell)
				break
			}
			pad := strings.Repeat(" ", widths[i]-len(cell))
			if i == 0 || header[i] == "Type" {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(pad + cell)
			}
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
		c.stdout.Write([]byte(b.String()))
	}
	return status
}

// cmdFsfreeze is util-linux's fsfreeze: FIFREEZE or FITHAW on the
// filesystem holding the mount point.
func cmdFsfreeze(c *cmd) int {
	o, ops, st, ok := c.getopt("fu", map[string]byte{"freeze": 'f', "unfreeze": 'u'}, 1)
	if !ok {
		return st
	}
	if o.has('f') == o.has('u') {
		return c.usageError(1, "neither --freeze or --unfreeze specified")
	}
	if len(ops) != 1 {
		return c.usageError(1, "no filename specified")
	}
	target := ops[0]
	if o.has('f') {
		if err := c.t.Freeze(target); err != nil {
			c.errorf("%s: freeze failed: %s", target, errText(err))
			return 1
		}
		return 0
	}
	if err := c.t.Thaw(target); err != nil {
		c.errorf("%s: unfreeze failed: %s", target, errText(err))
		return 1
	}
	return 0
}
