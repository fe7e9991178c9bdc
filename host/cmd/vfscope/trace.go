package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/trace"
)

// traceRing is the listener ring of --trace: large, since the writer
// goroutine competes with the guest for the CPU.
const traceRing = 1 << 16

// traceFile writes a VFS's events to a file as JSON lines (the schema
// line first) from its own goroutine, so that the VFS never waits for
// the file: events the writer could not keep up with are dropped and
// marked in the file by a "lost" event.
type traceFile struct {
	f    *os.File
	w    *trace.Writer
	l    *trace.Listener
	stop chan struct{}
	done sync.WaitGroup
	err  error // first write error, read after done
}

// startTrace creates path and starts writing v's events to it.
func startTrace(v *vfs.VFS, path string) (*traceFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	tf := &traceFile{f: f, w: trace.NewWriter(f), l: v.Subscribe(traceRing), stop: make(chan struct{})}
	tf.done.Add(1)
	go tf.run()
	return tf, nil
}

func (tf *traceFile) run() {
	defer tf.done.Done()
	buf := make([]trace.Event, 1024)
	for {
		select {
		case <-tf.l.Ready():
			tf.drain(buf)
		case <-tf.stop:
			tf.drain(buf)
			return
		}
	}
}

// drain writes what is buffered.
func (tf *traceFile) drain(buf []trace.Event) {
	for {
		n := tf.l.Read(buf)
		if n == 0 {
			return
		}
		for i := range buf[:n] {
			if err := tf.w.Write(&buf[i]); err != nil && tf.err == nil {
				tf.err = err
			}
		}
	}
}

// finish stops listening, writes the rest, flushes and closes the file.
// It reports on stderr how many events were lost, if any, and any write
// error; it returns false on a write error.
func (tf *traceFile) finish(stderr io.Writer, path string) bool {
	tf.l.Close()
	close(tf.stop)
	tf.done.Wait()
	err := tf.err
	if ferr := tf.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := tf.f.Close(); err == nil {
		err = cerr
	}
	if n := tf.l.Lost(); n > 0 {
		fmt.Fprintf(stderr, "vfscope run: --trace %s: %d events lost (the writer fell behind)\n", path, n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "vfscope run: --trace %s: %v\n", path, err)
		return false
	}
	return true
}
