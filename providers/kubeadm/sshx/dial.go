package sshx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Dial connects and logs into the host (through the bastion if one is
// configured), checking host keys at every hop.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	log, err := openHostLog(s.logFile)
	if err != nil {
		return nil, err
	}
	c := &Client{s: s, log: log, done: make(chan struct{})}
	if s.bastion != nil {
		c.bastion, err = dialHop(ctx, s, *s.bastion, nil, log)
		if err != nil {
			log.event("connect to %s failed at bastion: %v", s.target, err)
			log.close()
			return nil, err
		}
	}
	c.conn, err = dialHop(ctx, s, s.target, c.bastion, log)
	if err != nil {
		log.event("connect to %s failed: %v", s.target, err)
		c.closeTransport()
		log.close()
		return nil, err
	}
	if s.keepAlive > 0 {
		go keepAlive(c.conn, s.keepAlive, c.done)
		if c.bastion != nil {
			go keepAlive(c.bastion, s.keepAlive, c.done)
		}
	}
	if err := c.detectRoot(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dialHop makes one SSH connection: directly, or as a channel through via.
// ConnectTimeout bounds the TCP connect and the handshake together.
func dialHop(ctx context.Context, s *settings, e endpoint, via *ssh.Client, log *hostLog) (*ssh.Client, error) {
	creds, err := loadCredentials(e)
	if err != nil {
		return nil, err
	}
	defer creds.Close() // the agent is only needed to log in
	checker, algos, err := newHostKeyChecker(s.knownHosts, s.tofu, e.addr())
	if err != nil {
		return nil, err
	}
	config := &ssh.ClientConfig{
		User:              e.user,
		Auth:              creds.methods,
		HostKeyCallback:   checker.check,
		HostKeyAlgorithms: algos,
		Timeout:           s.connectTimeout,
	}
	viaName := ""
	if via != nil {
		viaName = s.bastion.String()
	}
	hopCtx, cancel := context.WithTimeout(ctx, s.connectTimeout)
	defer cancel()

	var conn net.Conn
	if via == nil {
		conn, err = (&net.Dialer{}).DialContext(hopCtx, "tcp", e.addr())
	} else {
		conn, err = via.DialContext(hopCtx, "tcp", e.addr())
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh %s: %w", e, ctx.Err())
		}
		return nil, &UnreachableError{Addr: e.addr(), Via: viaName, Err: err}
	}
	// x/crypto has no handshake deadline (and a channel through a bastion
	// has no SetDeadline), so closing the connection is what stops a
	// handshake that hangs.
	stop := context.AfterFunc(hopCtx, func() { conn.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(conn, e.addr(), config)
	if !stop() {
		if err == nil {
			sc.Close()
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh %s: %w", e, ctx.Err())
		}
		return nil, &UnreachableError{Addr: e.addr(), Via: viaName,
			Err: fmt.Errorf("connected, but no SSH handshake within %s", s.connectTimeout)}
	}
	if err != nil {
		conn.Close()
		return nil, classifyHandshake(e, viaName, creds, err)
	}
	how := "known host key"
	if checker.trusted {
		how = "host key trusted on first use and recorded in " + s.knownHosts
	}
	through := ""
	if via != nil {
		through = " via bastion " + viaName
	}
	log.event("connected to %s%s (%s %s, %s)", e, through, checker.accepted.Type(), ssh.FingerprintSHA256(checker.accepted), how)
	return ssh.NewClient(sc, chans, reqs), nil
}

// classifyHandshake turns handshake failures into the typed errors. x/crypto
// reports an authentication failure only as text, hence the match.
func classifyHandshake(e endpoint, via string, creds *credentials, err error) error {
	var (
		unknown *UnknownHostKeyError
		changed *HostKeyChangedError
		revoked *RevokedHostKeyError
	)
	switch {
	case errors.As(err, &unknown):
		return unknown
	case errors.As(err, &changed):
		return changed
	case errors.As(err, &revoked):
		return revoked
	case strings.Contains(err.Error(), "unable to authenticate"):
		return &AuthError{Addr: e.addr(), User: e.user, Tried: creds.tried, Err: err}
	}
	if via != "" {
		return fmt.Errorf("ssh %s via bastion %s: %w", e, via, err)
	}
	return fmt.Errorf("ssh %s: %w", e, err)
}
