package kubeadm

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// What every host answers to the facts phase, and what preflight runs.
var (
	factCalls      = []string{"swapon --show=NAME --noheadings", "kubeadm version -o short"}
	preflightCalls = []string{
		"modprobe overlay",
		"modprobe br_netfilter",
		"sysctl -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.ip_forward=1",
		"sysctl -n net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.ip_forward",
	}
	cniCall   = "kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/kubernetes/podlab/cni.yaml"
	tokenCall = "kubeadm token create --print-join-command --ttl 1h --description 'podlab join'"
	criSocket = "unix:///run/containerd/containerd.sock"
)

func seq(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

func waitCalls(nodes ...string) []string {
	var names []string
	for _, n := range nodes {
		names = append(names, "node/"+n)
	}
	w := "kubectl --kubeconfig /etc/kubernetes/admin.conf wait "
	return []string{
		w + "--for=create " + strings.Join(names, " ") + " --timeout=1m0s",
		w + "--for=condition=Ready " + strings.Join(names, " ") + " --timeout=1m0s",
	}
}

func joinCall(env *testhosts.Env, endpoint string) string {
	return "kubeadm join " + endpoint + " --token " + testhosts.Token + " --discovery-token-ca-cert-hash " + env.CACertHash() + " --cri-socket " + criSocket
}

// TestApplyCommandSequence builds clusters of several shapes over SSH and
// checks the commands each host ran, in order, and what was recorded.
func TestApplyCommandSequence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		hosts int
		opts  []testhosts.Option
		edit  func(*Config)
		// want returns each host's expected calls.
		want func(env *testhosts.Env) [][]string
	}{{
		name:  "one control plane, two workers, sudo user",
		hosts: 3,
		want: func(env *testhosts.Env) [][]string {
			ep := env.Hosts[0].Addr + ":6443"
			return [][]string{
				seq(factCalls, preflightCalls,
					"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print",
					cniCall, tokenCall, waitCalls("node-0", "node-1", "node-2")),
				seq(factCalls, preflightCalls, joinCall(env, ep)),
				seq(factCalls, preflightCalls, joinCall(env, ep)),
			}
		},
	}, {
		name:  "root login, install = true, swap on",
		hosts: 1,
		opts:  []testhosts.Option{testhosts.WithSwap("/swap.img")},
		edit: func(k *Config) {
			k.SSH.User = "root"
			k.Install = true
		},
		want: func(env *testhosts.Env) [][]string {
			apt := "apt-get -q -y "
			return [][]string{seq(factCalls,
				"swapoff -a", "swapon --show=NAME --noheadings", preflightCalls,
				"dpkg-query -W '--showformat=${Package} ${Version} ${db:Status-Abbrev}\\n' containerd kubeadm kubelet kubectl",
				apt+"update",
				apt+"install containerd apt-transport-https ca-certificates curl",
				"curl -fsSL --create-dirs -o /etc/apt/keyrings/kubernetes-apt-keyring.asc https://pkgs.k8s.io/core:/stable:/v1.34/deb/Release.key",
				apt+"update",
				apt+"install --allow-downgrades --allow-change-held-packages 'kubeadm=1.34.4-*' 'kubelet=1.34.4-*' 'kubectl=1.34.4-*'",
				"apt-mark hold kubeadm kubelet kubectl",
				"containerd config default",
				"systemctl restart containerd",
				"systemctl enable --now containerd kubelet",
				"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print",
				cniCall, waitCalls("node-0"))}
		},
	}, {
		name:  "two control planes behind an endpoint, one worker",
		hosts: 3,
		edit: func(k *Config) {
			k.ControlPlane = append(k.ControlPlane, k.Workers[0])
			k.Workers = k.Workers[1:]
			k.APIEndpoint = "k8s-api.podlab.test:6443"
			k.IgnorePreflightErrors = []string{"NumCPU", "Mem"}
		},
		want: func(env *testhosts.Env) [][]string {
			key, err := os.ReadFile(filepath.Join(env.Dir(), "cluster", "certificate-key"))
			if err != nil {
				t.Fatal(err)
			}
			ep := "k8s-api.podlab.test:6443"
			return [][]string{
				seq(factCalls, preflightCalls,
					"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print --upload-certs --ignore-preflight-errors=NumCPU,Mem",
					cniCall, tokenCall, "kubeadm init phase upload-certs --upload-certs",
					waitCalls("node-0", "node-1", "node-2")),
				seq(factCalls, preflightCalls, joinCall(env, ep)+" --control-plane --certificate-key "+strings.TrimSpace(string(key))+" --apiserver-advertise-address "+env.Hosts[1].Addr+" --ignore-preflight-errors=NumCPU,Mem"),
				seq(factCalls, preflightCalls, joinCall(env, ep)+" --ignore-preflight-errors=NumCPU,Mem"),
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := testhosts.New(t, tt.hosts, tt.opts...)
			edits := []func(*Config){}
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			l := newLab(t, env, edits...)
			conn := l.mustApply()

			want := tt.want(env)
			for i, h := range env.Hosts {
				diffLines(t, h.Name+" ran", calls(h), want[i])
			}
			st := l.state()
			if st.Status != state.ClusterReady || !st.Created {
				t.Errorf("state: status %q, created %v; want ready, created", st.Status, st.Created)
			}
			var wantPhases []string
			for i, h := range env.Hosts {
				wantPhases = append(wantPhases, h.Addr+"/preflight")
				if l.p.Cfg.Install {
					wantPhases = append(wantPhases, h.Addr+"/install")
				}
				if i == 0 {
					wantPhases = append(wantPhases, h.Addr+"/init", h.Addr+"/cni", h.Addr+"/ready")
				} else {
					wantPhases = append(wantPhases, h.Addr+"/join")
				}
			}
			slices.Sort(wantPhases)
			diffLines(t, "recorded phases", l.phases(), wantPhases)

			// The admin kubeconfig: fetched into a 0600 file, never into state.
			path := filepath.Join(l.p.WorkDir, "admin.conf")
			if conn.Kubeconfig != path {
				t.Errorf("connection kubeconfig = %q, want %q", conn.Kubeconfig, path)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("kubeconfig %s: %v, mode %v; want 0600", path, err, fi.Mode())
			}
			kc, err := clientcmd.LoadFromFile(path)
			if err != nil || kc.AuthInfos["kubernetes-admin"].Token != "podlab-testhosts-placeholder" {
				t.Errorf("kubeconfig is not the host's admin.conf: %v", err)
			}
			for k, v := range st.Attributes {
				if strings.Contains(v, "podlab-testhosts-placeholder") || strings.Contains(v, testhosts.Token) {
					t.Errorf("state attribute %s holds a secret: %q", k, v)
				}
			}
			// Every host has a log of its commands, without the join token.
			for _, h := range env.Hosts {
				b, err := os.ReadFile(filepath.Join(l.p.WorkDir, "logs", h.Addr+".log"))
				if err != nil {
					t.Fatal(err)
				}
				log := string(b)
				if !strings.Contains(log, "--- phase preflight ---") || !strings.Contains(log, "modprobe br_netfilter") {
					t.Errorf("%s's log lacks its phases and commands:\n%s", h.Name, log)
				}
				if strings.Contains(log, testhosts.Token) {
					t.Errorf("%s's log shows the join token", h.Name)
				}
			}
		})
	}
}

// TestSecondApplyChangesNothing: a built cluster is only looked at again.
func TestSecondApplyChangesNothing(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 3)
	l := newLab(t, env)
	l.mustApply()
	before := l.phases()
	l.clearLogs()
	l.prog = &progress{}

	conn := l.mustApply()
	for _, h := range env.Hosts {
		diffLines(t, h.Name+" ran on the second apply", calls(h), factCalls)
	}
	diffLines(t, "recorded phases", l.phases(), before)
	if conn == nil || conn.Kubeconfig == "" {
		t.Fatalf("no connection from the second apply")
	}
	text := l.prog.text()
	for _, want := range []string{"preflight: already done on", "init: already done on " + env.Hosts[0].Addr + " (node-0)", "join: already done on"} {
		if !strings.Contains(text, want) {
			t.Errorf("progress does not say %q:\n%s", want, text)
		}
	}
}

// TestAdoptExistingCluster: hosts that already form a cluster are taken
// over without init or join, and destroy will leave them alone.
func TestAdoptExistingCluster(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 3)
	cp, joined, fresh := env.Hosts[0], env.Hosts[1], env.Hosts[2]
	if _, err := cp.Exec("kubeadm init"); err != nil {
		t.Fatal(err)
	}
	join := strings.Fields(joinCall(env, cp.Addr+":6443"))
	if _, err := joined.Exec(strings.Join(join, " ")); err != nil {
		t.Fatal(err)
	}
	l := newLab(t, env)
	l.clearLogs()
	l.mustApply()

	diffLines(t, "control plane ran", calls(cp), seq(factCalls, preflightCalls, cniCall, tokenCall, waitCalls("node-0", "node-1", "node-2")))
	diffLines(t, "joined worker ran", calls(joined), seq(factCalls, preflightCalls))
	diffLines(t, "new worker ran", calls(fresh), seq(factCalls, preflightCalls, joinCall(env, cp.Addr+":6443")))
	if st := l.state(); st.Created {
		t.Errorf("an adopted cluster is recorded as created by podlab: destroy would reset it")
	}
	if !strings.Contains(l.prog.text(), "adopting it") {
		t.Errorf("progress does not say the cluster was adopted:\n%s", l.prog.text())
	}
}

// TestNewClusterRejoinsOldNodes: when the control plane was reset behind
// podlab's back, init runs again and the workers, still joined to the old
// cluster, are reset and joined to the new one.
func TestNewClusterRejoinsOldNodes(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 2)
	l := newLab(t, env)
	l.mustApply()
	if _, err := env.Hosts[0].Exec("kubeadm reset -f"); err != nil {
		t.Fatal(err)
	}
	l.clearLogs()
	l.mustApply()
	diffLines(t, "control plane ran", calls(env.Hosts[0]), seq(factCalls,
		"kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print",
		cniCall, tokenCall, waitCalls("node-0", "node-1")))
	diffLines(t, "worker ran", calls(env.Hosts[1]), seq(factCalls,
		"kubeadm reset -f --cri-socket "+criSocket, joinCall(env, env.Hosts[0].Addr+":6443")))
}

// TestNoPodNetwork: without a CNI manifest the nodes never become Ready,
// and the error says so.
func TestNoPodNetwork(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 1)
	l := newLab(t, env, func(k *Config) { k.CNIManifest = "" })
	_, err := l.apply()
	if err == nil {
		t.Fatal("apply succeeded without a pod network")
	}
	for _, want := range []string{
		"host " + env.Hosts[0].Addr + " (node-0), phase ready",
		"timed out waiting for the condition on nodes/node-0",
		"NotReady",
		"no cni_manifest is set",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

// TestPlanSeesDrift: with refresh, plan reads the hosts and notices a node
// reset behind podlab's back; apply joins it again, and only it.
func TestPlanSeesDrift(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 3)
	l := newLab(t, env)
	l.mustApply()
	l.st.Status = state.ClusterReady
	ch, err := l.p.Plan(t.Context(), l.state(), true)
	if err != nil || ch.Action != plan.NoOp {
		t.Fatalf("plan of the built cluster: %v, %v", ch, err)
	}
	gone := env.Hosts[2]
	if _, err := gone.Exec("kubeadm reset -f"); err != nil {
		t.Fatal(err)
	}
	if ch, err := l.p.Plan(t.Context(), l.state(), false); err != nil || ch.Action != plan.NoOp {
		t.Errorf("plan without refresh looked at the hosts: %v, %v", ch, err)
	}
	ch, err = l.p.Plan(t.Context(), l.state(), true)
	if err != nil || ch.Action != plan.Update || !strings.Contains(ch.Reason, "join "+gone.Addr+" (node-2) again: it has no /etc/kubernetes/kubelet.conf any more") {
		t.Fatalf("plan after a node was reset: %+v, %v", ch, err)
	}
	l.clearLogs()
	l.mustApply()
	// The reset node's old Node object goes first: kubeadm join refuses
	// to register a name that is still there (TestRealOnPremFaults).
	diffLines(t, "control plane ran", calls(env.Hosts[0]), seq(factCalls, tokenCall,
		"kubectl --kubeconfig /etc/kubernetes/admin.conf delete node node-2 --ignore-not-found --wait=false",
		waitCalls("node-0", "node-1", "node-2")))
	diffLines(t, "untouched worker ran", calls(env.Hosts[1]), factCalls)
	diffLines(t, "reset worker ran", calls(gone), seq(factCalls, joinCall(env, env.Hosts[0].Addr+":6443")))

	t.Run("a host out of reach fails the plan", func(t *testing.T) {
		l.p.Cfg.SSH.Port = 2
		_, err := l.p.Plan(t.Context(), l.state(), true)
		if err == nil || !strings.Contains(err.Error(), "-refresh=false") {
			t.Errorf("err = %v", err)
		}
	})
}
