// Package kubeconfig is the provider for an existing cluster reached
// through a kubeconfig file: podlab never creates or deletes it.
package kubeconfig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// Provider connects to the cluster a kubeconfig names.
type Provider struct {
	Name string
	Cfg  config.Kubeconfig
	// Dir resolves a relative kubeconfig path (the lab directory).
	Dir string
}

// New returns the provider for a kubeconfig cluster block.
func New(name string, cfg *config.Kubeconfig, dir string) *Provider {
	return &Provider{Name: name, Cfg: *cfg, Dir: dir}
}

// Path is the kubeconfig file in use: the block's path, else $KUBECONFIG
// (its first entry), else ~/.kube/config.
func (p *Provider) Path() string {
	path := p.Cfg.Path
	if path == "" {
		if env := os.Getenv("KUBECONFIG"); env != "" {
			path = filepath.SplitList(env)[0]
		}
	}
	if path == "" {
		return clientcmd.RecommendedHomeFile
	}
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, strings.TrimPrefix(path, "~"))
		}
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.Dir, path)
	}
	return path
}

// Plan never changes the cluster; it says which cluster is used.
func (p *Provider) Plan(context.Context, *state.Cluster, bool) (*plan.ClusterChange, error) {
	ctxName := p.Cfg.Context
	if ctxName == "" {
		ctxName = "(current context)"
	}
	return &plan.ClusterChange{
		Name: p.Name, Kind: config.KindKubeconfig, Action: plan.NoOp,
		Title:  fmt.Sprintf("existing cluster (kubeconfig %s, context %s)", p.Path(), ctxName),
		Reason: "an existing cluster; podlab never creates or deletes it",
		Attributes: []plan.Attribute{
			{Name: "kubeconfig", Value: fmt.Sprintf("%q", p.Path())},
			{Name: "context", Value: ctxName},
		},
	}, nil
}

// Connect builds a client configuration from the kubeconfig.
func (p *Provider) Connect(context.Context, *state.Cluster) (*providers.Connection, error) {
	path := p.Path()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cluster %q: the kubeconfig %s does not exist; set path in its kubeconfig block, or KUBECONFIG", p.Name, path)
	}
	loader := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: p.Cfg.Context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(loader, overrides)
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster %q: read kubeconfig %s: %w", p.Name, path, err)
	}
	ctxName := p.Cfg.Context
	if ctxName == "" {
		ctxName = raw.CurrentContext
	}
	if _, ok := raw.Contexts[ctxName]; !ok {
		names := make([]string, 0, len(raw.Contexts))
		for n := range raw.Contexts {
			names = append(names, n)
		}
		return nil, fmt.Errorf("cluster %q: the kubeconfig %s has no context %q (it has: %s)", p.Name, path, ctxName, strings.Join(names, ", "))
	}
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster %q: kubeconfig %s, context %q: %w", p.Name, path, ctxName, err)
	}
	return &providers.Connection{
		REST:       rc,
		Attributes: map[string]string{"endpoint": rc.Host, "context": ctxName},
		Kubeconfig: path,
		Context:    ctxName,
	}, nil
}

// Ensure only connects: the cluster exists by definition.
func (p *Provider) Ensure(ctx context.Context, prior *state.Cluster, rec providers.Recorder, _ providers.Progress) (*providers.Connection, error) {
	conn, err := p.Connect(ctx, prior)
	if err != nil {
		return nil, err
	}
	err = rec(func(c *state.Cluster) {
		c.Status = state.ClusterReady
		c.Created = false
		c.Attributes = conn.Attributes
	})
	return conn, err
}

// Destroy leaves the cluster alone.
func (p *Provider) Destroy(context.Context, *state.Cluster, providers.Recorder, providers.Progress) error {
	return nil
}

// Kubeconfig returns the context in use alone, with its credentials
// inlined, so the file works wherever it is copied.
func (p *Provider) Kubeconfig(ctx context.Context, prior *state.Cluster) (*clientcmdapi.Config, error) {
	conn, err := p.Connect(ctx, prior)
	if err != nil {
		return nil, err
	}
	raw, err := clientcmd.LoadFromFile(conn.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("cluster %q: read kubeconfig %s: %w", p.Name, conn.Kubeconfig, err)
	}
	raw.CurrentContext = conn.Context
	if err := clientcmdapi.MinifyConfig(raw); err != nil {
		return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
	}
	if err := clientcmdapi.FlattenConfig(raw); err != nil {
		return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
	}
	return raw, nil
}
