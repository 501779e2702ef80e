package kubeadm

import (
	"context"

	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// connect logs into each host over SSH (through the bastion, if any),
// checking its host key, and makes sure commands can run as root: a sudo
// that wants a password fails here, before anything changed.
type connect struct{}

func (connect) name() string             { return "connect" }
func (connect) hosts(c *cluster) []*host { return c.hosts }
func (connect) everyTime()               {}

func (connect) run(ctx context.Context, c *cluster, h *host) error {
	if h.client != nil {
		return nil
	}
	cl, err := sshx.Dial(ctx, c.spec.sshConfig(h.addr))
	if err != nil {
		return err
	}
	if !cl.IsRoot() {
		if _, _, _, err := cl.Run(ctx, "true"); err != nil {
			cl.Close()
			return err
		}
	}
	h.client = cl
	return nil
}
