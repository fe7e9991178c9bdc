package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// ddMain is dd(1) with if=, of=, bs=, ibs=, obs=, count=, skip=, seek=,
// conv=notrunc,fsync,fdatasync and status=none|noxfer. Like coreutils it
// reads one block per read and, with bs=, writes each block as read; it
// truncates of= at the seek offset unless conv=notrunc, and reports the
// records and bytes on standard error.
func ddMain(p *proc, args []string) int {
	var (
		in, out              = "", ""
		ibs, obs       int64 = 512, 512
		count                = int64(-1)
		skip, seek     int64
		notrunc, fsync bool
		status         = ""
	)
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return p.usage(1, "unrecognized operand '%s'", a)
		}
		var num *int64
		switch k {
		case "if":
			in = v
		case "of":
			out = v
		case "bs":
			n, err := ddNumber(v)
			if err != nil || n <= 0 {
				p.errorf("invalid number: '%s'", v)
				return 1
			}
			ibs, obs = n, n
		case "ibs":
			num = &ibs
		case "obs":
			num = &obs
		case "count":
			num = &count
		case "skip", "iseek":
			num = &skip
		case "seek", "oseek":
			num = &seek
		case "conv":
			for _, c := range strings.Split(v, ",") {
				switch c {
				case "notrunc":
					notrunc = true
				case "fsync", "fdatasync":
					fsync = true
				case "":
				default:
					p.errorf("invalid conversion: '%s'", c)
					return 1
				}
			}
		case "status":
			switch v {
			case "none", "noxfer", "progress":
				status = v
			default:
				p.errorf("invalid status level: '%s'", v)
				return 1
			}
		default:
			return p.usage(1, "unrecognized operand '%s'", a)
		}
		if num != nil {
			n, err := ddNumber(v)
			if err != nil || n < 0 || (n == 0 && (num == &ibs || num == &obs)) {
				p.errorf("invalid number: '%s'", v)
				return 1
			}
			*num = n
		}
	}

	var r io.Reader = p.stdin
	inName := "standard input"
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			p.errorf("failed to open '%s': %s", in, strerror(err))
			return 1
		}
		defer f.Close()
		r, inName = f, "'"+in+"'"
	}
	var w io.Writer = p.stdout
	outName := "standard output"
	var outFile *os.File
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE, 0o666)
		if err != nil {
			p.errorf("failed to open '%s': %s", out, strerror(err))
			return 1
		}
		defer f.Close()
		w, outName, outFile = f, "'"+out+"'", f
		if !notrunc {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				if err := f.Truncate(seek * obs); err != nil {
					p.errorf("failed to truncate to %d bytes in output file '%s': %s", seek*obs, out, strerror(err))
					return 1
				}
			}
		}
		if seek > 0 {
			if _, err := f.Seek(seek*obs, io.SeekStart); err != nil {
				p.errorf("'%s': cannot seek: %s", out, strerror(err))
				return 1
			}
		}
	} else if seek > 0 {
		// Standard output that cannot seek: write zeros up to the offset
		// is what coreutils does for non-seekable outputs; keep it simple.
		if _, err := w.Write(make([]byte, seek*obs)); err != nil {
			p.errorf("error writing %s: %s", outName, strerror(err))
			return 1
		}
	}
	if skip > 0 {
		if s, ok := r.(io.Seeker); ok && in != "" {
			if _, err := s.Seek(skip*ibs, io.SeekStart); err != nil {
				p.errorf("%s: cannot skip: %s", inName, strerror(err))
				return 1
			}
		} else if _, err := io.CopyN(io.Discard, r, skip*ibs); err != nil && err != io.EOF {
			p.errorf("%s: cannot skip: %s", inName, strerror(err))
			return 1
		}
	}

	start := time.Now()
	var fullIn, partIn, fullOut, partOut, bytes int64
	buf := make([]byte, ibs)
	var pending []byte // obs-sized reblocking when ibs != obs
	flushBlock := func(b []byte) bool {
		n, err := w.Write(b)
		bytes += int64(n)
		if int64(n) == obs {
			fullOut++
		} else if n > 0 {
			partOut++
		}
		if err != nil {
			p.errorf("error writing %s: %s", outName, strerror(err))
			return false
		}
		return true
	}
	ok := true
	for count < 0 || fullIn+partIn < count {
		n, err := r.Read(buf)
		if n > 0 {
			if int64(n) == ibs {
				fullIn++
			} else {
				partIn++
			}
			if ibs == obs {
				if !flushBlock(buf[:n]) {
					ok = false
					break
				}
			} else {
				pending = append(pending, buf[:n]...)
				for int64(len(pending)) >= obs {
					if !flushBlock(pending[:obs]) {
						ok = false
						break
					}
					pending = pending[obs:]
				}
				if !ok {
					break
				}
			}
		}
		if err == io.EOF || (n == 0 && err == nil) {
			break
		}
		if err != nil {
			p.errorf("error reading %s: %s", inName, strerror(err))
			ok = false
			break
		}
	}
	if ok && len(pending) > 0 {
		ok = flushBlock(pending)
	}
	if ok && fsync && outFile != nil {
		if err := outFile.Sync(); err != nil {
			p.errorf("fsync failed for '%s': %s", out, strerror(err))
			ok = false
		}
	}
	if status != "none" {
		fmt.Fprintf(p.stderr, "%d+%d records in\n%d+%d records out\n", fullIn, partIn, fullOut, partOut)
		if status != "noxfer" {
			fmt.Fprintln(p.stderr, ddTransfer(bytes, time.Since(start)))
		}
	}
	if !ok {
		return 1
	}
	return 0
}

// ddTransfer is dd's last line: "4096 bytes (4.1 kB, 4.0 KiB) copied,
// 0.000102 s, 40.2 MB/s".
func ddTransfer(bytes int64, d time.Duration) string {
	var s string
	switch {
	case bytes == 1:
		s = "1 byte copied"
	case bytes < 1000:
		s = fmt.Sprintf("%d bytes copied", bytes)
	default:
		s = fmt.Sprintf("%d bytes (%s, %s) copied", bytes, human(float64(bytes), 1000), human(float64(bytes), 1024))
	}
	secs := d.Seconds()
	rate := "Infinity B"
	if secs > 0 {
		rate = human(float64(bytes)/secs, 1000)
		if r := float64(bytes) / secs; r < 1000 {
			rate = fmt.Sprintf("%.1f kB", r/1000)
		}
	}
	return fmt.Sprintf("%s, %g s, %s/s", s, secs, rate)
}

// human renders n with SI (base 1000) or IEC (base 1024) units, two or
// three significant digits, as coreutils' human_readable does for dd.
func human(n float64, base float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	if base == 1024 {
		units = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	}
	i := 0
	for n >= base && i < len(units)-1 {
		n /= base
		i++
	}
	if n < 10 && i > 0 {
		return fmt.Sprintf("%.1f %s", n, units[i])
	}
	return fmt.Sprintf("%.0f %s", n, units[i])
}

// ddNumber parses a dd size: digits with an optional multiplier suffix
// (c w b, kB=1000, K=KiB=1024, MB, M, GB, G...).
func ddNumber(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, err
	}
	mult := int64(1)
	suf := s[i:]
	switch suf {
	case "", "c":
	case "w":
		mult = 2
	case "b":
		mult = 512
	default:
		letters := "KMGTPE"
		up := strings.ToUpper(suf[:1])
		k := strings.Index(letters, up)
		if k < 0 {
			return 0, fmt.Errorf("invalid suffix")
		}
		base := int64(1024)
		switch suf[1:] {
		case "", "iB":
		case "B":
			base = 1000
		default:
			return 0, fmt.Errorf("invalid suffix")
		}
		for ; k >= 0; k-- {
			mult *= base
		}
	}
	return n * mult, nil
}
