package procfs

import (
	"slices"
	"strconv"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// showStatus is proc_pid_status() (fs/proc/array.c) for the lines
// vfscope has, in Linux's order and format, task_state's first:
//
//	Name:	comm, at most TASK_COMM_LEN-1 bytes, '\n' and '\\' escaped
//	Umask:	"%#04o" of fs->umask
//	State:	"R (running)" for the reader itself, "S (sleeping)" for
//		another task: a vfscope task runs only while its goroutine
//		makes a call, and is otherwise waiting for the next one
//	Tgid, Pid:	the pid (one thread per task)
//	Ngid, TracerPid:	0 (no NUMA balancing, no ptrace)
//	Uid, Gid:	real, effective, saved and fs ids, tab-separated: a
//		vfscope Cred holds one uid and one gid, so all four agree
//	FDSize:	the descriptor table's size, which here grows to one
//		past the highest descriptor used rather than by Linux's
//		powers of two from 64
//	Groups:	the supplementary groups, ascending as set_groups
//		sorts them, each followed by a space (so " " for none)
//
// Left out, having nothing behind them in vfscope: PPid (a task does
// not record the task it was forked from), NStgid, NSpid, NSpgid and
// NSsid (no pid namespaces, process groups or sessions), Kthread, and
// everything after task_state: task_mem's Vm* lines, task_sig's
// signal masks, task_cap's capability sets, seccomp, the CPU and
// memory-node lists, and the context switch counts.
func showStatus(t, task *vfs.Task, b *strings.Builder) error {
	st := t.StatusOf(task)
	c := task.TaskCred()
	b.WriteString("Name:\t")
	escapeComm(b, task.Comm())
	b.WriteString("\nUmask:\t")
	writeUmask(b, st.Umask)
	b.WriteString("\nState:\t")
	if task == t {
		b.WriteString("R (running)")
	} else {
		b.WriteString("S (sleeping)")
	}
	pid := strconv.Itoa(int(task.PID()))
	b.WriteString("\nTgid:\t" + pid + "\nNgid:\t0\nPid:\t" + pid + "\nTracerPid:\t0\n")
	writeIDs(b, "Uid:", c.UID)
	writeIDs(b, "Gid:", c.GID)
	b.WriteString("FDSize:\t" + strconv.Itoa(st.FDSize) + "\nGroups:\t")
	groups := slices.Clone(c.Groups)
	slices.Sort(groups)
	for i, g := range groups {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(uint64(g), 10))
	}
	// "Trailing space shouldn't have been added in the first place."
	b.WriteString(" \n")
	return nil
}

// taskCommLen is TASK_COMM_LEN: a comm holds 15 bytes and a NUL.
const taskCommLen = 16

// escapeComm is proc_task_name()'s seq_escape_str(ESCAPE_SPACE |
// ESCAPE_SPECIAL, "\n\\") of the comm as __get_task_comm cuts it.
func escapeComm(b *strings.Builder, comm string) {
	if len(comm) > taskCommLen-1 {
		comm = comm[:taskCommLen-1]
	}
	for i := 0; i < len(comm); i++ {
		switch c := comm[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
}

// writeUmask is "%#04o": a leading 0, then at least three octal digits.
func writeUmask(b *strings.Builder, m uint32) {
	s := strconv.FormatUint(uint64(m), 8)
	b.WriteByte('0')
	for i := len(s); i < 3; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}

// writeIDs is task_state's Uid or Gid line: "\t%u" of the real,
// effective, saved and fs id.
func writeIDs(b *strings.Builder, label string, id uint32) {
	s := strconv.FormatUint(uint64(id), 10)
	b.WriteString(label)
	for range 4 {
		b.WriteByte('\t')
		b.WriteString(s)
	}
	b.WriteByte('\n')
}
