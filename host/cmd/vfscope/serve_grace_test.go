package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestServeUntilFinishesDownloads: told to stop (^C, SIGTERM) while a
// page is still downloading a large file, vfscope serve answers that
// request to the end within the grace before it returns (and the
// process exits): only new requests are refused.
func TestServeUntilFinishesDownloads(t *testing.T) {
	const size = 4 << 20
	body := bytes.Repeat([]byte("vfscope."), size/8)
	started := make(chan struct{})
	handlerDone := make(chan struct{})
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		w.Header().Set("Content-Length", "4194304")
		close(started)
		for off := 0; off < size; off += 64 << 10 {
			if _, err := w.Write(body[off : off+64<<10]); err != nil {
				return
			}
			time.Sleep(5 * time.Millisecond) // about 0.3 s in all
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &http.Server{Handler: mux}
	returned := make(chan error, 1)
	go func() { returned <- serveUntil(ctx, srv, l, nil, 10*time.Second) }()

	res, err := http.Get("http://" + l.Addr().String() + "/assets/big.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	<-started
	cancel() // the signal, mid-download
	select {
	case err := <-returned:
		t.Fatalf("serveUntil returned (%v) while a download was in progress", err)
	case <-time.After(50 * time.Millisecond):
	}
	got, err := io.ReadAll(res.Body)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("download cut at %d of %d bytes: %v", len(got), size, err)
	}
	select {
	case err := <-returned:
		if err != nil {
			t.Errorf("serveUntil: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveUntil did not return after the download")
	}
	select {
	case <-handlerDone:
	default:
		t.Error("serveUntil returned before the handler finished")
	}
}
