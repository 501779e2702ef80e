package kubeadm

import (
	"context"
)

// resetNodes runs kubeadm reset -f on the hosts of one role: workers
// first (all at once), then control-plane hosts one at a time, the one
// kubeadm init ran on last, so etcd loses its members in order.
type resetNodes struct{ role role }

func (resetNodes) name() string { return "reset" }

func (p resetNodes) hosts(c *cluster) []*host {
	if p.role == worker {
		return c.byRole(worker)
	}
	first := c.initHost()
	var out []*host
	for _, h := range c.byRole(controlPlane) {
		if h != first {
			out = append(out, h)
		}
	}
	return append(out, first)
}

func (p resetNodes) oneAtATime() {}

func (resetNodes) run(ctx context.Context, c *cluster, h *host) error {
	if !h.facts.leftovers() && !h.facts.initialised() {
		c.logf("reset on %s: kubeadm has left nothing there", h)
		return nil
	}
	return kubeadmReset(ctx, c, h)
}
