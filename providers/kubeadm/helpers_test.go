package kubeadm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// cniManifest is a small pod network manifest, as a lab ships one.
const cniManifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: podlab-test-cni
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: podlab-test-cni
  template:
    metadata:
      labels:
        app: podlab-test-cni
    spec:
      containers:
      - name: cni
        image: registry.k8s.io/pause:3.10
`

// lab is a kubeadm provider pointed at test hosts, with the state it
// records kept in memory.
type lab struct {
	t    *testing.T
	env  *testhosts.Env
	p    *Provider
	st   *state.Cluster
	mu   sync.Mutex
	prog *progress
}

// newLab makes a provider for env: the first host is the control plane
// (or the first n, with controlPlanes), the rest are workers; it logs in as
// the sudo user with the environment's key and known_hosts.
func newLab(t *testing.T, env *testhosts.Env, edit ...func(*Config)) *lab {
	t.Helper()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "cni.yaml")
	if err := os.WriteFile(manifest, []byte(cniManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		ControlPlane:      []string{env.Hosts[0].Addr},
		KubernetesVersion: "v1.34.4",
		PodNetworkCIDR:    "10.244.0.0/16",
		ServiceCIDR:       "10.96.0.0/12",
		CNIManifest:       "cni.yaml", // relative: to the lab directory
		CRISocket:         "unix:///run/containerd/containerd.sock",
		NodeReadyTimeout:  "1m",
		SSH: SSH{
			User: testhosts.SudoUser, Port: 22, PrivateKeyFile: env.KeyFile(),
			KnownHostsFile: env.KnownHostsFile(), ConnectTimeout: "10s",
		},
	}
	for _, h := range env.Hosts[1:] {
		cfg.Workers = append(cfg.Workers, h.Addr)
	}
	for _, e := range edit {
		e(&cfg)
	}
	p := New("onprem", &cfg)
	p.LabDir = dir
	p.WorkDir = filepath.Join(dir, ".podlab", "envs", "onprem")
	// The stand-ins' admin.conf points at no real API server; the probe
	// has its own tests.
	p.probe = func(context.Context, *rest.Config) error { return fmt.Errorf("not probed in this test") }
	return &lab{t: t, env: env, p: p, prog: &progress{}}
}

func (l *lab) rec(update func(*state.Cluster)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.st == nil {
		l.st = &state.Cluster{Name: "onprem", Kind: Kind}
	}
	update(l.st)
	return nil
}

// state is a copy of what the provider recorded.
func (l *lab) state() *state.Cluster {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.st == nil {
		return nil
	}
	c := *l.st
	c.Phases = slices.Clone(l.st.Phases)
	return &c
}

func (l *lab) apply() (*providers.Connection, error) {
	l.t.Helper()
	return l.p.Ensure(l.t.Context(), l.state(), l.rec, l.prog)
}

func (l *lab) mustApply() *providers.Connection {
	l.t.Helper()
	conn, err := l.apply()
	if err != nil {
		l.t.Fatalf("apply: %v", err)
	}
	return conn
}

func (l *lab) destroy() error {
	l.t.Helper()
	return l.p.Destroy(l.t.Context(), l.state(), l.rec, l.prog)
}

// clearLogs forgets every host's recorded calls.
func (l *lab) clearLogs() {
	for _, h := range l.env.Hosts {
		h.ClearCommandLog()
	}
}

// phases are the recorded "HOST/PHASE" entries, sorted.
func (l *lab) phases() []string {
	st := l.state()
	if st == nil {
		return nil
	}
	out := slices.Clone(st.Phases)
	slices.Sort(out)
	return out
}

// progress records what the provider reported.
type progress struct {
	mu    sync.Mutex
	steps []string // "NAME: STATUS"
	logs  []string
}

func (p *progress) Step(name, status string, _ time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps = append(p.steps, name+": "+status)
}

func (p *progress) Log(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logs = append(p.logs, msg)
}

func (p *progress) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.steps, "\n") + "\n" + strings.Join(p.logs, "\n")
}

// calls is a host's stand-in calls, one quoted line each.
// calls is what ran on h, with kubectl wait's bound written as the
// whole node_ready_timeout: the second wait gets what the first left, a
// second less on a loaded machine, which no test is about.
func calls(h *testhosts.Host) []string {
	log := h.CommandLog()
	for i, c := range log {
		if strings.Contains(c, " wait --for=") {
			log[i] = waitTimeout.ReplaceAllString(c, "--timeout=1m0s")
		}
	}
	return log
}

var waitTimeout = regexp.MustCompile(`--timeout=[0-9ms.]+`)

// diffLines reports want and got side by side when they differ.
func diffLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}

// forgetPhase drops one record, as if podlab had stopped before making it.
func (l *lab) forgetPhase(key string) error {
	return l.rec(func(c *state.Cluster) {
		c.Phases = slices.DeleteFunc(c.Phases, func(p string) bool { return p == key })
	})
}
