package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	script := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(script, []byte("mkdir /d\nls /\nrmdir /d /d\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		stdin      string
		terminal   bool
		wantOut    string
		wantLen    int    // the length of stdout, when not 0
		wantErr    string // prefix of stderr
		wantStatus int
	}{
		{name: "no args reads a script from stdin", stdin: "echo hi\npwd\n", wantOut: "hi\n/\n"},
		{name: "sh reads stdin", args: []string{"sh"}, stdin: "cd /tmp; pwd", wantOut: "/tmp\n"},
		{name: "interactive on a terminal", args: []string{"sh"}, stdin: "cd /tmp\n", terminal: true,
			wantErr: "vfscope:/# vfscope:/tmp# \n"},
		{name: "sh -c", args: []string{"sh", "-c", "echo a; false"}, wantOut: "a\n", wantStatus: 1},
		{name: "sh -c status", args: []string{"sh", "-c", "exit 5"}, wantStatus: 5},
		{name: "sh -e -c", args: []string{"sh", "-e", "-c", "false; echo no"}, wantStatus: 1},
		{name: "sh -c -e", args: []string{"sh", "-c", "cat /x; echo yes", "-e"},
			wantErr: "cat: /x: No such file or directory\n", wantStatus: 1},
		{name: "sh FILE", args: []string{"sh", script}, wantOut: "d\ndev\nproc\ntmp\n",
			wantErr: "rmdir: failed to remove '/d': No such file or directory\n", wantStatus: 1},
		{name: "sh -e FILE", args: []string{"sh", "-e", script}, wantOut: "d\ndev\nproc\ntmp\n",
			wantErr: "rmdir: failed to remove '/d': No such file or directory\n", wantStatus: 1},
		{name: "sh missing FILE", args: []string{"sh", "/nonexistent/x.sh"},
			wantErr: "vfscope sh: /nonexistent/x.sh: no such file or directory\n", wantStatus: 127},
		{name: "sh a directory", args: []string{"sh", "/"},
			wantErr: "vfscope sh: /: is a directory\n", wantStatus: 126},
		{name: "stdin keeps cat's input with -c", args: []string{"sh", "-c", "cat"}, stdin: "data\n", wantOut: "data\n"},
		{name: "sh has no output limit, as its output streams", args: []string{"sh", "-c", "truncate -s 3M /tmp/f; cat /tmp/f"},
			wantOut: "\x00\x00\x00", wantLen: 3 << 20},
		{name: "help", args: []string{"help"}, wantOut: "vfscope: the Linux VFS rebuilt in Go."},
		{name: "-h", args: []string{"-h"}, wantOut: "vfscope: the Linux VFS rebuilt in Go."},
		{name: "--help", args: []string{"--help"}, wantOut: "vfscope: the Linux VFS rebuilt in Go."},
		{name: "sh -h", args: []string{"sh", "-h"}, wantOut: "Usage: vfscope sh"},
		{name: "unknown command", args: []string{"frob"},
			wantErr: "vfscope: unknown command \"frob\" (try 'vfscope help')\n", wantStatus: 2},
		{name: "unknown flag", args: []string{"-x"},
			wantErr: "vfscope: unknown flag -x (try 'vfscope help')\n", wantStatus: 2},
		{name: "unknown sh flag", args: []string{"sh", "-z"},
			wantErr: "vfscope sh: unknown flag -z (try 'vfscope sh -h')\n", wantStatus: 2},
		{name: "sh -c without argument", args: []string{"sh", "-c"},
			wantErr: "vfscope sh: -c requires an argument\n", wantStatus: 2},
		{name: "sh extra operand", args: []string{"sh", "a", "b"},
			wantErr: "vfscope sh: unexpected argument b\n", wantStatus: 2},
		{name: "help with an argument", args: []string{"help", "x"},
			wantErr: "vfscope help: unexpected argument x\n", wantStatus: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			st := run(&env{stdin: strings.NewReader(tc.stdin), stdout: &out, stderr: &errb, terminal: tc.terminal}, tc.args)
			if st != tc.wantStatus {
				t.Errorf("status %d, want %d (stderr %q)", st, tc.wantStatus, errb.String())
			}
			if !strings.HasPrefix(out.String(), tc.wantOut) || tc.wantOut == "" && out.Len() > 0 {
				t.Errorf("stdout %.200q, want %q", out.String(), tc.wantOut)
			}
			if tc.wantLen != 0 && out.Len() != tc.wantLen {
				t.Errorf("%d bytes on stdout, want %d", out.Len(), tc.wantLen)
			}
			if !strings.HasPrefix(errb.String(), tc.wantErr) || tc.wantErr == "" && errb.Len() > 0 {
				t.Errorf("stderr %q, want %q", errb.String(), tc.wantErr)
			}
		})
	}
}

// TestEndReaderReadsNoMore: the standard input of vfscope sh consumes
// no more of the process's stdin than each Read asks for, so that the
// rest stays for whoever reads it after vfscope, as a shell's read(2)
// of a pipe takes only what it asks for.
func TestEndReaderReadsNoMore(t *testing.T) {
	const in = "abcdefghij"
	tests := []struct {
		name  string
		sizes []int // the Reads' buffer sizes, in order
	}{
		{"one byte", []int{1}},
		{"two then three", []int{2, 3}},
		{"all of it", []int{len(in)}},
		{"more than there is", []int{len(in) + 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := strings.NewReader(in)
			er := newEndReader(r)
			var got strings.Builder
			for _, n := range tc.sizes {
				p := make([]byte, n)
				k, err := er.Read(p)
				if err != nil {
					t.Fatalf("Read(%d bytes): %v", n, err)
				}
				got.Write(p[:k])
			}
			if left := in[got.Len():]; r.Len() != len(left) {
				t.Errorf("after reading %q, stdin has %d bytes left, want %d (%q)", got.String(), r.Len(), len(left), left)
			}
			if !strings.HasPrefix(in, got.String()) {
				t.Errorf("read %q, want a prefix of %q", got.String(), in)
			}
		})
	}
}
