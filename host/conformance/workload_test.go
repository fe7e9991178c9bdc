package conformance

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

var workloadArgs = flag.String("workload.args", "", "guests/workload flags for BenchmarkWorkload (default: the issue's 100 dirs x 100 files of 4 KiB)")

var (
	guestsOnce  sync.Once
	guestsErr   error
	guestCache  = map[string]*Guest{}
	sharedTools *Toolchain
)

// guest builds guests/NAME for wasip1 once per test binary.
func guest(tb testing.TB, name string) *Guest {
	tb.Helper()
	guestsOnce.Do(func() {
		tc, err := NewToolchain(".")
		if err != nil {
			guestsErr = err
			return
		}
		sharedTools = tc
		for _, n := range []string{"workload", "busybox"} {
			p, err := tc.Guest(context.Background(), n)
			if err != nil {
				guestsErr = err
				return
			}
			wasm, err := os.ReadFile(p)
			if err != nil {
				guestsErr = err
				return
			}
			guestCache[n] = NewGuest(wasm, filepath.Join(tc.Cache, "wazero"))
		}
	})
	if guestsErr != nil {
		tb.Skipf("skipping: cannot build the guests: %v", guestsErr)
	}
	return guestCache[name]
}

// newVFS boots a VFS whose lock validator must report nothing by the
// test's end. A benchmark's VFS has the validator only with
// VFSCOPE_LOCKDEP=1: it would weigh on the times compared with DirFS.
func newVFS(tb testing.TB) *vfs.Task {
	tb.Helper()
	_, bench := tb.(*testing.B)
	v, t, err := boot.New(vfs.Options{Lockdep: !bench})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if bench && v.Validator() == nil {
			return
		}
		for _, p := range ValidatorProblems(v) {
			tb.Errorf("%s", p)
		}
	})
	return t
}

// phases parses guests/workload's output: phase name to nanoseconds.
func phases(out string) (map[string]int64, error) {
	m := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != "ns" {
			return nil, fmt.Errorf("unexpected workload output line %q", line)
		}
		ns, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, err
		}
		m[f[0]] = ns
	}
	if _, ok := m["total"]; !ok {
		return nil, fmt.Errorf("no total in workload output %q", out)
	}
	return m, nil
}

// runWorkload runs guests/workload once on path and returns its phases.
func runWorkload(tb testing.TB, g *Guest, path Path, args ...string) map[string]int64 {
	tb.Helper()
	var t *vfs.Task
	dir := ""
	if path == DirFS {
		if why := shmTmpfs(); why != "" {
			tb.Skipf("skipping the DirFS peer: %s", why)
		}
		var err error
		if dir, err = os.MkdirTemp("/dev/shm", "vfscope-workload-"); err != nil {
			tb.Skipf("skipping the DirFS peer: %v", err)
		}
		defer os.RemoveAll(dir)
	} else {
		t = newVFS(tb)
	}
	var out, errOut bytes.Buffer
	argv := append([]string{"workload", "-root", "/tmp/workload"}, args...)
	code, err := g.Run(context.Background(), RunConfig{Path: path, Task: t, Dir: dir, Args: argv, Stdout: &out, Stderr: &errOut})
	if err != nil || code != 0 {
		tb.Fatalf("workload on %s: exit %d, %v\n%s%s", path, code, err, out.String(), errOut.String())
	}
	ph, err := phases(out.String())
	if err != nil {
		tb.Fatal(err)
	}
	return ph
}

// TestWorkloadGuest runs a small workload with its checks (stable,
// non-zero, distinct inode numbers; complete listings) on every path.
func TestWorkloadGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: compiles a wasm guest")
	}
	g := guest(t, "workload")
	for _, p := range []Path{Native, SysFS, DirFS} {
		t.Run(string(p), func(t *testing.T) {
			runWorkload(t, g, p, "-dirs", "4", "-files", "25", "-size", "5000", "-check")
		})
	}
}

// BenchmarkWorkload is the benchmark: guests/workload (a
// 10,000-file tree created, stat'ed, read and deleted) under wazero on
// vfscope through both WASI paths and on wazero's own DirFS over a
// directory of the host's tmpfs (/dev/shm), in the same run. It reports
// the guest's own phase timings (compilation is cached and excluded) and
// prints the ratios against the targets: native ABI at most 0.6x DirFS's
// time, host.SysFS at most 0.8x.
func BenchmarkWorkload(b *testing.B) {
	g := guest(b, "workload")
	var args []string
	if *workloadArgs != "" {
		args = strings.Fields(*workloadArgs)
	}
	results := map[Path]map[string]float64{}
	for _, p := range []Path{DirFS, Native, SysFS} {
		b.Run(string(p), func(b *testing.B) {
			runWorkload(b, g, p, "-dirs", "1", "-files", "1") // warm the compilation cache
			sum := map[string]float64{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k, v := range runWorkload(b, g, p, args...) {
					sum[k] += float64(v)
				}
			}
			b.StopTimer()
			for k := range sum {
				sum[k] /= float64(b.N)
			}
			for _, k := range []string{"create", "stat", "read", "delete"} {
				b.ReportMetric(sum[k]/1e6, k+"-ms")
			}
			b.ReportMetric(sum["total"]/1e6, "guest-ms")
			results[p] = sum
		})
	}
	printRatios(results)
}

func printRatios(results map[Path]map[string]float64) {
	base, ok := results[DirFS]
	if !ok || base["total"] == 0 {
		fmt.Printf("\n== workload: no DirFS result (skipped?), no ratios\n")
		return
	}
	fmt.Printf("\n== guests/workload under wazero, guest-measured time (GOOS=%s GOARCH=%s NumCPU=%d), ratio to DirFS over /dev/shm\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Printf("%-8s %10s %10s %10s %10s %10s %7s  %s\n", "path", "create", "stat", "read", "delete", "total", "ratio", "target")
	targets := map[Path]float64{Native: 0.6, SysFS: 0.8}
	for _, p := range []Path{DirFS, Native, SysFS} {
		r, ok := results[p]
		if !ok {
			continue
		}
		ms := func(k string) string {
			return (time.Duration(r[k]) * time.Nanosecond).Round(100 * time.Microsecond).String()
		}
		ratio := r["total"] / base["total"]
		verdict := ""
		if t, ok := targets[p]; ok {
			v := "HOLDS"
			if ratio > t {
				v = "FAILS"
			}
			verdict = fmt.Sprintf("<= %.1fx %s", t, v)
		}
		fmt.Printf("%-8s %10s %10s %10s %10s %10s %6.2fx  %s\n", p, ms("create"), ms("stat"), ms("read"), ms("delete"), ms("total"), ratio, verdict)
	}
}
