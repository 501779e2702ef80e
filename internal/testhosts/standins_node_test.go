package testhosts_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// TestNodeStandIns: the stand-ins for what prepares a node answer as the
// real commands do, and keep their state per host.
func TestNodeStandIns(t *testing.T) {
	env := testhosts.New(t, 2, testhosts.WithSwap("/swap.img", "/dev/sdb2"))
	h, other := env.Hosts[0], env.Hosts[1]
	c, co := dial(t, env, h, testhosts.SudoUser), dial(t, env, other, testhosts.RootUser)

	tests := []struct {
		name string
		cmd  string
		want string
	}{
		{"swap is on", "swapon --show=NAME --noheadings", "/swap.img\n/dev/sdb2\n"},
		{"with headings", "swapon --show", "NAME\n/swap.img\n/dev/sdb2\n"},
		{"one device off", "swapoff /dev/sdb2 && swapon --show=NAME --noheadings", "/swap.img\n"},
		{"all off", "swapoff -a && swapon --show=NAME --noheadings", ""},
		{"no packages yet", "dpkg-query -W kubeadm 2>&1; echo $?", "dpkg-query: no packages found matching kubeadm\n1\n"},
		{"apt-get installs", "apt-get install -y containerd 'kubeadm=1.34.4-*' >/dev/null && dpkg-query -W '--showformat=${Package} ${Version} ${db:Status-Abbrev}\\n' kubeadm containerd kubelet 2>&1; echo $?",
			"kubeadm 1.34.4-1.1 ii \ncontainerd 1.0-podlab-test ii \ndpkg-query: no packages found matching kubelet\n1\n"},
		{"curl downloads a placeholder", "curl -fsSL --create-dirs -o /etc/apt/keyrings/k.asc https://pkgs.k8s.io/core:/stable:/v1.34/deb/Release.key && head -n 1 /etc/apt/keyrings/k.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"},
		{"containerd default config", "containerd config default | grep SystemdCgroup", "          SystemdCgroup = false\n"},
		{"kubelet version", "kubelet --version", "Kubernetes " + testhosts.KubernetesVersion + "\n"},
		{"iptables rules", "iptables-save | grep -c KUBE-", "6\n"},
		{"iptables restore", "printf '*filter\\n:INPUT ACCEPT [0:0]\\nCOMMIT\\n' | iptables-restore && iptables-save", "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"},
		{"ip6tables apart", "ip6tables-save | grep -c KUBE-", "6\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(t, c, tt.cmd); got != tt.want {
				t.Errorf("%s:\n got %q\nwant %q", tt.cmd, got, tt.want)
			}
		})
	}
	// The other host's state is its own.
	if got := run(t, co, "swapon --show=NAME --noheadings; dpkg-query -W kubeadm 2>&1 || true"); got != "/swap.img\n/dev/sdb2\ndpkg-query: no packages found matching kubeadm\n" {
		t.Errorf("the other host saw %q", got)
	}
	// Changing swap needs root, as the real tools do.
	if _, _, _, err := c.Run(t.Context(), "swapoff -a", sshx.AsLoginUser()); err == nil {
		t.Error("swapoff as a plain user succeeded")
	}
}

// TestKubectlWaitStandIn: kubectl wait answers per node, fails as a
// timeout for a node that never comes, and holds nodes NotReady until a
// pod network was applied.
func TestKubectlWaitStandIn(t *testing.T) {
	env := testhosts.New(t, 2)
	cp, w := env.Hosts[0], env.Hosts[1]
	c, cw := dial(t, env, cp, testhosts.RootUser), dial(t, env, w, testhosts.RootUser)
	run(t, c, "kubeadm init")
	kubectl := "kubectl --kubeconfig /etc/kubernetes/admin.conf "

	_, _, _, err := c.Run(t.Context(), kubectl+"wait --for=create node/node-0 node/node-1 --timeout=1m")
	var ce *sshx.CommandError
	if !errors.As(err, &ce) || !strings.Contains(strings.Join(ce.Tail, "\n"), "timed out waiting for the condition on nodes/node-1") {
		t.Fatalf("wait for a node that never joined: %v", err)
	}
	join := strings.TrimSpace(run(t, c, "kubeadm token create --print-join-command"))
	run(t, cw, join)
	if got := run(t, c, kubectl+"wait --for=create node/node-0 node/node-1 --timeout=1m"); got != "node/node-0 condition met\nnode/node-1 condition met\n" {
		t.Errorf("wait --for=create = %q", got)
	}
	if _, _, _, err := c.Run(t.Context(), kubectl+"wait --for=condition=Ready node/node-0 --timeout=1m"); err == nil {
		t.Error("a node was Ready without a pod network")
	}
	if got := run(t, c, kubectl+"get nodes"); !strings.Contains(got, "NotReady") {
		t.Errorf("get nodes without a pod network:\n%s", got)
	}
	run(t, c, "printf 'kind: DaemonSet\\nmetadata:\\n  name: cni\\n' >/tmp/cni.yaml && "+kubectl+"apply -f /tmp/cni.yaml")
	if got := run(t, c, kubectl+"wait --for=condition=Ready node --all --timeout=1m"); got != "node/node-0 condition met\nnode/node-1 condition met\n" {
		t.Errorf("wait --all = %q", got)
	}
	if _, _, _, err := c.Run(t.Context(), kubectl+"wait --for=condition=Ready node/nosuch"); err == nil || !strings.Contains(err.Error(), `nodes "nosuch" not found`) {
		t.Errorf("wait for an unknown node: %v", err)
	}
}

// TestControlPlaneJoinStandIn: a second control plane joins only with the
// certificate key that upload-certs printed.
func TestControlPlaneJoinStandIn(t *testing.T) {
	env := testhosts.New(t, 2)
	c, c2 := dial(t, env, env.Hosts[0], testhosts.RootUser), dial(t, env, env.Hosts[1], testhosts.RootUser)
	out := run(t, c, "kubeadm init --skip-token-print")
	if strings.Contains(out, testhosts.Token) || !strings.Contains(out, "--token <value withheld>") {
		t.Errorf("init --skip-token-print shows the token:\n%s", out)
	}
	key := run(t, c, "kubeadm init phase upload-certs --upload-certs | tail -n 1", sshx.SecretOutput())
	key = strings.TrimSpace(key)
	if len(key) != 64 {
		t.Fatalf("certificate key %q", key)
	}
	join := strings.TrimSpace(run(t, c, "kubeadm token create --print-join-command --certificate-key "+key))
	if !strings.HasSuffix(join, "--control-plane --certificate-key "+key) {
		t.Errorf("join command %q is not a control-plane one", join)
	}
	base := strings.TrimSuffix(join, " --control-plane --certificate-key "+key)
	if _, _, _, err := c2.Run(t.Context(), base+" --control-plane --certificate-key "+strings.Repeat("0", 64)); err == nil || !strings.Contains(err.Error(), "kubeadm-certs") {
		t.Errorf("join with a wrong certificate key: %v", err)
	}
	run(t, c2, join)
	if _, err := env.Hosts[1].ReadFile("/etc/kubernetes/admin.conf"); err != nil {
		t.Errorf("a control-plane join wrote no admin.conf: %v", err)
	}
	// Resetting the second control plane leaves the cluster up.
	run(t, c2, "kubeadm reset -f")
	run(t, c, "kubeadm token create --print-join-command")
}

// TestListen: a port held with Listen is in use inside the host only.
func TestListen(t *testing.T) {
	env := testhosts.New(t, 2)
	h := env.Hosts[0]
	const port = "16443"
	if err := h.Listen(16443); err != nil {
		t.Fatal(err)
	}
	for _, hh := range env.Hosts {
		want := "0\n"
		if hh == h {
			want = "1\n"
		}
		if got := run(t, dial(t, env, hh, testhosts.RootUser), "ss -Htln | grep -c ':"+port+" ' || true"); got != want {
			t.Errorf("ss on %s counts %q listeners on %s, want %q", hh.Name, got, port, want)
		}
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(h.Addr, port))
	if err != nil {
		t.Fatalf("the port does not answer at the host's address: %v", err)
	}
	conn.Close()
}
