package kubeadm

import (
	"context"
	"fmt"

	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

type role int

const (
	controlPlane role = iota
	worker
)

func (r role) String() string {
	if r == controlPlane {
		return "control plane"
	}
	return "worker"
}

// host is one machine of the cluster: where it is, what it is for, the
// connection to it once the connect phase made one, and what the facts
// phase found on it.
type host struct {
	addr  string // as written in the block, "10.0.0.10" or "10.0.0.10:2222"
	role  role
	first bool // the first control-plane host listed

	client *sshx.Client
	facts  *facts
}

// String names the host as errors and progress show it: its address, and
// its hostname once known.
func (h *host) String() string {
	if h.facts != nil && h.facts.hostname != "" && h.facts.hostname != hostOnly(h.addr) {
		return fmt.Sprintf("%s (%s)", h.addr, h.facts.hostname)
	}
	return h.addr
}

// run runs argv as root on the host.
func (h *host) run(ctx context.Context, argv []string, opts ...sshx.RunOption) (string, error) {
	out, _, _, err := h.client.Run(ctx, sshx.Command(argv...), opts...)
	return out, err
}

// script runs shell text as root on the host.
func (h *host) script(ctx context.Context, text string, opts ...sshx.RunOption) (string, error) {
	out, _, _, err := h.client.Run(ctx, text, opts...)
	return out, err
}

func (h *host) close() {
	if h.client != nil {
		h.client.Close()
		h.client = nil
	}
}
