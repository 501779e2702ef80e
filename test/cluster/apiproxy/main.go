// Command apiproxy relays the test cluster's own components (kubelet,
// controller-manager, scheduler) to kube-apiserver, and holds their new
// connections while the API server is away or not yet ready.
//
// Tests restart kube-apiserver on purpose. Talking to it directly, each
// component's informers would see connection refused, then "forbidden" while
// the new server's RBAC caches fill, and back off exponentially: the node
// and controllers could take a minute to notice the server is back. Held
// here, a connection goes through as soon as /readyz says ok. Clients of the
// cluster (tests, podlab) still talk to kube-apiserver directly and see it
// stop and start as it does. k3s runs a similar client-side relay for its
// agents. TLS is not terminated: the bytes pass through unchanged.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:6442", "address the components connect to")
	backend := flag.String("backend", "127.0.0.1:6443", "kube-apiserver address")
	caFile := flag.String("ca", "", "CA that signed kube-apiserver's serving certificate")
	hold := flag.Duration("hold", 2*time.Minute, "longest a connection waits for the API server")
	flag.Parse()
	if err := run(*listen, *backend, *caFile, *hold); err != nil {
		log.Fatalf("apiproxy: %v", err)
	}
}

func run(listen, backend, caFile string, hold time.Duration) error {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return fmt.Errorf("read CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return fmt.Errorf("no certificate in %s", caFile)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	p := &proxy{backend: backend, hold: hold}
	go p.watchReadiness(ctx, &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	})
	log.Printf("relaying %s to %s", listen, backend)
	return p.serve(ctx, ln)
}

type proxy struct {
	backend string
	hold    time.Duration
	ready   atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// watchReadiness keeps p.ready in step with the API server's /readyz, which
// turns ok only after its informers (RBAC's among them) have synced.
func (p *proxy) watchReadiness(ctx context.Context, client *http.Client) {
	url := "https://" + p.backend + "/readyz"
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		ok := false
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			if resp, err := client.Do(req); err == nil {
				ok = resp.StatusCode == http.StatusOK
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		if p.ready.Swap(ok) != ok {
			log.Printf("kube-apiserver ready: %v", ok)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *proxy) serve(ctx context.Context, ln net.Listener) error {
	p.conns = map[net.Conn]struct{}{}
	go func() {
		<-ctx.Done()
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for c := range p.conns {
			c.Close()
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		go p.relay(ctx, c)
	}
}

func (p *proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *proxy) relay(ctx context.Context, client net.Conn) {
	p.track(client, true)
	defer p.track(client, false)
	defer client.Close()
	server, err := p.dialWhenReady(ctx)
	if err != nil {
		log.Printf("dropping connection from %s: %v", client.RemoteAddr(), err)
		return
	}
	p.track(server, true)
	defer p.track(server, false)
	defer server.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Pass the half-close on, so each side sees the other finish.
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	// One side is finished; give the other a moment to drain, then cut it.
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

func (p *proxy) dialWhenReady(ctx context.Context) (net.Conn, error) {
	deadline := time.Now().Add(p.hold)
	for {
		if p.ready.Load() {
			c, err := net.DialTimeout("tcp", p.backend, 2*time.Second)
			if err == nil {
				return c, nil
			}
			// Died since the last check; wait for it to come back.
			p.ready.Store(false)
		}
		if time.Now().After(deadline) {
			return nil, errors.New("kube-apiserver not ready in time")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
