package procfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// writeFile writes data at position 0 of path in one write(2), as
// `echo VALUE > path` does (O_TRUNC included), and returns the error
// of the open or of the write and the bytes the write took.
func writeFile(tk *vfs.Task, path, data string) (int, error) {
	fd, err := tk.Open(path, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	defer tk.Close(fd)
	return tk.Write(fd, []byte(data))
}

// TestSysVMListing: /proc/sys/vm's files, modes and their first values
// (Linux's defaults).
func TestSysVMListing(t *testing.T) {
	_, tk := setup(t)
	want := map[string]struct {
		mode  uint32
		value string
	}{
		"dirty_background_bytes":    {0o644, "0\n"},
		"dirty_background_ratio":    {0o644, "10\n"},
		"dirty_bytes":               {0o644, "0\n"},
		"dirty_expire_centisecs":    {0o644, "3000\n"},
		"dirty_ratio":               {0o644, "20\n"},
		"dirty_writeback_centisecs": {0o644, "500\n"},
		"dirtytime_expire_seconds":  {0o644, "43200\n"},
		"drop_caches":               {0o200, ""},
		"vfs_cache_pressure":        {0o644, "100\n"},
	}
	got := names(list(t, tk, "/proc/sys/vm"))
	if len(got) != len(want)+2 {
		t.Errorf("ls /proc/sys/vm: %v", got)
	}
	for name, w := range want {
		var st vfs.Stat
		must(t, tk.Lstat("/proc/sys/vm/"+name, &st))
		if st.Mode != vfs.S_IFREG|w.mode {
			t.Errorf("%s: mode %o, want %o", name, st.Mode, vfs.S_IFREG|w.mode)
		}
		if w.mode&0o400 != 0 {
			if v := read(t, tk, "/proc/sys/vm/"+name); v != w.value {
				t.Errorf("%s reads %q, want %q", name, v, w.value)
			}
		}
	}
}

// TestSysVMWrites: each write as a table row: what the file holds
// afterwards and what its twin holds (a ratio written zeroes its bytes
// twin, and the other way round); EINVAL leaves both unchanged.
func TestSysVMWrites(t *testing.T) {
	type file = string
	cases := []struct {
		name   string
		before map[file]string // written first, in this order
		file   file
		data   string
		err    error
		n      int             // bytes the write took (on success)
		after  map[file]string // values read afterwards
	}{
		{name: "dirty_ratio", file: "dirty_ratio", data: "30\n", n: 3, after: map[file]string{"dirty_ratio": "30", "dirty_bytes": "0"}},
		{name: "dirty_bytes zeroes the ratio", file: "dirty_bytes", data: "1048576", n: 7,
			after: map[file]string{"dirty_bytes": "1048576", "dirty_ratio": "0"}},
		{name: "dirty_ratio zeroes the bytes", before: map[file]string{"dirty_bytes": "1048576"}, file: "dirty_ratio", data: "15",
			n: 2, after: map[file]string{"dirty_ratio": "15", "dirty_bytes": "0"}},
		{name: "the same dirty_ratio again keeps the bytes", before: map[file]string{"dirty_bytes": "1048576"}, file: "dirty_ratio", data: "0",
			n: 1, after: map[file]string{"dirty_ratio": "0", "dirty_bytes": "1048576"}},
		{name: "background bytes zero the background ratio", file: "dirty_background_bytes", data: "  65536  \n", n: 10,
			after: map[file]string{"dirty_background_bytes": "65536", "dirty_background_ratio": "0"}},
		{name: "background ratio zeroes the background bytes", before: map[file]string{"dirty_background_bytes": "65536"},
			file: "dirty_background_ratio", data: "5", n: 1, after: map[file]string{"dirty_background_ratio": "5", "dirty_background_bytes": "0"}},
		{name: "hex", file: "dirty_expire_centisecs", data: "0x10", n: 4, after: map[file]string{"dirty_expire_centisecs": "16"}},
		// strtoul's base 0 knows 0x and a leading 0 (octal), not Go's
		// 0b, 0o or digit separators.
		{name: "octal", file: "dirty_expire_centisecs", data: "017", n: 3, after: map[file]string{"dirty_expire_centisecs": "15"}},
		{name: "0b", file: "dirty_ratio", data: "0b1010", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "0o", file: "dirty_background_ratio", data: "0o17", err: vfs.EINVAL, after: map[file]string{"dirty_background_ratio": "10"}},
		{name: "8 in octal", file: "dirty_ratio", data: "08", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "0x without a digit", file: "dirty_ratio", data: "0x", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "0b on drop_caches", file: "drop_caches", data: "0b11", err: vfs.EINVAL},
		{name: "second value ignored", file: "dirty_writeback_centisecs", data: "100 200\n", n: 4, after: map[file]string{"dirty_writeback_centisecs": "100"}},
		{name: "vfs_cache_pressure", file: "vfs_cache_pressure", data: "200", n: 3, after: map[file]string{"vfs_cache_pressure": "200"}},
		{name: "ratio over 100", file: "dirty_ratio", data: "101", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20", "dirty_bytes": "0"}},
		{name: "negative ratio", file: "dirty_ratio", data: "-1", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "dirty_bytes below two pages", file: "dirty_bytes", data: "4096", err: vfs.EINVAL, after: map[file]string{"dirty_bytes": "0", "dirty_ratio": "20"}},
		{name: "dirty_bytes 0", file: "dirty_bytes", data: "0", err: vfs.EINVAL, after: map[file]string{"dirty_bytes": "0", "dirty_ratio": "20"}},
		{name: "background bytes 0", file: "dirty_background_bytes", data: "0", err: vfs.EINVAL, after: map[file]string{"dirty_background_ratio": "10"}},
		{name: "sign on unsigned", file: "dirty_bytes", data: "-8192", err: vfs.EINVAL, after: map[file]string{"dirty_bytes": "0"}},
		{name: "garbage", file: "dirty_ratio", data: "12abc", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "empty", file: "dirty_ratio", data: "\n", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		// kernel/sysctl.c proc_get_long: only proc_wspace_sep (space,
		// tab, newline) may follow the number, and a number of 21
		// characters or more is refused.
		{name: "carriage return after", file: "dirty_ratio", data: "5\r", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "NUL after", file: "dirty_ratio", data: "6\x00", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "vertical tab after", file: "dirty_ratio", data: "7\v", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "tab after", file: "dirty_ratio", data: "8\t", n: 2, after: map[file]string{"dirty_ratio": "8"}},
		{name: "21 characters", file: "dirty_expire_centisecs", data: "000000000000000000012", err: vfs.EINVAL, after: map[file]string{"dirty_expire_centisecs": "3000"}},
		{name: "20 characters", file: "dirty_expire_centisecs", data: "00000000000000000012", n: 20, after: map[file]string{"dirty_expire_centisecs": "10"}},
		{name: "plus sign", file: "dirty_ratio", data: "+5", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		// kernel/sysctl.c __do_proc_dointvec: !*lenp returns 0.
		{name: "zero bytes", file: "dirty_ratio", data: "", n: 0, after: map[file]string{"dirty_ratio": "20", "dirty_bytes": "0"}},
		{name: "zero bytes, unsigned", file: "dirty_bytes", data: "", n: 0, after: map[file]string{"dirty_bytes": "0", "dirty_ratio": "20"}},
		{name: "too big for an int", file: "dirty_expire_centisecs", data: "2147483648", err: vfs.EINVAL, after: map[file]string{"dirty_expire_centisecs": "3000"}},
		{name: "dirtytime_expire_seconds", file: "dirtytime_expire_seconds", data: "60", n: 2, after: map[file]string{"dirtytime_expire_seconds": "60"}},
		{name: "negative dirtytime_expire_seconds", file: "dirtytime_expire_seconds", data: "-1", err: vfs.EINVAL, after: map[file]string{"dirtytime_expire_seconds": "43200"}},
		{name: "negative pressure", file: "vfs_cache_pressure", data: "-5", err: vfs.EINVAL, after: map[file]string{"vfs_cache_pressure": "100"}},
		{name: "drop_caches 0", file: "drop_caches", data: "0", err: vfs.EINVAL},
		{name: "drop_caches 5", file: "drop_caches", data: "5", err: vfs.EINVAL},
		{name: "drop_caches 3", file: "drop_caches", data: "3\n", n: 2},
		// __do_proc_dointvec and __do_proc_doulongvec_minmax look at the
		// first PAGE_SIZE-1 bytes only: a value after 5000 spaces is not
		// seen (EINVAL), one cut at byte 4095 is taken as cut. The bytes
		// past the window count as written, what is left unparsed within
		// it does not (the host: "45" and 4998 spaces to
		// fs/lease-break-time take 5000, "45 7" and 4996 spaces 908).
		{name: "5000 spaces then a value", file: "dirty_ratio", data: strings.Repeat(" ", 5000) + "5", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		{name: "5000 spaces then a value, unsigned", file: "dirty_bytes", data: strings.Repeat(" ", 5000) + "8192", err: vfs.EINVAL, after: map[file]string{"dirty_bytes": "0"}},
		{name: "value within PAGE_SIZE-1", file: "dirty_ratio", data: strings.Repeat(" ", 4093) + "15" + strings.Repeat(" ", 10), n: 4105, after: map[file]string{"dirty_ratio": "15"}},
		{name: "value cut at PAGE_SIZE-1", file: "dirty_ratio", data: strings.Repeat(" ", 4093) + "123", n: 4096, after: map[file]string{"dirty_ratio": "12"}},
		{name: "value and 4999 spaces", file: "dirty_ratio", data: "6" + strings.Repeat(" ", 4999), n: 5000, after: map[file]string{"dirty_ratio": "6"}},
		{name: "two values and spaces past the window", file: "dirty_ratio", data: "45 7" + strings.Repeat(" ", 4996), n: 908, after: map[file]string{"dirty_ratio": "45"}},
		// The kernel's isspace counts 0xA0 (Latin-1 no-break space);
		// proc_wspace_sep, what may follow a number, does not.
		{name: "0xA0 before", file: "dirty_ratio", data: "\xa07", n: 2, after: map[file]string{"dirty_ratio": "7"}},
		{name: "0xA0 after", file: "dirty_ratio", data: "7\xa0", err: vfs.EINVAL, after: map[file]string{"dirty_ratio": "20"}},
		// proc_doulongvec_minmax takes any unsigned long, and the
		// handlers refuse more than UINT_MAX pages with ERANGE, keeping
		// the old values (Linux 6.9's "mm: avoid overflows in dirty
		// throttling logic"). Linux 6.18 takes dirty_bytes of ULONG_MAX,
		// whose DIV_ROUND_UP wraps to 0 pages; vfscope refuses it
		// (RATIONALE.md).
		{name: "ULONG_MAX", file: "dirty_bytes", data: "18446744073709551615", err: vfs.ERANGE,
			after: map[file]string{"dirty_bytes": "0", "dirty_ratio": "20"}},
		{name: "1<<63 background", file: "dirty_background_bytes", data: "0x8000000000000000\n", err: vfs.ERANGE,
			after: map[file]string{"dirty_background_bytes": "0", "dirty_background_ratio": "10"}},
		{name: "above ULONG_MAX", file: "dirty_bytes", data: "18446744073709551616", err: vfs.EINVAL, after: map[file]string{"dirty_bytes": "0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, tk := setup(t)
			for _, f := range []file{"dirty_bytes", "dirty_background_bytes"} {
				if v, ok := c.before[f]; ok {
					if _, err := writeFile(tk, "/proc/sys/vm/"+f, v); err != nil {
						t.Fatalf("before: %s: %v", f, err)
					}
				}
			}
			n, err := writeFile(tk, "/proc/sys/vm/"+c.file, c.data)
			if err != c.err {
				t.Fatalf("write %q: %v, want %v", c.data, err, c.err)
			}
			if err == nil && n != c.n {
				t.Errorf("write %q took %d bytes, want %d", c.data, n, c.n)
			}
			for f, want := range c.after {
				if got := strings.TrimSuffix(readSysctl(t, tk, "/proc/sys/vm/"+f), "\n"); got != want {
					t.Errorf("%s = %s, want %s", f, got, want)
				}
			}
		})
	}
}

// TestSysctlPermissions: sysctl_perm's rules: root cannot read the
// write-only drop_caches; others can read the 0644 files but not write
// them; a write past position 0 is ignored; chmod is EPERM.
func TestSysctlPermissions(t *testing.T) {
	v, tk := setup(t)
	if _, err := tk.Open("/proc/sys/vm/drop_caches", vfs.O_RDONLY, 0); err != vfs.EACCES {
		t.Errorf("root opening drop_caches for read: %v, want EACCES", err)
	}
	user := tk.Fork("user")
	defer user.Exit()
	user.SetCred(&vfs.Cred{UID: 1000, GID: 1000})
	if got := read(t, user, "/proc/sys/vm/dirty_ratio"); got != "20\n" {
		t.Errorf("user reads %q", got)
	}
	for _, f := range []string{"dirty_ratio", "drop_caches"} {
		if _, err := writeFile(user, "/proc/sys/vm/"+f, "1"); err != vfs.EACCES {
			t.Errorf("user writing %s: %v, want EACCES", f, err)
		}
	}
	fd, err := tk.Open("/proc/sys/vm/dirty_ratio", vfs.O_WRONLY, 0)
	must(t, err)
	if n, err := tk.Pwrite(fd, []byte("50"), 1); n != 2 || err != nil {
		t.Errorf("write at 1: %d %v, want 2 nil (taken whole, ignored)", n, err)
	}
	must(t, tk.Close(fd))
	if r := v.DirtyTunables().Ratio; r != 20 {
		t.Errorf("a write at position 1 changed dirty_ratio to %d", r)
	}
	if err := tk.Chmod("/proc/sys/vm/dirty_ratio", 0o666); err != vfs.EPERM {
		t.Errorf("chmod: %v, want EPERM", err)
	}
	// A read past position 0 is empty, as proc_dointvec's.
	fd, err = tk.Open("/proc/sys/vm/dirty_ratio", vfs.O_RDONLY, 0)
	must(t, err)
	buf := make([]byte, 1)
	var got []byte
	for {
		n, err := tk.Read(fd, buf)
		must(t, err)
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	must(t, tk.Close(fd))
	if string(got) != "2" {
		t.Errorf("one-byte reads gave %q, want %q", got, "2")
	}
}
