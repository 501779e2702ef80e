// Package factory builds the provider of a cluster block. It is the one
// place that knows every kind of cluster: a new kind is a folder under
// providers and one line here.
package factory

import (
	"fmt"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/providers/gke"
	"github.com/podlab/podlab/providers/kubeadm"
	"github.com/podlab/podlab/providers/kubeconfig"
)

// builders are the kinds of cluster, by the block that declares them.
var builders = map[string]func(*config.ClusterConfig, providers.Options) providers.Cluster{
	gke.Kind:        gke.Build,
	kubeadm.Kind:    kubeadm.Build,
	kubeconfig.Kind: kubeconfig.Build,
}

// New returns the provider of an environment's cluster block.
func New(c *config.ClusterConfig, o providers.Options) (providers.Cluster, error) {
	if c == nil {
		return nil, fmt.Errorf("the environment has no cluster")
	}
	build, ok := builders[c.Kind]
	if !ok {
		return nil, fmt.Errorf("cluster %q: unknown cluster kind %q", c.Name, c.Kind)
	}
	return build(c, o), nil
}
