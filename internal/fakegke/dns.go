package fakegke

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// GKE's DNS-based endpoint (control_plane_endpoints_config.dns_endpoint_config
// in cluster_service.proto; GKE's documentation "About network isolation",
// DNS-based endpoint) is a host name, gke-....REGION.gke.goog, served on port
// 443 by Google's front end with a publicly trusted certificate: clients
// verify it with their system's roots, not the cluster CA, and reach it from
// anywhere, through HTTPS proxies too.
//
// A test can neither make that name resolve nor get a publicly trusted
// certificate for it, so the fake serves it as a client behind an HTTPS
// proxy reaches it: the fake runs that proxy (DNSProxyURL, CONNECT to a
// cluster's DNS endpoint on port 443 only), terminates TLS there with a
// certificate for the name from a CA of its own (WriteDNSRoots, to make it
// the client's system roots with SSL_CERT_FILE), records the server name
// each client asked for (DNSHandshakes), and sends the bytes on through the
// public endpoint's proxy (so a control-plane upgrade cuts it too) to the
// backing API server, over TLS again. What this cannot show: the name's
// resolution (the proxy is given the name), and Google's own front end
// (its certificate chain, its IAM check of container.clusters.connect).
type dnsFront struct {
	lis    net.Listener
	server *http.Server
	caPEM  []byte
	ca     *x509.Certificate
	caKey  crypto.Signer
	// known reports whether a host name is a cluster's DNS endpoint.
	known func(host string) bool
	// dial reaches the backing API server, TLS included.
	dial func() (net.Conn, error)

	mu         sync.Mutex
	certs      map[string]*tls.Certificate
	handshakes []string // the server name of each completed handshake
}

func startDNSFront(ctx context.Context, known func(string) bool, dial func() (net.Conn, error)) (*dnsFront, error) {
	lis, err := listenLoopback(ctx, "")
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		_ = lis.Close()
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fakegke public root (stands in for a publicly trusted CA)"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		_ = lis.Close()
		return nil, err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		_ = lis.Close()
		return nil, err
	}
	f := &dnsFront{
		lis: lis, ca: ca, caKey: key, known: known, dial: dial,
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		certs: map[string]*tls.Certificate{},
	}
	f.server = &http.Server{Handler: http.HandlerFunc(f.connect), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.server.Serve(lis) }()
	return f, nil
}

func (f *dnsFront) close() { _ = f.server.Close() }

func (f *dnsFront) proxyURL() string { return "http://" + f.lis.Addr().String() }

// connect serves one CONNECT: only to a cluster's DNS endpoint, port 443.
func (f *dnsFront) connect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "fakegke: this is an HTTPS proxy for the DNS endpoints of the fake's clusters: CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil || port != "443" || !f.known(host) {
		http.Error(w, fmt.Sprintf("fakegke: %s is not the DNS endpoint of a cluster (host:443)", r.Host), http.StatusForbidden)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "fakegke: cannot hijack", http.StatusInternalServerError)
		return
	}
	c, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		_ = c.Close()
		return
	}
	go f.serveTLS(&bufferedConn{Conn: c, r: rw.Reader}, host)
}

// serveTLS terminates the client's TLS as the DNS endpoint does and sends
// the bytes on to the backing API server.
func (f *dnsFront) serveTLS(c net.Conn, host string) {
	defer c.Close()
	tc := tls.Server(c, &tls.Config{
		// HTTP/1.1 only: the bytes are relayed to a second TLS connection,
		// whose protocol must be the same.
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			// A front end has no certificate for a name it does not serve;
			// the CONNECT target says nothing about the TLS server name.
			if hello.ServerName != host {
				return nil, fmt.Errorf("fakegke: no certificate for server name %q at %s", hello.ServerName, host)
			}
			return f.cert(host)
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		return
	}
	f.mu.Lock()
	f.handshakes = append(f.handshakes, tc.ConnectionState().ServerName)
	f.mu.Unlock()
	b, err := f.dial()
	if err != nil {
		return
	}
	defer b.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go pipe(b, tc)
	go pipe(tc, b)
	<-done
	<-done
}

// cert is the certificate for a DNS endpoint, signed by the fake's root.
func (f *dnsFront) cert(host string) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.certs[host]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.ca, key.Public(), f.caKey)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	f.certs[host] = c
	return c, nil
}

// bufferedConn reads what the HTTP server buffered before the hijack first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// dialBacking reaches the backing API server through the public endpoint's
// proxy, over TLS verified with the backing cluster's CA.
func (s *Server) dialBacking() (net.Conn, error) {
	host, _, err := net.SplitHostPort(s.opts.Backing.Endpoint)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(s.opts.Backing.CAPEM) {
		return nil, errors.New("fakegke: the backing cluster has no CA")
	}
	c, err := net.DialTimeout("tcp", s.public.addr(), 10*time.Second)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(c, &tls.Config{RootCAs: roots, ServerName: host, NextProtos: []string{"http/1.1"}})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return tc, nil
}

// isDNSEndpoint reports whether host is the DNS endpoint of a cluster.
func (s *Server) isDNSEndpoint(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.clusters {
		if e := c.pb.GetControlPlaneEndpointsConfig().GetDnsEndpointConfig().GetEndpoint(); e != "" && e == host {
			return true
		}
	}
	return false
}

// DNSProxyURL is the HTTPS proxy (for HTTPS_PROXY) through which clients
// reach the clusters' DNS-based endpoints; empty without a backing cluster.
func (s *Server) DNSProxyURL() string {
	if s.dns == nil {
		return ""
	}
	return s.dns.proxyURL()
}

// WriteDNSRoots writes the PEM certificate of the CA that signs the DNS
// endpoints' certificates to dir and returns its path, for SSL_CERT_FILE:
// it stands in for the public roots that trust GKE's.
func (s *Server) WriteDNSRoots(dir string) (string, error) {
	if s.dns == nil {
		return "", errors.New("fakegke: no DNS endpoint without a backing cluster")
	}
	path := filepath.Join(dir, "fakegke-public-roots.pem")
	return path, os.WriteFile(path, s.dns.caPEM, 0o644)
}

// DNSHandshakes lists the TLS server name of every connection made to a DNS
// endpoint, in order.
func (s *Server) DNSHandshakes() []string {
	if s.dns == nil {
		return nil
	}
	s.dns.mu.Lock()
	defer s.dns.mu.Unlock()
	return append([]string(nil), s.dns.handshakes...)
}
