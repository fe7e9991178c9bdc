package procfs

import (
	"strconv"
	"strings"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// /proc/sys/fs/lease-break-time and /proc/sys/fs/leases-enable
// (fs/locks.c's locks_sysctls, proc_dointvec): the seconds a lease
// breaker waits for the holder (0: for ever) and whether F_SETLEASE
// may take new leases. root.go lists them under /proc/sys/fs.
func init() {
	sysctlRows[inoLeaseBreakTime] = &sysctl{
		get: func(v *vfs.VFS) int64 { return int64(v.LeaseBreakTime() / time.Second) },
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error {
			v.SetLeaseBreakTime(time.Duration(val) * time.Second)
			return nil
		},
	}
	sysctlRows[inoLeasesEnable] = &sysctl{
		get: func(v *vfs.VFS) int64 { return v.LeasesEnable() },
		set: func(t *vfs.Task, v *vfs.VFS, val int64) error {
			v.SetLeasesEnable(val)
			return nil
		},
	}
}

// showLocks is /proc/locks (fs/locks.c: locks_show, lock_get_status):
// one line per lock, newest first, each followed by the requests blocked
// behind it, indented by depth with "-> ":
//
//	1: POSIX  ADVISORY  WRITE 1234 00:2a:5 0 EOF
//	1: -> POSIX  ADVISORY  WRITE 1235 00:2a:5 0 EOF
//	2: FLOCK  ADVISORY  READ 1236 00:2a:7 0 EOF
//	3: LEASE  BREAKING  UNLCK 1237 00:2a:8 0 EOF
func showLocks(t *vfs.Task, b *strings.Builder) error {
	for _, l := range t.ProcLocks() {
		formatLock(b, l)
	}
	return nil
}

func formatLock(b *strings.Builder, l vfs.ProcLock) {
	b.WriteString(strconv.FormatInt(l.ID, 10))
	b.WriteString(": ")
	if l.Level > 0 {
		// seq_printf("%*s", level - 1 + strlen("-> "), "-> ")
		b.WriteString(strings.Repeat(" ", l.Level-1))
		b.WriteString("-> ")
	}
	switch l.Class {
	case "POSIX", "OFDLCK", "ACCESS":
		if l.Class == "POSIX" {
			b.WriteString("POSIX ")
		} else {
			b.WriteString(l.Class)
		}
		if l.HasInode {
			b.WriteString(" ADVISORY  ")
		} else {
			b.WriteString(" *NOINODE* ")
		}
	case "FLOCK":
		b.WriteString("FLOCK  ADVISORY  ")
	case "LEASE", "DELEG":
		b.WriteString(l.Class)
		b.WriteString("  ")
		b.WriteString(l.LeaseState)
		b.WriteString(strings.Repeat(" ", 10-len(l.LeaseState)))
	default:
		b.WriteString("UNKNOWN UNKNOWN  ")
	}
	switch l.Type {
	case vfs.F_WRLCK:
		b.WriteString("WRITE ")
	case vfs.F_RDLCK:
		b.WriteString("READ ")
	default:
		b.WriteString("UNLCK ")
	}
	b.WriteString(strconv.Itoa(int(l.PID)))
	if l.HasInode {
		b.WriteByte(' ')
		b.WriteString(hex2(vfs.Major(l.Dev)))
		b.WriteByte(':')
		b.WriteString(hex2(vfs.Minor(l.Dev)))
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(l.Ino, 10))
		b.WriteByte(' ')
	} else {
		b.WriteString(" <none>:0 ")
	}
	if l.Class == "POSIX" || l.Class == "OFDLCK" || l.Class == "ACCESS" {
		b.WriteString(strconv.FormatInt(l.Start, 10))
		b.WriteByte(' ')
		if l.End == vfs.OFFSET_MAX {
			b.WriteString("EOF\n")
		} else {
			b.WriteString(strconv.FormatInt(l.End, 10))
			b.WriteByte('\n')
		}
	} else {
		b.WriteString("0 EOF\n")
	}
}

// hex2 is "%02x".
func hex2(n uint32) string {
	s := strconv.FormatUint(uint64(n), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}
