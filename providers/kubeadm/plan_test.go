package kubeadm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

func TestPlan(t *testing.T) {
	built := []string{"10.0.0.10/preflight", "10.0.0.10/init", "10.0.0.11/join", "10.0.0.12/join"}
	tests := []struct {
		name       string
		prior      *state.Cluster
		edit       func(*Config)
		kubeconfig bool
		action     plan.Action
		reason     string
	}{
		{name: "nothing yet", action: plan.Create, reason: "kubeadm init"},
		{name: "an apply stopped half-way", prior: &state.Cluster{Status: state.ClusterCreating, Phases: built[:2]}, action: plan.Create, reason: "resume: 2 host phase(s)"},
		{name: "built", prior: &state.Cluster{Status: state.ClusterReady, Phases: built}, kubeconfig: true, action: plan.NoOp},
		{name: "a worker was added", prior: &state.Cluster{Status: state.ClusterReady, Phases: built}, kubeconfig: true,
			edit: func(k *Config) { k.Workers = append(k.Workers, "10.0.0.13") }, action: plan.Update, reason: "join 10.0.0.13"},
		{name: "the kubeconfig file was lost", prior: &state.Cluster{Status: state.ClusterReady, Phases: built}, action: plan.Update, reason: "admin.conf is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := blockFor(tt.edit)
			p := New("onprem", &cfg)
			p.LabDir, p.WorkDir = t.TempDir(), t.TempDir()
			if tt.kubeconfig {
				if err := os.WriteFile(filepath.Join(p.WorkDir, "admin.conf"), []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ch, err := p.Plan(t.Context(), tt.prior, false)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Action != tt.action || !strings.Contains(ch.Reason, tt.reason) {
				t.Errorf("plan: %s (%s), want %s (%s)", ch.Action, ch.Reason, tt.action, tt.reason)
			}
		})
	}

	t.Run("the ssh route shows the bastion", func(t *testing.T) {
		for _, tt := range []struct {
			bastion *Bastion
			want    string
		}{
			{nil, "ubuntu@host:22"},
			{&Bastion{Host: "jump.class", Port: 2222}, "ubuntu@host:22 via bastion ubuntu@jump.class:2222"},
			{&Bastion{Host: "jump.class", Port: 22, User: "jump"}, "ubuntu@host:22 via bastion jump@jump.class:22"},
		} {
			cfg := blockFor(func(k *Config) { k.SSH.User, k.SSH.Port, k.SSH.Bastion = "ubuntu", 22, tt.bastion })
			p := New("onprem", &cfg)
			p.LabDir, p.WorkDir = t.TempDir(), t.TempDir()
			ch, err := p.Plan(t.Context(), nil, false)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, a := range ch.Attributes {
				if a.Name == "ssh" {
					got = a.Value
				}
			}
			if got != tt.want {
				t.Errorf("ssh = %q, want %q", got, tt.want)
			}
		}
	})

	t.Run("a block that cannot work is an error", func(t *testing.T) {
		cfg := blockFor(func(k *Config) { k.CNIManifest = "no-such-file.yaml" })
		p := New("onprem", &cfg)
		p.LabDir, p.WorkDir = t.TempDir(), t.TempDir()
		if _, err := p.Plan(t.Context(), nil, false); err == nil || !strings.Contains(err.Error(), "no-such-file.yaml") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestConnect(t *testing.T) {
	cfg := blockFor(nil)
	p := New("onprem", &cfg)
	p.LabDir, p.WorkDir = t.TempDir(), t.TempDir()
	if _, err := p.Connect(t.Context(), nil); !errors.Is(err, providers.ErrNotCreated) {
		t.Fatalf("Connect without a kubeconfig: %v, want ErrNotCreated", err)
	}
	kc := `apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster: {server: "https://10.0.0.10:6443"}
contexts:
- name: kubernetes-admin@kubernetes
  context: {cluster: kubernetes, user: kubernetes-admin}
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user: {token: secret}
`
	path := filepath.Join(p.WorkDir, "admin.conf")
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	conn, err := p.Connect(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if conn.REST.Host != "https://10.0.0.10:6443" || conn.Kubeconfig != path || conn.Context != "kubernetes-admin@kubernetes" {
		t.Errorf("connection: host %q kubeconfig %q context %q", conn.REST.Host, conn.Kubeconfig, conn.Context)
	}
	if err := os.WriteFile(path, []byte("not: [a kubeconfig"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Connect(t.Context(), nil); err == nil || errors.Is(err, providers.ErrNotCreated) || !strings.Contains(err.Error(), path) {
		t.Errorf("Connect with a broken kubeconfig: %v", err)
	}
}
