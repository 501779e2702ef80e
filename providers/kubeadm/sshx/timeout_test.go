package sshx

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// silentServer accepts TCP connections on loopback and never speaks, like a
// host whose sshd hangs or a port forwarded into nothing.
func silentServer(t *testing.T) (host string, port int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	h, p, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(p)
	return h, n
}

func TestHandshakeTimeout(t *testing.T) {
	host, port := silentServer(t)
	cfg := Config{
		Host: host, Port: port, User: "u", PrivateKeyFile: testKeyFile(t),
		KnownHostsFile: filepath.Join(t.TempDir(), "kh"), ConnectTimeout: 200 * time.Millisecond,
	}
	_, err := Dial(context.Background(), cfg)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no SSH handshake within 200ms") {
		t.Fatalf("err = %v, want *UnreachableError about the handshake", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg.ConnectTimeout = time.Hour
	if _, err := Dial(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled dial: err = %v, want context.Canceled", err)
	}
}
