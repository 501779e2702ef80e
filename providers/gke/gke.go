// Package gke is the provider for Google Kubernetes Engine clusters.
package gke

import (
	"context"
	"errors"
	"fmt"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// Provider creates, connects to and deletes one GKE cluster.
type Provider struct {
	Name string
	Cfg  config.GKE
}

// New returns the provider for a gke cluster block.
func New(name string, cfg *config.GKE) *Provider {
	return &Provider{Name: name, Cfg: *cfg}
}

var errLater = errors.New("the GKE provider is not built yet: it arrives with the GKE issue (#6)")

// Plan says whether the cluster will be created or adopted.
func (p *Provider) Plan(_ context.Context, prior *state.Cluster, _ bool) (*plan.ClusterChange, error) {
	ch := &plan.ClusterChange{Name: p.Name, Kind: config.KindGKE, Attributes: describe(&p.Cfg), Title: fmt.Sprintf("GKE cluster %q in %s/%s", p.Cfg.Name, p.Cfg.Project, p.Cfg.Location)}
	switch {
	case prior != nil && prior.Status == state.ClusterReady:
		ch.Action = plan.NoOp
	case !p.Cfg.Create:
		ch.Action = plan.NoOp
		ch.Reason = "create = false: podlab adopts the existing cluster and will not delete it"
	default:
		ch.Action = plan.Create
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
