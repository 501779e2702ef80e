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
	"sort"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// Provider connects to the cluster a kubeconfig names.
type Provider struct {
	Name string
	Cfg  Config
	// Dir resolves a relative kubeconfig path (the lab directory).
	Dir string
}

// New returns the provider for a kubeconfig cluster block.
func New(name string, cfg *Config, dir string) *Provider {
	return &Provider{Name: name, Cfg: *cfg, Dir: dir}
}

// Path says which kubeconfig is in use, for messages: the block's path,
// else $KUBECONFIG (a list, merged as kubectl merges it), else
// ~/.kube/config.
func (p *Provider) Path() string {
	if p.Cfg.Path != "" {
		return p.explicitPath()
	}
	if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		return env
	}
	return clientcmd.RecommendedHomeFile
}

// explicitPath is the block's path, with ~ expanded and relative to the
// lab directory.
func (p *Provider) explicitPath() string {
	path := p.Cfg.Path
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

// loadingRules are client-go's, as kubectl uses them: the block's path
// alone when it names one; otherwise every file of $KUBECONFIG merged
// (the first file to set a value wins; missing files are skipped), else
// ~/.kube/config.
func (p *Provider) loadingRules() (*clientcmd.ClientConfigLoadingRules, error) {
	if p.Cfg.Path != "" {
		path := p.explicitPath()
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cluster %q: the kubeconfig %s does not exist; set path in its kubeconfig block, or KUBECONFIG", p.Name, path)
		}
		return &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}, nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	for _, f := range rules.GetLoadingPrecedence() {
		if _, err := os.Stat(f); err == nil {
			return rules, nil
		}
	}
	if os.Getenv(clientcmd.RecommendedConfigPathEnvVar) != "" {
		return nil, fmt.Errorf("cluster %q: none of the files KUBECONFIG names exists (%s); set KUBECONFIG, or path in the cluster's kubeconfig block", p.Name, p.Path())
	}
	return nil, fmt.Errorf("cluster %q: the kubeconfig %s does not exist; set path in its kubeconfig block, or KUBECONFIG", p.Name, clientcmd.RecommendedHomeFile)
}

// clientConfig loads the kubeconfig (merged) with the block's context.
func (p *Provider) clientConfig() (clientcmd.ClientConfig, clientcmdapi.Config, string, error) {
	rules, err := p.loadingRules()
	if err != nil {
		return nil, clientcmdapi.Config{}, "", err
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: p.Cfg.Context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, raw, "", fmt.Errorf("cluster %q: read kubeconfig %s: %w", p.Name, p.Path(), err)
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
		sort.Strings(names)
		return nil, raw, "", fmt.Errorf("cluster %q: the kubeconfig %s has no context %q (it has: %s)", p.Name, p.Path(), ctxName, strings.Join(names, ", "))
	}
	return cc, raw, ctxName, nil
}

// Plan never changes the cluster; it says which cluster is used.
func (p *Provider) Plan(context.Context, *state.Cluster, bool) (*plan.ClusterChange, error) {
	ctxName := p.Cfg.Context
	if ctxName == "" {
		ctxName = "(current context)"
	}
	return &plan.ClusterChange{
		Name: p.Name, Kind: Kind, Action: plan.NoOp,
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
	cc, _, ctxName, err := p.clientConfig()
	if err != nil {
		return nil, err
	}
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster %q: kubeconfig %s, context %q: %w", p.Name, p.Path(), ctxName, err)
	}
	return &providers.Connection{
		REST:       rc,
		Attributes: map[string]string{"endpoint": rc.Host, "context": ctxName},
		Kubeconfig: p.Path(),
		Context:    ctxName,
	}, nil
}

// pingTimeout bounds the wait for the cluster's API server to answer.
const pingTimeout = 30 * time.Second

// Ensure only connects: the cluster exists by definition. It is recorded
// as ready only once its API server answers, so a kubeconfig pointing at
// nothing leaves nothing in state.
func (p *Provider) Ensure(ctx context.Context, prior *state.Cluster, rec providers.Recorder, _ providers.Progress) (*providers.Connection, error) {
	conn, err := p.Connect(ctx, prior)
	if err != nil {
		return nil, err
	}
	kc, err := kubeapi.New(conn.REST, kubeapi.Options{})
	if err != nil {
		return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
	}
	if _, err := kc.Ping(ctx, pingTimeout); err != nil {
		return nil, fmt.Errorf("cluster %q (kubeconfig %s, context %q): %w", p.Name, p.Path(), conn.Context, err)
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
func (p *Provider) Kubeconfig(context.Context, *state.Cluster) (*clientcmdapi.Config, error) {
	_, raw, ctxName, err := p.clientConfig()
	if err != nil {
		return nil, err
	}
	raw.CurrentContext = ctxName
	if err := clientcmdapi.MinifyConfig(&raw); err != nil {
		return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
	}
	if err := clientcmdapi.FlattenConfig(&raw); err != nil {
		return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
	}
	return &raw, nil
}

// Build returns the provider of an environment's kubeconfig block.
func Build(c *config.ClusterConfig, o providers.Options) providers.Cluster {
	return New(c.Name, c.Settings.(*Config), o.LabDir)
}

// CheckDestroy allows every destroy: the cluster itself is never deleted.
func (p *Provider) CheckDestroy(*state.Cluster) error { return nil }

// Describe tells nothing: the cluster is someone else's.
func (p *Provider) Describe() providers.Description { return providers.Description{} }
