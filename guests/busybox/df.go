package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// dfMain is df(1) over /proc/mounts: one line per mount, or for the mount
// holding each FILE operand. WASI preview1 has no statfs, so under WASI the
// size columns show "-" (as coreutils df does for a filesystem without
// sizes); built for Linux the guest's tests see the same, by design (the
// guest reads nothing but files).
func dfMain(p *proc, args []string) int {
	f, ok := flagsOrUsage(p, args, "akPh", "")
	if !ok {
		return 1
	}
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		p.errorf("cannot read table of mounted file systems: %s", strerror(err))
		return 1
	}
	type mount struct{ src, dir, typ string }
	var mounts []mount
	for _, line := range strings.Split(string(data), "\n") {
		fl := strings.Fields(line)
		if len(fl) < 3 {
			continue
		}
		mounts = append(mounts, mount{unoctal(fl[0]), unoctal(fl[1]), fl[2]})
	}
	show := mounts
	if len(f.operands) > 0 {
		show = nil
		for _, name := range f.operands {
			if _, err := os.Stat(name); err != nil {
				p.errorf("%s: %s", name, strerror(err))
				continue
			}
			abs, err := filepath.Abs(name)
			if err != nil {
				p.errorf("%s: %s", name, strerror(err))
				continue
			}
			// The last mount whose directory holds the file is the one on
			// top.
			best := -1
			for i, m := range mounts {
				if abs == m.dir || m.dir == "/" || strings.HasPrefix(abs, m.dir+"/") {
					if best < 0 || len(m.dir) >= len(mounts[best].dir) {
						best = i
					}
				}
			}
			if best >= 0 {
				show = append(show, mounts[best])
			}
		}
	} else if !f.set['a'] {
		// Like df without -a: one line per mount point, the top one.
		seen := map[string]int{}
		var dedup []mount
		for _, m := range mounts {
			if i, ok := seen[m.dir]; ok {
				dedup[i] = m
				continue
			}
			seen[m.dir] = len(dedup)
			dedup = append(dedup, m)
		}
		show = dedup
	}
	srcW := len("Filesystem")
	for _, m := range show {
		srcW = max(srcW, len(m.src))
	}
	fmt.Fprintf(p.stdout, "%-*s %9s %4s %9s %4s %s\n", srcW, "Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted on")
	for _, m := range show {
		fmt.Fprintf(p.stdout, "%-*s %9s %4s %9s %4s %s\n", srcW, m.src, "-", "-", "-", "-", m.dir)
	}
	return 0
}

// unoctal undoes /proc/mounts' escapes (\040 for a space).
func unoctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			v := 0
			okd := true
			for _, c := range s[i+1 : i+4] {
				if c < '0' || c > '7' {
					okd = false
					break
				}
				v = v*8 + int(c-'0')
			}
			if okd {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
