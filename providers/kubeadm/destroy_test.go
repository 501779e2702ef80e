package kubeadm

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

var cleanupCalls = []string{"iptables-save", "iptables-restore", "ip6tables-save", "ip6tables-restore", "ipvsadm --clear"}

func resetCall() string { return "kubeadm reset -f --cri-socket " + criSocket }

// TestDestroy resets every host, removes the pod network's leftovers and
// the Kubernetes iptables rules (and only those), and the kubeconfig file.
func TestDestroy(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 3)
	l := newLab(t, env)
	l.mustApply()
	for _, h := range env.Hosts {
		// What a pod network leaves on each node.
		if _, err := h.Exec("mkdir -p /etc/cni/net.d /var/lib/cni/networks && echo '{}' >/etc/cni/net.d/10-test.conflist"); err != nil {
			t.Fatal(err)
		}
	}
	l.clearLogs()
	if err := l.destroy(); err != nil {
		t.Fatal(err)
	}
	for _, h := range env.Hosts {
		diffLines(t, h.Name+" ran", calls(h), seq(factCalls, resetCall(), cleanupCalls))
		for _, p := range []string{"/etc/cni/net.d", "/var/lib/cni", "/etc/kubernetes/podlab", "/etc/kubernetes/admin.conf", "/etc/kubernetes/kubelet.conf"} {
			if _, err := h.ReadFile(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s:%s is still there (%v)", h.Name, p, err)
			}
		}
		rules, err := h.ReadFile("/run/podlab-testhost/iptables.rules")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(rules), "KUBE-") || strings.Contains(string(rules), "CNI-") {
			t.Errorf("%s keeps Kubernetes iptables rules:\n%s", h.Name, rules)
		}
		if !strings.Contains(string(rules), "--dport 22 -j ACCEPT") || !strings.Contains(string(rules), "*nat") {
			t.Errorf("%s lost rules that were not Kubernetes':\n%s", h.Name, rules)
		}
	}
	if nodes, _ := os.ReadDir(filepath.Join(env.Dir(), "cluster", "nodes")); len(nodes) > 0 {
		t.Errorf("nodes left in the cluster: %v", nodes)
	}
	if _, err := os.Stat(filepath.Join(l.p.WorkDir, "admin.conf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the kubeconfig file is still there (%v)", err)
	}
	if st := l.state(); st.Status != state.ClusterDeleting {
		t.Errorf("status = %q", st.Status)
	}
	if _, err := l.p.Connect(t.Context(), l.state()); !errors.Is(err, providers.ErrNotCreated) {
		t.Errorf("Connect after destroy: %v, want ErrNotCreated", err)
	}
}

// TestDestroyResumes: a destroy that failed on one host leaves the others
// recorded as reset; the next destroy resets only what is left.
func TestDestroyResumes(t *testing.T) {
	t.Parallel()
	env := testhosts.New(t, 3)
	l := newLab(t, env)
	l.mustApply()
	cp, bad, good := env.Hosts[0], env.Hosts[1], env.Hosts[2]
	bad.FailNext("kubeadm reset", 1, "[reset] Unmounting mounted directories in \"/var/lib/kubelet\"\nfailed to unmount /var/lib/kubelet/pods: device or resource busy")
	l.clearLogs()
	err := l.destroy()
	var pe *PhaseError
	if !errors.As(err, &pe) || pe.Phase != "reset" || !strings.Contains(err.Error(), "device or resource busy") || !strings.Contains(err.Error(), "run podlab destroy again") {
		t.Fatalf("err = %v, want the reset of %s failing", err, bad.Name)
	}
	if c := calls(cp); slices.Contains(c, resetCall()) {
		t.Errorf("the control plane was reset before its workers were: %v", c)
	}
	if !slices.Contains(l.phases(), good.Addr+"/reset") {
		t.Errorf("the worker reset before the failure is not recorded: %v", l.phases())
	}
	l.clearLogs()
	if err := l.destroy(); err != nil {
		t.Fatal(err)
	}
	diffLines(t, "control plane ran", calls(cp), seq(factCalls, resetCall(), cleanupCalls))
	diffLines(t, "failed worker ran", calls(bad), seq(factCalls, resetCall(), cleanupCalls))
	diffLines(t, "reset worker ran", calls(good), seq(factCalls, cleanupCalls))

	// Applying again builds a new cluster from scratch.
	l.clearLogs()
	l.mustApply()
	if c := calls(cp); !slices.Contains(c, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml --skip-token-print") {
		t.Errorf("apply after destroy did not init: %v", c)
	}
	// ...and forgets the resets, so the next destroy resets every host.
	for _, p := range l.phases() {
		if strings.HasSuffix(p, "/reset") || strings.HasSuffix(p, "/cleanup") {
			t.Errorf("%s is still recorded after the cluster was built again", p)
		}
	}
}
