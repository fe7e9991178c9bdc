package wasi

import "context"

// ValType is the wasm type of a parameter: I32 or I64.
type ValType uint8

const (
	I32 ValType = iota
	I64
)

// Func is one function of the wasi_snapshot_preview1 module: its name,
// its wasm signature, and its body over raw parameters (wasm values as
// uint64, as wazero's stack and JavaScript's BigInt/Number both give
// them). Every function returns an errno (one i32 result) except
// proc_exit, which has NoReturn set and panics with *ExitError.
type Func struct {
	Name     string
	Params   []ValType
	NoReturn bool
	Call     func(ctx context.Context, a *ABI, m Memory, p []uint64) Errno
}

func i32s(n int) []ValType {
	out := make([]ValType, n)
	return out
}

func sig(types ...ValType) []ValType { return types }

// Funcs is the whole preview1 function set, sorted by name.
var Funcs = []Func{
	{"args_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.ArgsGet(m, u32(p[0]), u32(p[1]))
	}},
	{"args_sizes_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.ArgsSizesGet(m, u32(p[0]), u32(p[1]))
	}},
	{"clock_res_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.ClockResGet(m, u32(p[0]), u32(p[1]))
	}},
	{"clock_time_get", sig(I32, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.ClockTimeGet(m, u32(p[0]), p[1], u32(p[2]))
	}},
	{"environ_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.EnvironGet(m, u32(p[0]), u32(p[1]))
	}},
	{"environ_sizes_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.EnvironSizesGet(m, u32(p[0]), u32(p[1]))
	}},
	{"fd_advise", sig(I32, I64, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		if !fits(p[3], 8) {
			return EINVAL
		}
		return a.FdAdvise(fd(p[0]), p[1], p[2], uint8(p[3]))
	}},
	{"fd_allocate", sig(I32, I64, I64), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdAllocate(fd(p[0]), p[1], p[2])
	}},
	{"fd_close", i32s(1), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdClose(fd(p[0]))
	}},
	{"fd_datasync", i32s(1), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdDatasync(fd(p[0]))
	}},
	{"fd_fdstat_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdFdstatGet(m, fd(p[0]), u32(p[1]))
	}},
	{"fd_fdstat_set_flags", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		if !fits(p[1], 16) {
			return EINVAL
		}
		return a.FdFdstatSetFlags(fd(p[0]), uint16(p[1]))
	}},
	{"fd_fdstat_set_rights", sig(I32, I64, I64), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdFdstatSetRights(fd(p[0]), Rights(p[1]), Rights(p[2]))
	}},
	{"fd_filestat_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdFilestatGet(m, fd(p[0]), u32(p[1]))
	}},
	{"fd_filestat_set_size", sig(I32, I64), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdFilestatSetSize(fd(p[0]), p[1])
	}},
	{"fd_filestat_set_times", sig(I32, I64, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		if !fits(p[3], 16) {
			return EINVAL
		}
		return a.FdFilestatSetTimes(fd(p[0]), p[1], p[2], uint16(p[3]))
	}},
	{"fd_pread", sig(I32, I32, I32, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdPread(m, fd(p[0]), u32(p[1]), u32(p[2]), p[3], u32(p[4]))
	}},
	{"fd_prestat_dir_name", i32s(3), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdPrestatDirName(m, fd(p[0]), u32(p[1]), u32(p[2]))
	}},
	{"fd_prestat_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdPrestatGet(m, fd(p[0]), u32(p[1]))
	}},
	{"fd_pwrite", sig(I32, I32, I32, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdPwrite(m, fd(p[0]), u32(p[1]), u32(p[2]), p[3], u32(p[4]))
	}},
	{"fd_read", i32s(4), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdRead(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]))
	}},
	{"fd_readdir", sig(I32, I32, I32, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdReaddir(m, fd(p[0]), u32(p[1]), u32(p[2]), p[3], u32(p[4]))
	}},
	{"fd_renumber", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdRenumber(fd(p[0]), fd(p[1]))
	}},
	{"fd_seek", sig(I32, I64, I32, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdSeek(m, fd(p[0]), int64(p[1]), u32(p[2]), u32(p[3]))
	}},
	{"fd_sync", i32s(1), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdSync(fd(p[0]))
	}},
	{"fd_tell", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdTell(m, fd(p[0]), u32(p[1]))
	}},
	{"fd_write", i32s(4), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.FdWrite(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]))
	}},
	{"path_create_directory", i32s(3), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathCreateDirectory(m, fd(p[0]), u32(p[1]), u32(p[2]))
	}},
	{"path_filestat_get", i32s(5), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathFilestatGet(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]), u32(p[4]))
	}},
	{"path_filestat_set_times", sig(I32, I32, I32, I32, I64, I64, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		if !fits(p[6], 16) {
			return EINVAL
		}
		return a.PathFilestatSetTimes(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]), p[4], p[5], uint16(p[6]))
	}},
	{"path_link", i32s(7), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathLink(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]), fd(p[4]), u32(p[5]), u32(p[6]))
	}},
	{"path_open", sig(I32, I32, I32, I32, I32, I64, I64, I32, I32), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		if !fits(p[4], 16) || !fits(p[7], 16) {
			return EINVAL
		}
		return a.PathOpen(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]), uint16(p[4]), Rights(p[5]), Rights(p[6]), uint16(p[7]), u32(p[8]))
	}},
	{"path_readlink", i32s(6), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathReadlink(m, fd(p[0]), u32(p[1]), u32(p[2]), u32(p[3]), u32(p[4]), u32(p[5]))
	}},
	{"path_remove_directory", i32s(3), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathRemoveDirectory(m, fd(p[0]), u32(p[1]), u32(p[2]))
	}},
	{"path_rename", i32s(6), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathRename(m, fd(p[0]), u32(p[1]), u32(p[2]), fd(p[3]), u32(p[4]), u32(p[5]))
	}},
	{"path_symlink", i32s(5), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathSymlink(m, u32(p[0]), u32(p[1]), fd(p[2]), u32(p[3]), u32(p[4]))
	}},
	{"path_unlink_file", i32s(3), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PathUnlinkFile(m, fd(p[0]), u32(p[1]), u32(p[2]))
	}},
	{"poll_oneoff", i32s(4), false, func(ctx context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.PollOneoff(ctx, m, u32(p[0]), u32(p[1]), u32(p[2]), u32(p[3]))
	}},
	{"proc_exit", i32s(1), true, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		a.ProcExit(u32(p[0]))
		return ESUCCESS
	}},
	{"proc_raise", i32s(1), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.ProcRaise(u32(p[0]))
	}},
	{"random_get", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.RandomGet(m, u32(p[0]), u32(p[1]))
	}},
	{"sched_yield", nil, false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.SchedYield()
	}},
	{"sock_accept", i32s(3), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.sock(fd(p[0]))
	}},
	{"sock_recv", i32s(6), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.sock(fd(p[0]))
	}},
	{"sock_send", i32s(5), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.sock(fd(p[0]))
	}},
	{"sock_shutdown", i32s(2), false, func(_ context.Context, a *ABI, m Memory, p []uint64) Errno {
		return a.sock(fd(p[0]))
	}},
}

// sock is every sock_* call: vfscope has no sockets to give a guest; a
// bad descriptor is still EBADF, anything else ENOTSUP.
func (a *ABI) sock(fd int32) Errno {
	if _, errno := a.fd(fd, 0); errno != ESUCCESS {
		return errno
	}
	return ENOTSUP
}

func u32(v uint64) uint32 { return uint32(v) }
func fd(v uint64) int32   { return int32(uint32(v)) }

// fits reports whether the i32 parameter v holds a value of the given
// width: a u8 or u16 of the witx signature travels as an i32, and bits
// above it make the value invalid (EINVAL), not another value.
func fits(v uint64, bits uint) bool { return uint32(v)>>bits == 0 }
