// Package kubeadm is the provider for on-prem clusters that podlab builds
// with kubeadm on hosts it reaches over SSH.
package kubeadm

import (
	"context"
	"errors"
	"fmt"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// Provider builds, connects to and resets one kubeadm cluster.
type Provider struct {
	Name string
	Cfg  config.Kubeadm
}

// New returns the provider for a kubeadm cluster block.
func New(name string, cfg *config.Kubeadm) *Provider {
	return &Provider{Name: name, Cfg: *cfg}
}

var errLater = errors.New("the kubeadm provider is not built yet: it arrives with the on-prem issue (#7)")

// Plan says whether the cluster will be built.
func (p *Provider) Plan(_ context.Context, prior *state.Cluster, _ bool) (*plan.ClusterChange, error) {
	ch := &plan.ClusterChange{Name: p.Name, Kind: config.KindKubeadm, Attributes: describe(&p.Cfg), Title: fmt.Sprintf("kubeadm cluster on %d host(s)", len(p.Cfg.ControlPlane)+len(p.Cfg.Workers))}
	if prior != nil && prior.Status == state.ClusterReady {
		ch.Action = plan.NoOp
	} else {
		ch.Action = plan.Create
		ch.Reason = "kubeadm init on the first control-plane host, then join the workers (an existing cluster is adopted)"
	}
	return ch, nil
}

// Connect is not built yet.
func (p *Provider) Connect(context.Context, *state.Cluster) (*providers.Connection, error) {
	return nil, errLater
}

// Ensure is not built yet.
func (p *Provider) Ensure(context.Context, *state.Cluster, providers.Recorder, providers.Progress) (*providers.Connection, error) {
	return nil, errLater
}

// Destroy is not built yet.
func (p *Provider) Destroy(context.Context, *state.Cluster, providers.Recorder, providers.Progress) error {
	return errLater
}
