// Package kubeadm is the provider for on-prem clusters that podlab builds
// with kubeadm on hosts it reaches over SSH.
//
// Building is a list of phases (applyPhases), each in a file of its own,
// each idempotent and named in progress: connect, facts, preflight,
// install, init, cni, join, ready, kubeconfig. A phase that finishes on a
// host is recorded in state as "HOST/PHASE", so an apply that failed
// resumes at the phase that failed; kubeadm init and join go by what the
// hosts show instead, so an existing cluster is adopted and one reset
// behind podlab's back is built again. Destroy is a list too
// (destroyPhases): kubeadm reset, then the CNI and iptables leftovers.
//
// Secrets stay out of state: the admin kubeconfig goes into a 0600 file
// in the environment's directory, and join tokens are made for each apply
// and never written down. Every command and its output goes to a log per
// host beside it (logs/HOST.log).
package kubeadm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// Provider builds, connects to and resets one kubeadm cluster.
type Provider struct {
	Name string
	Cfg  Config
	// LabDir resolves relative paths in the block (key, known_hosts, CNI
	// manifest).
	LabDir string
	// WorkDir is the environment's private directory
	// (LAB/.podlab/envs/ENV): the admin kubeconfig and the host logs.
	WorkDir string

	probe probeFunc // tests replace how the API server is probed
}

// New returns the provider for a kubeadm cluster block. Set LabDir and
// WorkDir before use.
func New(name string, cfg *Config) *Provider {
	return &Provider{Name: name, Cfg: *cfg}
}

// applyPhases build the cluster, in order.
var applyPhases = []phase{
	connect{},
	gatherFacts{},
	verifyHosts{},
	preflight{},
	install{},
	initControlPlane{},
	applyCNI{},
	joinControlPlanes{},
	joinWorkers{},
	waitReady{},
	fetchKubeconfig{},
}

// destroyPhases tear it down, in order.
var destroyPhases = []phase{
	connect{},
	gatherFacts{},
	resetWorkers{},
	resetControlPlanes{},
	cleanupNodes{},
}

func (p *Provider) spec() (*spec, error) {
	if p.WorkDir == "" {
		return nil, fmt.Errorf("cluster %q: the kubeadm provider has no work directory for its logs and kubeconfig", p.Name)
	}
	return newSpec(p.Name, &p.Cfg, p.LabDir, p.WorkDir)
}

// Plan says whether the cluster will be built, or what is missing from
// the one state records: hosts added to the block since, the kubeconfig
// file, and, with refresh, hosts that are no longer what state says (a
// node reset behind podlab's back), which it learns by reading their
// facts over SSH without changing anything.
func (p *Provider) Plan(ctx context.Context, prior *state.Cluster, refresh bool) (*plan.ClusterChange, error) {
	s, err := p.spec()
	if err != nil {
		return nil, err
	}
	ch := &plan.ClusterChange{Name: p.Name, Kind: Kind, Attributes: describe(&p.Cfg), Title: fmt.Sprintf("kubeadm cluster on %d host(s)", len(p.Cfg.ControlPlane)+len(p.Cfg.Workers))}
	if prior == nil || prior.Status != state.ClusterReady {
		ch.Action = plan.Create
		ch.Reason = "kubeadm init on the first control-plane host, then join the workers (an existing cluster is adopted)"
		if prior != nil && len(prior.Phases) > 0 {
			ch.Reason = fmt.Sprintf("resume: %d host phase(s) already done are skipped", len(prior.Phases))
		}
		return ch, nil
	}
	var missing []string
	for _, h := range s.hosts() {
		if !slices.Contains(prior.Phases, recordKey(h, "init")) && !slices.Contains(prior.Phases, recordKey(h, "join")) {
			missing = append(missing, h.addr)
		}
	}
	_, statErr := os.Stat(s.kubeconfigPath())
	if refresh && len(missing) == 0 {
		drift, err := p.drift(ctx, s, prior)
		if err != nil {
			return nil, err
		}
		if len(drift) > 0 {
			ch.Action = plan.Update
			ch.Reason = strings.Join(drift, "; ")
			return ch, nil
		}
	}
	switch {
	case len(missing) > 0:
		ch.Action = plan.Update
		ch.Reason = "join " + strings.Join(missing, ", ") + " (not part of the cluster yet)"
	case statErr != nil:
		ch.Action = plan.Update
		ch.Reason = "fetch the admin kubeconfig again (" + s.kubeconfigPath() + " is missing)"
	default:
		ch.Action = plan.NoOp
	}
	return ch, nil
}

// drift connects to the hosts, reads their facts and says which of them
// are no longer part of the cluster state records.
func (p *Provider) drift(ctx context.Context, s *spec, prior *state.Cluster) ([]string, error) {
	c := newCluster(s, prior, nil, nil)
	defer c.close()
	if err := c.runPhases(ctx, []phase{connect{}, gatherFacts{}}); err != nil {
		return nil, fmt.Errorf("%w\n(plan reads the hosts to see that the cluster is still there; -refresh=false skips that)", err)
	}
	var out []string
	for _, h := range c.hosts {
		switch {
		case c.recorded(h, "init") && !h.facts.initialised():
			out = append(out, fmt.Sprintf("kubeadm init again on %s: it has no %s any more", h, adminConf))
		case c.recorded(h, "join") && !h.facts.joined():
			out = append(out, fmt.Sprintf("join %s again: it has no %s any more", h, kubeletConf))
		}
	}
	return out, nil
}

// Connect uses the admin kubeconfig fetched by the last apply;
// ErrNotCreated when there is none yet.
func (p *Provider) Connect(context.Context, *state.Cluster) (*providers.Connection, error) {
	if p.WorkDir == "" {
		return nil, providers.ErrNotCreated
	}
	conn, err := connectionFrom(filepath.Join(p.WorkDir, "admin.conf"))
	if err != nil && !errors.Is(err, providers.ErrNotCreated) {
		return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
	}
	return conn, err
}

// Ensure builds the cluster, or adopts and completes an existing one, and
// returns a connection to it.
func (p *Provider) Ensure(ctx context.Context, prior *state.Cluster, rec providers.Recorder, progress providers.Progress) (*providers.Connection, error) {
	s, err := p.spec()
	if err != nil {
		return nil, err
	}
	// Every file of the bundle is read and checked before any host is
	// touched: a damaged or incomplete bundle changes nothing.
	if s.bundle != nil {
		if err := s.bundle.Verify(); err != nil {
			return nil, fmt.Errorf("cluster %q: %w", p.Name, err)
		}
	}
	c := newCluster(s, prior, rec, progress)
	c.probe = p.probe
	defer c.close()
	if err := c.update(func(sc *state.Cluster) {
		if sc.Status != state.ClusterReady {
			sc.Status = state.ClusterCreating
		}
	}); err != nil {
		return nil, err
	}
	// A destroy that stopped half-way recorded its resets; building again
	// starts from what the hosts show.
	if err := c.forget(nil, "reset", "cleanup"); err != nil {
		return nil, err
	}
	if err := c.runPhases(ctx, applyPhases); err != nil {
		return nil, p.failed(err, "apply")
	}
	attrs := map[string]string{}
	for k, v := range c.attrs {
		attrs[k] = v
	}
	for k, v := range c.conn.Attributes {
		attrs[k] = v
	}
	attrs["control_plane"] = c.initHost().addr
	attrs["nodes"] = fmt.Sprint(len(c.hosts))
	attrs["kubernetes_version"] = s.version
	if err := c.update(func(sc *state.Cluster) {
		sc.Status = state.ClusterReady
		sc.Attributes = attrs
	}); err != nil {
		return nil, err
	}
	c.conn.Attributes = attrs
	return c.conn, nil
}

// Destroy resets every host of the block and removes the kubeconfig file.
// Hosts already reset by an earlier, interrupted destroy are skipped.
func (p *Provider) Destroy(ctx context.Context, prior *state.Cluster, rec providers.Recorder, progress providers.Progress) error {
	s, err := p.spec()
	if err != nil {
		return err
	}
	c := newCluster(s, prior, rec, progress)
	defer c.close()
	if err := c.update(func(sc *state.Cluster) { sc.Status = state.ClusterDeleting }); err != nil {
		return err
	}
	if err := c.runPhases(ctx, destroyPhases); err != nil {
		return p.failed(err, "destroy")
	}
	if err := os.Remove(s.kubeconfigPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	c.logf("removed %s", s.kubeconfigPath())
	return nil
}

// failed adds to a phase failure what to do next.
func (p *Provider) failed(err error, command string) error {
	var pe *PhaseError
	if !errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("%w\n\nWhat finished is recorded in state: fix the cause and run podlab %s again to resume at the phase that failed. Each host's commands and output are logged in %s",
		err, command, filepath.Join(p.WorkDir, "logs"))
}

// Kubeconfig returns the admin kubeconfig fetched from the control plane,
// for the instructor's kubectl.
func (p *Provider) Kubeconfig(ctx context.Context, prior *state.Cluster) (*clientcmdapi.Config, error) {
	path := filepath.Join(p.WorkDir, "admin.conf")
	cfg, err := clientcmd.LoadFromFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cluster %q has no admin kubeconfig yet (%s): run podlab apply first", p.Name, path)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %q: read %s: %w", p.Name, path, err)
	}
	return cfg, nil
}

// Build returns the provider of an environment's kubeadm block. Its
// kubeconfig and host logs stay on this machine, in the environment's
// directory, whatever backend keeps the state itself.
func Build(c *config.ClusterConfig, o providers.Options) providers.Cluster {
	p := New(c.Name, c.Settings.(*Config))
	p.LabDir, p.WorkDir = o.LabDir, o.WorkDir
	return p
}

// CheckDestroy allows every destroy: hosts have no protection to honour.
func (p *Provider) CheckDestroy(*state.Cluster) error { return nil }

// Describe tells that a reset wipes every object with the cluster's etcd.
func (p *Provider) Describe() providers.Description {
	return providers.Description{DeleteWipesObjects: true}
}
