package sshx

import (
	"context"
	"errors"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Client is a logged-in connection to one host. It is safe for concurrent
// use: each command runs in its own SSH session.
type Client struct {
	s       *settings
	conn    *ssh.Client
	bastion *ssh.Client // nil without a bastion
	log     *hostLog
	root    bool // the login user is root: no sudo

	done      chan struct{}
	closeOnce sync.Once
}

// Host is the host as configured (name or address).
func (c *Client) Host() string { return c.s.target.host }

// User is the login user.
func (c *Client) User() string { return c.s.target.user }

// IsRoot tells whether the login user is root, i.e. commands run without sudo.
func (c *Client) IsRoot() bool { return c.root }

// String is user@host:port.
func (c *Client) String() string { return c.s.target.String() }

// Close ends the connection (and the bastion's) and closes the log.
func (c *Client) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		err = c.closeTransport()
		c.log.event("disconnected from %s", c.s.target)
		c.log.close()
	})
	return err
}

func (c *Client) closeTransport() error {
	var errs []error
	if c.conn != nil {
		errs = append(errs, ignoreClosed(c.conn.Close()))
	}
	if c.bastion != nil {
		errs = append(errs, ignoreClosed(c.bastion.Close()))
	}
	return errors.Join(errs...)
}

func ignoreClosed(err error) error {
	if err != nil && strings.Contains(err.Error(), "use of closed network connection") {
		return nil
	}
	return err
}

// detectRoot asks the host who the login user is, since a uid-0 account need
// not be called root. Without this, such a user would be run through sudo,
// which may not even be installed.
func (c *Client) detectRoot(ctx context.Context) error {
	if c.s.target.user == "root" {
		c.root = true
		return nil
	}
	out, _, _, err := c.Run(ctx, "id -u", AsLoginUser())
	if err != nil {
		return err
	}
	c.root = strings.TrimSpace(out) == "0"
	return nil
}

// Note writes a line of the caller's into the host log, such as which
// step the commands that follow belong to.
func (c *Client) Note(msg string) { c.log.event("%s", msg) }
