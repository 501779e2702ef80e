package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// startProxy runs a proxy in front of a TLS backend whose /readyz answers
// 503 until ready is set, and returns a client for the backend's CA.
func startProxy(t *testing.T, hold time.Duration) (proxyAddr string, ready *atomic.Bool, client *http.Client) {
	t.Helper()
	ready = &atomic.Bool{}
	backend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && !ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "hello from the backend")
	}))
	t.Cleanup(backend.Close)
	pool := x509.NewCertPool()
	pool.AddCert(backend.Certificate())
	tlsClient := func() *http.Client {
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &proxy{backend: backend.Listener.Addr().String(), hold: hold}
	go p.watchReadiness(ctx, tlsClient())
	served := make(chan error, 1)
	go func() { served <- p.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String(), ready, tlsClient()
}

func TestHoldsConnectionsUntilReady(t *testing.T) {
	addr, ready, client := startProxy(t, time.Minute)
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := client.Get("https://" + addr + "/api")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	select {
	case r := <-got:
		t.Fatalf("request finished while the backend was not ready: %+v", r)
	case <-time.After(700 * time.Millisecond):
	}
	ready.Store(true)
	select {
	case r := <-got:
		if r.err != nil || r.body != "hello from the backend" {
			t.Fatalf("after ready: body %q, err %v", r.body, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("held request did not go through once the backend was ready")
	}
}

func TestDropsConnectionsAfterHold(t *testing.T) {
	addr, _, client := startProxy(t, 300*time.Millisecond)
	start := time.Now()
	if _, err := client.Get("https://" + addr + "/api"); err == nil {
		t.Fatal("request succeeded although the backend never became ready")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("connection dropped after %s, want about the 300ms hold", d)
	}
}
