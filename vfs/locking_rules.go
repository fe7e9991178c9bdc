package vfs

import (
	"sort"
	"strings"
	"sync"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// The tables of Documentation/filesystems/locking.rst, as data. Each row
// is copied from the document: the operation and, per column, the cell's
// text. compileRules turns the cells into requirements; with lock
// validation on, every call from the VFS into a filesystem method goes
// through Task.enter, which asserts its row. "If you change the locking,
// update this file" holds here too: the test reaching every row fails
// when a call site stops matching its row.
//
// Reading of the cells:
//   - i_rwsem(inode): "shared" = held at least shared by the caller on the
//     directory (or inode) the method is called on; "exclusive" = held
//     exclusive; "(both)" = also on the victim; "no" = the VFS does not
//     take it for the call (a caller may hold it for its own reasons, as
//     may_create holds it around ->permission).
//   - ->d_lock, inode->i_lock: "yes" = held on the dentry (inode) passed;
//     "no" = no lock of that class held.
//   - rename_lock: "no" = its write side is not held; "yes" = the call may
//     run inside a read section (nothing to assert).
//   - s_umount: "read"/"write" = held in that mode; "no" = not held;
//     "maybe(read)" or empty = not asserted. show_options' "no
//     (namespace_sem)": s_umount not held, namespace_sem held (in any
//     mode: /proc/mounts readers take it shared).
//   - file_system_type has only "may block"; the text below its table is
//     asserted too: "->mount() returns ... the root dentry; its
//     superblock should be locked on return" (s_umount held for write
//     when ->mount returns a root: fstMount) and "->kill_sb() takes a
//     write-locked superblock" (s_umount held for write on the call).
//   - may block: "no" = the method runs in atomic context (the validator
//     reports it sleeping); "yes" = called where sleeping is allowed (the
//     validator reports a caller holding a spinlock).

// lockingRow is one row: table, operation, cells by column name.
type lockingRow struct {
	table string
	op    string
	cells map[string]string
}

// lockingRowText is a row as written in the table below: the cells as
// column name, text pairs. The table holds only constants, so it is
// static data; a table of map literals would be code run at start-up,
// which as WebAssembly the browser first compiles (about 110 KB of it).
type lockingRowText struct {
	table string
	op    string
	cells []string
}

var lockingRows = []lockingRowText{
	// dentry_operations: rename_lock, ->d_lock, may block, rcu-walk
	{"dentry_operations", "d_revalidate", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes (ref-walk)", "rcu-walk", "maybe"}},
	{"dentry_operations", "d_weak_revalidate", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes", "rcu-walk", "no"}},
	{"dentry_operations", "d_hash", []string{"rename_lock", "no", "->d_lock", "no", "may block", "no", "rcu-walk", "maybe"}},
	{"dentry_operations", "d_compare", []string{"rename_lock", "yes", "->d_lock", "no", "may block", "no", "rcu-walk", "maybe"}},
	{"dentry_operations", "d_delete", []string{"rename_lock", "no", "->d_lock", "yes", "may block", "no", "rcu-walk", "no"}},
	{"dentry_operations", "d_init", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes", "rcu-walk", "no"}},
	{"dentry_operations", "d_release", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes", "rcu-walk", "no"}},
	{"dentry_operations", "d_prune", []string{"rename_lock", "no", "->d_lock", "yes", "may block", "no", "rcu-walk", "no"}},
	{"dentry_operations", "d_iput", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes", "rcu-walk", "no"}},
	{"dentry_operations", "d_dname", []string{"rename_lock", "no", "->d_lock", "no", "may block", "no", "rcu-walk", "no"}},
	{"dentry_operations", "d_automount", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes", "rcu-walk", "no"}},
	{"dentry_operations", "d_manage", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes (ref-walk)", "rcu-walk", "maybe"}},
	{"dentry_operations", "d_real", []string{"rename_lock", "no", "->d_lock", "no", "may block", "yes", "rcu-walk", "no"}},

	// inode_operations: i_rwsem(inode); all may block
	{"inode_operations", "lookup", []string{"i_rwsem(inode)", "shared"}},
	{"inode_operations", "create", []string{"i_rwsem(inode)", "exclusive"}},
	{"inode_operations", "link", []string{"i_rwsem(inode)", "exclusive (both)"}},
	{"inode_operations", "mknod", []string{"i_rwsem(inode)", "exclusive"}},
	{"inode_operations", "symlink", []string{"i_rwsem(inode)", "exclusive"}},
	{"inode_operations", "mkdir", []string{"i_rwsem(inode)", "exclusive"}},
	{"inode_operations", "unlink", []string{"i_rwsem(inode)", "exclusive (both)"}},
	{"inode_operations", "rmdir", []string{"i_rwsem(inode)", "exclusive (both)(see below)"}},
	{"inode_operations", "rename", []string{"i_rwsem(inode)", "exclusive (both parents, some children) (see below)"}},
	{"inode_operations", "readlink", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "get_link", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "setattr", []string{"i_rwsem(inode)", "exclusive"}},
	{"inode_operations", "permission", []string{"i_rwsem(inode)", "no (may not block if called in rcu-walk mode)"}},
	{"inode_operations", "get_inode_acl", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "get_acl", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "getattr", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "listxattr", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "fiemap", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "update_time", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "atomic_open", []string{"i_rwsem(inode)", "shared (exclusive if O_CREAT is set in open flags)"}},
	{"inode_operations", "tmpfile", []string{"i_rwsem(inode)", "no"}},
	{"inode_operations", "fileattr_get", []string{"i_rwsem(inode)", "no or exclusive"}},
	{"inode_operations", "fileattr_set", []string{"i_rwsem(inode)", "exclusive"}},
	{"inode_operations", "get_offset_ctx", []string{"i_rwsem(inode)", "no"}},

	// xattr_handler operations: i_rwsem(inode); all may block
	{"xattr_handler", "list", []string{"i_rwsem(inode)", "no"}},
	{"xattr_handler", "get", []string{"i_rwsem(inode)", "no"}},
	{"xattr_handler", "set", []string{"i_rwsem(inode)", "exclusive"}},

	// super_operations: s_umount, note; all may block but drop_inode
	// (under i_lock) and free_inode (an RCU callback)
	{"super_operations", "alloc_inode", []string{"s_umount", ""}},
	{"super_operations", "free_inode", []string{"s_umount", "", "note", "called from RCU callback"}},
	{"super_operations", "destroy_inode", []string{"s_umount", ""}},
	{"super_operations", "dirty_inode", []string{"s_umount", ""}},
	{"super_operations", "write_inode", []string{"s_umount", ""}},
	{"super_operations", "drop_inode", []string{"s_umount", "", "note", "!!!inode->i_lock!!!"}},
	{"super_operations", "evict_inode", []string{"s_umount", ""}},
	{"super_operations", "put_super", []string{"s_umount", "write"}},
	{"super_operations", "sync_fs", []string{"s_umount", "read"}},
	{"super_operations", "freeze_fs", []string{"s_umount", "write"}},
	{"super_operations", "unfreeze_fs", []string{"s_umount", "write"}},
	{"super_operations", "statfs", []string{"s_umount", "maybe(read) (see below)"}},
	{"super_operations", "remount_fs", []string{"s_umount", "write"}},
	{"super_operations", "umount_begin", []string{"s_umount", "no"}},
	{"super_operations", "show_options", []string{"s_umount", "no (namespace_sem)"}},
	{"super_operations", "quota_read", []string{"s_umount", "no (see below)"}},
	{"super_operations", "quota_write", []string{"s_umount", "no (see below)"}},

	// file_system_type: may block
	{"file_system_type", "mount", []string{"may block", "yes"}},
	{"file_system_type", "kill_sb", []string{"may block", "yes"}},

	// file_lock_operations: inode->i_lock (the lock of the inode's lock
	// lists: flc_lock since Linux 3.18), may block
	{"file_lock_operations", "fl_copy_lock", []string{"inode->i_lock", "yes", "may block", "no"}},
	{"file_lock_operations", "fl_release_private", []string{"inode->i_lock", "maybe", "may block", "maybe[1]"}},

	// lock_manager_operations: flc_lock, blocked_lock_lock, may block
	{"lock_manager_operations", "lm_notify", []string{"flc_lock", "no", "blocked_lock_lock", "yes", "may block", "no"}},
	{"lock_manager_operations", "lm_grant", []string{"flc_lock", "no", "blocked_lock_lock", "no", "may block", "no"}},
	{"lock_manager_operations", "lm_break", []string{"flc_lock", "yes", "blocked_lock_lock", "no", "may block", "no"}},
	{"lock_manager_operations", "lm_change", []string{"flc_lock", "yes", "blocked_lock_lock", "no", "may block", "no"}},
	{"lock_manager_operations", "lm_breaker_owns_lease", []string{"flc_lock", "yes", "blocked_lock_lock", "no", "may block", "no"}},
	{"lock_manager_operations", "lm_lock_expirable", []string{"flc_lock", "yes", "blocked_lock_lock", "no", "may block", "no"}},
	{"lock_manager_operations", "lm_expire_lock", []string{"flc_lock", "no", "blocked_lock_lock", "no", "may block", "yes"}},

	// address_space_operations: folio locked, i_rwsem, invalidate_lock.
	// "All except dirty_folio and free_folio may block."
	{"address_space_operations", "writepage", []string{"folio locked", "yes, unlocks (see below)"}},
	{"address_space_operations", "read_folio", []string{"folio locked", "yes, unlocks", "invalidate_lock", "shared"}},
	{"address_space_operations", "writepages", []string{}},
	{"address_space_operations", "dirty_folio", []string{"folio locked", "maybe", "may block", "no"}},
	{"address_space_operations", "readahead", []string{"folio locked", "yes, unlocks", "invalidate_lock", "shared"}},
	{"address_space_operations", "write_begin", []string{"folio locked", "locks the page", "i_rwsem", "exclusive"}},
	{"address_space_operations", "write_end", []string{"folio locked", "yes, unlocks", "i_rwsem", "exclusive"}},
	{"address_space_operations", "bmap", []string{}},
	{"address_space_operations", "invalidate_folio", []string{"folio locked", "yes", "invalidate_lock", "exclusive"}},
	{"address_space_operations", "release_folio", []string{"folio locked", "yes"}},
	{"address_space_operations", "free_folio", []string{"folio locked", "yes", "may block", "no"}},
	{"address_space_operations", "direct_IO", []string{}},
	{"address_space_operations", "migrate_folio", []string{"folio locked", "yes (both)"}},
	{"address_space_operations", "launder_folio", []string{"folio locked", "yes"}},
	{"address_space_operations", "is_partially_uptodate", []string{"folio locked", "yes"}},
	{"address_space_operations", "error_remove_folio", []string{"folio locked", "yes"}},
	{"address_space_operations", "swap_activate", []string{"folio locked", "no"}},
	{"address_space_operations", "swap_deactivate", []string{"folio locked", "no"}},
	{"address_space_operations", "swap_rw", []string{"folio locked", "yes, unlocks"}},

	// file_operations: "All may block." ->iterate_shared() is called with
	// i_rwsem held for reading and f_pos_lock held exclusively: fdget_pos
	// takes it for every directory, shared or not (file_needs_f_pos_lock),
	// and fopIterate asserts it, f_pos_lock not being a column.
	{"file_operations", "llseek", []string{"may block", "yes"}},
	{"file_operations", "read", []string{"may block", "yes"}},
	{"file_operations", "write", []string{"may block", "yes"}},
	{"file_operations", "read_iter", []string{"may block", "yes"}},
	{"file_operations", "write_iter", []string{"may block", "yes"}},
	{"file_operations", "iopoll", []string{"may block", "yes"}},
	{"file_operations", "iterate_shared", []string{"may block", "yes", "i_rwsem(inode)", "shared"}},
	{"file_operations", "poll", []string{"may block", "yes"}},
	{"file_operations", "unlocked_ioctl", []string{"may block", "yes"}},
	{"file_operations", "compat_ioctl", []string{"may block", "yes"}},
	{"file_operations", "mmap", []string{"may block", "yes"}},
	{"file_operations", "open", []string{"may block", "yes"}},
	{"file_operations", "flush", []string{"may block", "yes"}},
	{"file_operations", "release", []string{"may block", "yes"}},
	{"file_operations", "fsync", []string{"may block", "yes"}},
	{"file_operations", "fasync", []string{"may block", "yes"}},
	{"file_operations", "lock", []string{"may block", "yes"}},
	{"file_operations", "get_unmapped_area", []string{"may block", "yes"}},
	{"file_operations", "check_flags", []string{"may block", "yes"}},
	{"file_operations", "flock", []string{"may block", "yes"}},
	{"file_operations", "splice_write", []string{"may block", "yes"}},
	{"file_operations", "splice_read", []string{"may block", "yes"}},
	{"file_operations", "setlease", []string{"may block", "yes"}},
	{"file_operations", "fallocate", []string{"may block", "yes"}},
	{"file_operations", "show_fdinfo", []string{"may block", "yes"}},
	{"file_operations", "mmap_capabilities", []string{"may block", "yes"}},
	{"file_operations", "copy_file_range", []string{"may block", "yes"}},
	{"file_operations", "remap_file_range", []string{"may block", "yes"}},
	{"file_operations", "fadvise", []string{"may block", "yes"}},

	// vm_operations_struct: mmap_lock, PageLocked(page). map_pages "must
	// not block" (the text below the table): its may block cell.
	{"vm_operations_struct", "open", []string{"mmap_lock", "write"}},
	{"vm_operations_struct", "close", []string{"mmap_lock", "read/write"}},
	{"vm_operations_struct", "fault", []string{"mmap_lock", "read", "PageLocked(page)", "can return with page locked"}},
	{"vm_operations_struct", "huge_fault", []string{"mmap_lock", "maybe-read"}},
	{"vm_operations_struct", "map_pages", []string{"mmap_lock", "maybe-read", "may block", "no"}},
	{"vm_operations_struct", "page_mkwrite", []string{"mmap_lock", "read", "PageLocked(page)", "can return with page locked"}},
	{"vm_operations_struct", "pfn_mkwrite", []string{"mmap_lock", "read"}},
	{"vm_operations_struct", "access", []string{"mmap_lock", "read"}},
}

// NotCalledRows lists the rows whose method the VFS has no caller for,
// with the reason; every other row is reached by the tests.
var NotCalledRows = map[string]string{
	"dentry_operations.d_real":        "only overlayfs-like stacking filesystems have it; vfscope has none",
	"inode_operations.get_inode_acl":  "vfscope has no POSIX ACLs",
	"inode_operations.get_acl":        "vfscope has no POSIX ACLs",
	"inode_operations.fiemap":         "no FIEMAP ioctl: there is no ioctl(2) front end",
	"inode_operations.atomic_open":    "only network filesystems use it; lookup+create is the path here",
	"inode_operations.fileattr_get":   "no FS_IOC_GETFLAGS: there is no ioctl(2) front end",
	"inode_operations.fileattr_set":   "no FS_IOC_SETFLAGS: there is no ioctl(2) front end",
	"inode_operations.get_offset_ctx": "tmpfs keeps its directory offsets privately",
	"super_operations.quota_read":     "vfscope has no disk quotas",
	"super_operations.quota_write":    "vfscope has no disk quotas",

	"address_space_operations.bmap":               "no FIBMAP ioctl and no swap files",
	"address_space_operations.direct_IO":          "no O_DIRECT: every read and write goes through the page cache",
	"address_space_operations.migrate_folio":      "no page migration: vfscope's memory has no NUMA nodes or compaction",
	"address_space_operations.swap_activate":      "no swap files",
	"address_space_operations.swap_deactivate":    "no swap files",
	"address_space_operations.swap_rw":            "no swap files",
	"address_space_operations.error_remove_folio": "no hardware memory errors to recover from",
	"file_operations.write_iter":                  "the VFS calls ->read and ->write with one buffer; readv/writev gather first",
	"file_operations.iopoll":                      "no asynchronous I/O (io_uring, aio)",
	"file_operations.poll":                        "no poll(2)/select(2) front end",
	"file_operations.unlocked_ioctl":              "there is no ioctl(2) front end",
	"file_operations.compat_ioctl":                "there is no ioctl(2) front end",
	"file_operations.fasync":                      "no signals, so no O_ASYNC",
	"file_operations.get_unmapped_area":           "mappings are emulated without an address space layout",
	"file_operations.check_flags":                 "no filesystem restricts fcntl(F_SETFL) flags",
	"file_operations.splice_write":                "no splice(2) or pipes",
	"file_operations.splice_read":                 "no splice(2) or pipes",
	"file_operations.show_fdinfo":                 "not modelled: /proc/PID/fdinfo prints the generic fields only (pos, flags, mnt_id, ino, lock)",
	"file_operations.mmap_capabilities":           "no nommu configuration",
	"file_operations.copy_file_range":             "no copy_file_range(2) front end",
	"file_operations.remap_file_range":            "no reflinks (FICLONE, dedupe)",
	"vm_operations_struct.huge_fault":             "no huge pages: every folio is one 4 KiB page",
	"vm_operations_struct.pfn_mkwrite":            "no VM_PFNMAP or VM_MIXEDMAP mappings (DAX, device memory)",
	"vm_operations_struct.access":                 "no ptrace(2) or /proc/PID/mem",
}

// cols makes a row's cells from column name, text pairs.
func cols(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// req is a compiled cell.
type req uint8

const (
	reqNone      req = iota // nothing asserted
	reqNotHeld              // must not be held
	reqHeld                 // held, in any mode
	reqShared               // held at least shared
	reqExclusive            // held exclusive
)

// rule is a compiled row.
type rule struct {
	id         int
	key        string // "table.op"
	row        lockingRow
	iRwsem     req  // on the inode the method is called on
	iRwsemBoth bool // also on the victim
	dLock      req
	iLock      req
	renameLock req
	sUmount    req
	// namespaceSem is the "(namespace_sem)" of show_options' cell.
	namespaceSem req
	// sUmountOnReturn is s_umount as the method must hold it for the
	// superblock it returns (->mount's prose).
	sUmountOnReturn req
	mayBlock        bool
	// The page-cache columns: the folio passed, its mapping's host's
	// i_rwsem and its invalidate_lock.
	folioLocked    req
	mapRwsem       req
	invalidateLock req
}

var (
	rulesByKey = map[string]*rule{}
	rulesList  []*rule
)

func init() {
	for i, rt := range lockingRows {
		r := lockingRow{table: rt.table, op: rt.op, cells: cols(rt.cells...)}
		c := &rule{id: i, key: r.table + "." + r.op, row: r, mayBlock: true}
		if s, ok := r.cells["i_rwsem(inode)"]; ok {
			switch {
			case strings.HasPrefix(s, "exclusive"):
				c.iRwsem = reqExclusive
			case strings.HasPrefix(s, "shared"):
				c.iRwsem = reqShared
			}
			c.iRwsemBoth = strings.Contains(s, "(both")
		}
		if s, ok := r.cells["->d_lock"]; ok {
			c.dLock = yesNo(s)
		}
		if s, ok := r.cells["rename_lock"]; ok && s == "no" {
			c.renameLock = reqNotHeld
		}
		if s, ok := r.cells["s_umount"]; ok {
			switch {
			case s == "write":
				c.sUmount = reqExclusive
			case s == "read":
				c.sUmount = reqShared
			case strings.HasPrefix(s, "no"):
				c.sUmount = reqNotHeld
			}
			if strings.Contains(s, "(namespace_sem)") {
				c.namespaceSem = reqHeld
			}
		}
		// The file_system_type prose (the cells say only "may block").
		switch c.key {
		case "file_system_type.mount":
			c.sUmountOnReturn = reqExclusive
		case "file_system_type.kill_sb":
			c.sUmount = reqExclusive
		}
		switch r.cells["note"] {
		case "!!!inode->i_lock!!!":
			c.iLock = reqHeld
			c.mayBlock = false
		case "called from RCU callback":
			// An RCU callback runs in softirq context: it must not
			// sleep (free_inode, from i_callback).
			c.mayBlock = false
		}
		if s, ok := r.cells["folio locked"]; ok && strings.HasPrefix(s, "yes") {
			c.folioLocked = reqHeld
		}
		if s, ok := r.cells["i_rwsem"]; ok && s == "exclusive" {
			c.mapRwsem = reqExclusive
		}
		switch r.cells["invalidate_lock"] {
		case "shared":
			c.invalidateLock = reqShared
		case "exclusive":
			c.invalidateLock = reqExclusive
		}
		if s, ok := r.cells["may block"]; ok {
			c.mayBlock = strings.HasPrefix(s, "yes")
		}
		rulesByKey[c.key] = c
		rulesList = append(rulesList, c)
	}
}

func yesNo(s string) req {
	if strings.HasPrefix(s, "yes") {
		return reqHeld
	}
	return reqNotHeld
}

// ruleCoverage records, per VFS, which rows were reached and any call
// that broke its row.
type ruleCoverage struct {
	hits [256]atomic.Int64
	// mu protects violations. A leaf mutex outside the lock model: it
	// only serialises the recording of reports.
	mu         sync.Mutex
	violations []string
}

// LockingRowsReached returns, for every locking.rst row, how many calls
// asserted it.
func (v *VFS) LockingRowsReached() map[string]int64 {
	out := make(map[string]int64, len(rulesList))
	for _, r := range rulesList {
		out[r.key] = v.rules.hits[r.id].Load()
	}
	return out
}

// LockingRows lists the keys ("inode_operations.create") of every row.
func LockingRows() []string {
	out := make([]string, 0, len(rulesList))
	for _, r := range rulesList {
		out = append(out, r.key)
	}
	sort.Strings(out)
	return out
}

// LockingViolations returns every call made with locks that broke its row.
func (v *VFS) LockingViolations() []string {
	v.rules.mu.Lock()
	defer v.rules.mu.Unlock()
	return append([]string(nil), v.rules.violations...)
}
