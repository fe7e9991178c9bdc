package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestShSIGPIPE: a write of vfscope sh to a standard output whose reader
// has gone raises SIGPIPE, which ends the session as SIGTERM does: the
// billyfs stores are written back and vfscope exits with 141 (128 plus
// SIGPIPE), as a shell reports a writer the signal killed, instead of
// dying of the Go runtime's default with the stores unwritten.
func TestShSIGPIPE(t *testing.T) {
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], "sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+dir+" none /mnt; "+
		"echo kept > /mnt/f; echo started; cat /dev/zero; echo not reached > /mnt/f")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	line, err := bufio.NewReader(r).ReadString('\n')
	if line != "started\n" {
		cmd.Process.Kill()
		t.Fatalf("stdout %q, %v; want \"started\\n\"; stderr %q", line, err, stderr.String())
	}
	r.Close() // the reader goes: the next write is EPIPE and SIGPIPE
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("vfscope did not stop at SIGPIPE; stderr %q", stderr.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 141 {
		t.Errorf("vfscope: %v, want exit status 141; stderr %q", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr %q: an interrupt after the handler stopped", stderr.String())
	}
	out, errOut, st := runCmd("sh", "-c", "mkdir /mnt; mount -t billyfs -o store=os:"+dir+" none /mnt; cat /mnt/f")
	if st != 0 || out != "kept\n" || errOut != "" {
		t.Errorf("the store after SIGPIPE: status %d, stdout %q, stderr %q; want \"kept\\n\"", st, out, errOut)
	}
}
