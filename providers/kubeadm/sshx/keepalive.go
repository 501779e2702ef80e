package sshx

import (
	"time"

	"golang.org/x/crypto/ssh"
)

// keepAlive sends an OpenSSH keepalive request every interval, so that a host
// that vanished (powered off, network gone) turns into an error on the next
// command instead of a command that waits forever. A request that gets no
// answer within a whole interval closes the connection.
func keepAlive(c *ssh.Client, every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		answered := make(chan error, 1)
		go func() {
			// OpenSSH answers unknown global requests with a failure
			// message, which is still an answer.
			_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		select {
		case err := <-answered:
			if err != nil {
				c.Close()
				return
			}
		case <-time.After(every):
			c.Close()
			return
		case <-done:
			return
		}
	}
}
