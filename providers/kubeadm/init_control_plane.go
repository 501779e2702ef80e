package kubeadm

import (
	"context"
	"fmt"

	"github.com/podlab/podlab/state"
)

const kubeadmConfigFile = podlabRemoteDir + "/kubeadm.yaml"

// initControlPlane runs kubeadm init with the generated configuration on
// the first control-plane host, unless a control-plane host already has a
// cluster: that one is adopted. Leftovers of an init podlab began but did
// not finish are reset first, since kubeadm refuses to init over them.
type initControlPlane struct{}

func (initControlPlane) name() string { return "init" }

func (initControlPlane) hosts(c *cluster) []*host { return []*host{c.initHost()} }

func (initControlPlane) done(c *cluster, h *host) (bool, string) {
	switch {
	case !h.facts.initialised():
		return false, ""
	case c.recorded(h, "init"):
		return true, ""
	case c.created:
		// podlab began an init here and did not see it finish: the
		// cluster may be half made, so it is reset and made again.
		return false, ""
	}
	return true, "found an existing cluster (" + adminConf + "): adopting it, so destroy will leave it alone"
}

func (initControlPlane) run(ctx context.Context, c *cluster, h *host) error {
	cfg, err := kubeadmConfig(c.spec, h)
	if err != nil {
		return err
	}
	// From here on podlab has changed the host: destroy must reset it
	// even if init fails half-way.
	if err := c.update(func(sc *state.Cluster) { sc.Created = true }); err != nil {
		return err
	}
	c.created = true
	if h.facts.leftovers() {
		c.logf("init on %s: resetting what an unfinished kubeadm run left there", h)
		if err := kubeadmReset(ctx, c, h); err != nil {
			return err
		}
	}
	if err := h.client.WriteFile(ctx, kubeadmConfigFile, cfg, 0o600); err != nil {
		return err
	}
	argv := []string{"kubeadm", "init", "--config", kubeadmConfigFile, "--skip-token-print"}
	if len(c.spec.controlPlanes) > 1 {
		argv = append(argv, "--upload-certs")
	}
	argv = append(argv, c.spec.preflightFlags()...)
	if _, err := h.run(ctx, argv); err != nil {
		return err
	}
	c.initRan = true
	h.facts.files[adminConf] = true
	// A new cluster: whatever later phases did for an earlier one
	// (a CNI applied, nodes joined and waited for) must be done again.
	return c.forget(nil, "cni", "join", "ready")
}

// kubeadmReset undoes what kubeadm init or join did on the host.
func kubeadmReset(ctx context.Context, c *cluster, h *host) error {
	if _, err := h.run(ctx, []string{"kubeadm", "reset", "-f", "--cri-socket", c.spec.criSocket}); err != nil {
		return fmt.Errorf("kubeadm reset: %w", err)
	}
	return nil
}
