package main

import (
	"os"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/host/wasihost/wasmtest"
)

// TestParseGuestMem: --guest-mem SIZE takes --mem's sizes, rounded up to
// 64 KiB wasm pages, from one page to 4G (65536 pages, all wasm32
// addresses); anything else is a usage error naming the flag and the
// value.
func TestParseGuestMem(t *testing.T) {
	for _, c := range []struct {
		val     string
		pages   uint32
		wantErr string
	}{
		{"64K", 1, ""},
		{"1M", 16, ""},
		{"1", 1, ""},
		{"65536", 1, ""},
		{"65537", 2, ""},
		{"0x30000", 3, ""},
		{"100k", 2, ""},
		{"4G", 65536, ""},
		{"4294967297", 0, "--guest-mem 4294967297: want from one page, 64K, to 4G"},
		{"5G", 0, "--guest-mem 5G: want from one page, 64K, to 4G"},
		{"0", 0, "--guest-mem 0: want from one page, 64K, to 4G"},
		{"1.5M", 0, "--guest-mem 1.5M: want a size such as 65536, 64K or 1G"},
		{"-1", 0, "--guest-mem -1: want a size such as 65536, 64K or 1G"},
		{"junk", 0, "--guest-mem junk: want a size such as 65536, 64K or 1G"},
		{"", 0, "--guest-mem : want a size such as 65536, 64K or 1G"},
	} {
		o, err := parseRun([]string{"--guest-mem", c.val, "app.wasm"})
		switch {
		case c.wantErr != "":
			if _, ok := err.(usageError); !ok || err.Error() != c.wantErr {
				t.Errorf("--guest-mem %q: %v, want the usage error %q", c.val, err, c.wantErr)
			}
		case err != nil || o.pages != c.pages:
			t.Errorf("--guest-mem %q: %+v, %v; want %d pages", c.val, o, err, c.pages)
		}
	}
	if o, err := parseRun([]string{"--mem", "1M", "app.wasm"}); err != nil || o.pages != 0 {
		t.Errorf("without --guest-mem: %+v, %v; want no limit of vfscope's (0 pages)", o, err)
	}
	_, errs, st := runCmd("run", "--guest-mem=5G", "app.wasm")
	if want := "vfscope run: --guest-mem 5G: want from one page, 64K, to 4G\n"; st != 2 || errs != want {
		t.Errorf("run --guest-mem=5G: status %d, stderr %q; want 2, %q", st, errs, want)
	}
}

// TestRunGuestMem: --guest-mem is the guest's memory limit, through both
// WASI paths: a guest whose memory starts above it is not run (126,
// the error giving the limit), and memory.grow past it returns -1,
// which the Grow guest exits with (run's status 0xffffffff, 255 once
// os.Exit takes it modulo 256); up to it, grow returns the old
// size, 1. Without the flag, wazero's limit of 4G holds.
func TestRunGuestMem(t *testing.T) {
	t.Chdir(t.TempDir())
	minus1 := ^uint32(0)
	noGrow := int(minus1) // what run returns for proc_exit(-1)
	for _, c := range []struct {
		name   string
		limit  string // "" for no --guest-mem
		wasm   []byte
		status int
		stderr string // a part of the one line of stderr; "" for none at all
	}{
		{"starts at the limit", "128K", wasmtest.ExitPages(7, 2), 7, ""},
		{"starts above the limit", "128K", wasmtest.ExitPages(7, 3), 126, "over limit of 2 pages (128 Ki)"},
		{"starts above a rounded limit", "65537", wasmtest.ExitPages(7, 3), 126, "over limit of 2 pages (128 Ki)"},
		{"starts above, no limit", "", wasmtest.ExitPages(7, 3), 7, ""},
		{"grows to the limit", "128K", wasmtest.Grow(1), 1, ""},
		{"grows past the limit", "128K", wasmtest.Grow(2), noGrow, ""},
		{"grows past the smallest limit", "1", wasmtest.Grow(1), noGrow, ""},
		{"grows, no limit", "", wasmtest.Grow(2), 1, ""},
		{"grows to 4G", "4G", wasmtest.Grow(65536), noGrow, ""},
	} {
		app := strings.ReplaceAll(c.name, " ", "_") + ".wasm"
		if err := os.WriteFile(app, c.wasm, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, abi := range []string{"native", "sysfs"} {
			t.Run(c.name+"/"+abi, func(t *testing.T) {
				args := []string{"run"}
				if abi == "sysfs" {
					args = append(args, "--sysfs")
				}
				if c.limit != "" {
					args = append(args, "--guest-mem", c.limit)
				}
				_, errs, st := runCmd(append(args, app)...)
				if st != c.status {
					t.Errorf("status %d, want %d; stderr %q", st, c.status, errs)
				}
				switch {
				case c.stderr == "" && errs != "":
					t.Errorf("stderr %q, want none", errs)
				case c.stderr != "" && (!strings.HasPrefix(errs, "vfscope run: "+app+": ") || !strings.Contains(errs, c.stderr) || strings.Count(errs, "\n") != 1):
					t.Errorf("stderr %q, want one line of the app's error with %q", errs, c.stderr)
				}
			})
		}
	}
}
