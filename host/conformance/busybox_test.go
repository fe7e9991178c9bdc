package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// bbStep is one busybox command run as its own guest on a VFS that
// persists across the steps, with what it must print on each WASI path
// (sysfs: when wazero's WASI differs).
type bbStep struct {
	args         string
	stdout       string
	stderr       string
	code         uint32
	sysfs        *bbResult // what the sysfs path gives instead, if it differs
	stdoutPrefix bool      // stdout must only start with stdout
}

type bbResult struct {
	stdout, stderr string
	code           uint32
}

// TestBusyboxGuest runs guests/busybox on vfscope through both WASI
// paths: coreutils' messages come out with the errno the VFS gave, and
// where wazero's WASI has no such errno (EXDEV, ENOTEMPTY...), the
// --sysfs path shows what it becomes.
func TestBusyboxGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: compiles a wasm guest")
	}
	g := guest(t, "busybox")
	steps := []bbStep{
		{args: "mkdir /tmp/a"},
		{args: "mkdir /tmp/a", stderr: "mkdir: cannot create directory '/tmp/a': File exists\n", code: 1},
		{args: "mkdir -p /tmp/a/b/c"},
		{args: "dd of=/tmp/a/f bs=3 count=1 if=/proc/filesystems status=noxfer", stderr: "1+0 records in\n1+0 records out\n"},
		{args: "stat -c %s|%F|%h|%n /tmp/a/f /tmp/a", stdout: "3|regular file|1|/tmp/a/f\n80|directory|3|/tmp/a\n"},
		{args: "ln /tmp/a/f /tmp/a/g"},
		{args: "ln -s f /tmp/a/l"},
		{args: "stat -c %h|%N /tmp/a/g /tmp/a/l", stdout: "2|/tmp/a/g\n1|/tmp/a/l -> f\n"},
		{args: "ls /tmp/a", stdout: "b\nf\ng\nl\n"},
		{args: "find /tmp/a -type f", stdout: "/tmp/a/g\n/tmp/a/f\n"}, // tmpfs lists newest first
		{args: "cp -r /tmp/a /tmp/z"},
		{args: "find /tmp/z -name [gl]", stdout: "/tmp/z/g\n/tmp/z/l\n"},
		{args: "rm /tmp/a", stderr: "rm: cannot remove '/tmp/a': Is a directory\n", code: 1},
		{args: "rm -d /tmp/a", stderr: "rm: cannot remove '/tmp/a': Directory not empty\n", code: 1},
		// Across mounts rename(2) gives EXDEV and mv copies instead; wazero's
		// WASI has no EXDEV and turns it into EIO (host.SysFS's table).
		{args: "mv /tmp/a/f /mnt/f", sysfs: &bbResult{stderr: "mv: cannot move '/tmp/a/f' to '/mnt/f': Input/output error\n", code: 1}},
		{args: "cat /mnt/f", stdout: "nod", sysfs: &bbResult{stderr: "cat: /mnt/f: No such file or directory\n", code: 1}},
		{args: "ls /tmp/a /mnt", stdout: "/mnt:\nf\n\n/tmp/a:\nb\ng\nl\n", sysfs: &bbResult{stdout: "/mnt:\n\n/tmp/a:\nb\nf\ng\nl\n"}},
		{args: "rm -rf /tmp/a /tmp/z /mnt/f"},
		{args: "ls /tmp /nope", stdout: "/tmp:\n", stderr: "ls: cannot access '/nope': No such file or directory\n", code: 2},
		{args: "touch /proc/x", stderr: "touch: cannot touch '/proc/x': No such file or directory\n", code: 1},
		{args: "df /tmp", stdout: "Filesystem", stdoutPrefix: true},
		{args: "sync"},
	}
	for _, path := range []Path{Native, SysFS} {
		t.Run(string(path), func(t *testing.T) {
			task := newVFS(t)
			if err := task.Mkdir("/mnt", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := task.Mount("tmpfs", "/mnt", "tmpfs", 0, ""); err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				var out, errOut bytes.Buffer
				argv := append([]string{"busybox"}, strings.Fields(s.args)...)
				code, err := g.Run(context.Background(), RunConfig{Path: path, Task: task, Args: argv, Stdout: &out, Stderr: &errOut})
				if err != nil {
					t.Fatalf("%s: %v", s.args, err)
				}
				want := bbResult{s.stdout, s.stderr, s.code}
				if path == SysFS && s.sysfs != nil {
					want = *s.sysfs
				}
				wantOut, wantErr, wantCode := want.stdout, want.stderr, want.code
				okOut := out.String() == wantOut || s.stdoutPrefix && strings.HasPrefix(out.String(), wantOut)
				if !okOut || errOut.String() != wantErr || code != wantCode {
					t.Errorf("busybox %s:\n got stdout %q stderr %q exit %d\nwant stdout %q stderr %q exit %d",
						s.args, out.String(), errOut.String(), code, wantOut, wantErr, wantCode)
				}
			}
		})
	}
}
