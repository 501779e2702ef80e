package fakegke

import (
	"context"
	"io"
	"net"
	"sync"
)

// endpointProxy stands between clients and the backing cluster's API server:
// it is the address the fake reports as a cluster's endpoint. It forwards
// TCP byte for byte (TLS goes end to end, so the backing cluster's CA still
// verifies), and the fake can cut it to make the "GKE control plane"
// unreachable while the real API server behind it, shared with other tests,
// keeps running.
type endpointProxy struct {
	lis     net.Listener
	backing string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func startProxy(ctx context.Context, backing string) (*endpointProxy, error) {
	lis, err := listenLoopback(ctx, "")
	if err != nil {
		return nil, err
	}
	p := &endpointProxy{lis: lis, backing: backing, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p, nil
}

func (p *endpointProxy) addr() string { return p.lis.Addr().String() }

func (p *endpointProxy) close() { _ = p.lis.Close(); p.setCut(true) }

// setCut makes the endpoint refuse service (true) or serve again (false).
// Cutting also drops every open connection, as a control plane that goes
// away for an upgrade does.
func (p *endpointProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			_ = c.Close()
		}
		clear(p.conns)
	}
}

func (p *endpointProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *endpointProxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

func (p *endpointProxy) serve() {
	for {
		c, err := p.lis.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

// forward copies one client connection to the backing API server. While the
// endpoint is cut a connection is closed at once: the client sees a reset
// or EOF, as from a master that is being replaced.
func (p *endpointProxy) forward(c net.Conn) {
	if !p.track(c) {
		_ = c.Close()
		return
	}
	defer p.untrack(c)
	b, err := net.Dial("tcp", p.backing)
	if err != nil {
		_ = c.Close()
		return
	}
	if !p.track(b) {
		_ = b.Close()
		_ = c.Close()
		return
	}
	defer p.untrack(b)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go pipe(b, c)
	go pipe(c, b)
	<-done
	<-done
}
