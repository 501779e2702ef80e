package kubeadm

import (
	"context"
)

// resetWorkers runs kubeadm reset -f on every worker at once;
// resetControlPlanes then resets the control-plane hosts one at a time,
// the one kubeadm init ran on last, so etcd loses its members in order.
// A host where kubeadm left nothing is only recorded.
type (
	resetWorkers       struct{}
	resetControlPlanes struct{}
)

func (resetWorkers) name() string             { return "reset" }
func (resetWorkers) hosts(c *cluster) []*host { return c.byRole(worker) }
func (resetWorkers) run(ctx context.Context, c *cluster, h *host) error {
	return resetHost(ctx, c, h)
}

func (resetControlPlanes) name() string { return "reset" }
func (resetControlPlanes) oneAtATime()  {}
func (resetControlPlanes) hosts(c *cluster) []*host {
	first := c.initHost()
	var out []*host
	for _, h := range c.byRole(controlPlane) {
		if h != first {
			out = append(out, h)
		}
	}
	return append(out, first)
}
func (resetControlPlanes) run(ctx context.Context, c *cluster, h *host) error {
	return resetHost(ctx, c, h)
}

func resetHost(ctx context.Context, c *cluster, h *host) error {
	if !h.facts.leftovers() && !h.facts.initialised() {
		c.logf("reset on %s: kubeadm has left nothing there", h)
		return nil
	}
	return kubeadmReset(ctx, c, h)
}
