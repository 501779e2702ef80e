package testhosts_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// dial logs into h with the environment's key and known hosts.
func dial(t *testing.T, env *testhosts.Env, h *testhosts.Host, user string) *sshx.Client {
	t.Helper()
	c, err := sshx.Dial(t.Context(), sshx.Config{
		Host: h.Addr, Port: h.Port, User: user,
		PrivateKeyFile: env.KeyFile(), KnownHostsFile: env.KnownHostsFile(),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", h.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// run runs cmd and fails the test on error.
func run(t *testing.T, c *sshx.Client, cmd string, opts ...sshx.RunOption) string {
	t.Helper()
	out, _, _, err := c.Run(t.Context(), cmd, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostsAreIsolated(t *testing.T) {
	env := testhosts.New(t, 2)
	a, b := env.Hosts[0], env.Hosts[1]
	ca, cb := dial(t, env, a, testhosts.RootUser), dial(t, env, b, testhosts.RootUser)

	paths := []string{
		"/etc/kubernetes/isolation", "/var/lib/kubelet/isolation", "/etc/cni/net.d/isolation",
		"/var/lib/etcd/isolation", "/opt/cni/bin/isolation", "/usr/local/bin/isolation",
		"/tmp/isolation", "/run/isolation", "/root/isolation", "/home/isolation",
	}
	for _, p := range paths {
		run(t, ca, sshx.Command("mkdir", "-p", filepath.Dir(p))+" && echo "+a.Name+" > "+sshx.Quote(p))
	}
	for _, p := range paths {
		if got := run(t, ca, sshx.Command("cat", p)); got != a.Name+"\n" {
			t.Errorf("%s on %s reads %q", p, a.Name, got)
		}
		if _, _, code, _ := cb.Run(t.Context(), sshx.Command("test", "-e", p), sshx.OKExit(1)); code != 1 {
			t.Errorf("%s written on %s is visible on %s", p, a.Name, b.Name)
		}
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s written on %s is visible on the machine itself", p, a.Name)
		}
		if got, err := os.ReadFile(filepath.Join(a.Root(), p)); err != nil || string(got) != a.Name+"\n" {
			t.Errorf("Root()%s = %q, %v", p, got, err)
		}
		if got, err := a.ReadFile(p); err != nil || string(got) != a.Name+"\n" {
			t.Errorf("ReadFile(%s) = %q, %v", p, got, err)
		}
	}
	for _, h := range env.Hosts {
		if got := run(t, map[*testhosts.Host]*sshx.Client{a: ca, b: cb}[h], "hostname"); got != h.Name+"\n" {
			t.Errorf("hostname on %s = %q", h.Name, got)
		}
	}
}

func TestStandInsOnPath(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	for _, user := range []string{testhosts.RootUser, testhosts.SudoUser} {
		c := dial(t, env, h, user)
		for _, opts := range [][]sshx.RunOption{nil, {sshx.AsLoginUser()}} {
			for _, name := range []string{"kubeadm", "kubectl", "systemctl", "apt-get", "sysctl", "modprobe", "swapoff", "iptables"} {
				if got := run(t, c, "command -v "+name, opts...); got != "/usr/local/bin/"+name+"\n" {
					t.Errorf("%s (login user only: %v): %s resolves to %q", user, opts != nil, name, got)
				}
			}
		}
	}
}

func TestKubeadmStandIn(t *testing.T) {
	adminConf := []byte("apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: test\n")
	env := testhosts.New(t, 3, testhosts.WithAdminConf(adminConf))
	cp, w1, w2 := env.Hosts[0], env.Hosts[1], env.Hosts[2]
	ccp := dial(t, env, cp, testhosts.SudoUser)
	c1, c2 := dial(t, env, w1, testhosts.RootUser), dial(t, env, w2, testhosts.RootUser)

	cfg := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: " + cp.Addr + "\n"
	if err := ccp.WriteFile(t.Context(), "/etc/kubernetes/podlab/kubeadm.yaml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, ccp, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml")
	if !strings.Contains(out, "Your Kubernetes control-plane has initialized successfully!") {
		t.Errorf("init printed:\n%s", out)
	}
	if got, err := os.ReadFile(filepath.Join(cp.Root(), "etc/kubernetes/admin.conf")); err != nil || string(got) != string(adminConf) {
		t.Errorf("admin.conf = %q, %v", got, err)
	}
	if _, err := w1.ReadFile("/etc/kubernetes/admin.conf"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("admin.conf appeared on a worker: %v", err)
	}

	// A second init is refused, as by the real kubeadm.
	_, _, _, err := ccp.Run(t.Context(), "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml")
	var ce *sshx.CommandError
	if !errors.As(err, &ce) || ce.ExitCode != 1 || !strings.Contains(strings.Join(ce.Tail, "\n"), "kube-apiserver.yaml already exists") {
		t.Errorf("second init: %v", err)
	}

	join := run(t, ccp, "kubeadm token create --print-join-command", sshx.SecretOutput())
	shape := regexp.MustCompile(`^kubeadm join ` + regexp.QuoteMeta(cp.Addr) + `:6443 --token abcdef\.0123456789abcdef --discovery-token-ca-cert-hash sha256:[0-9a-f]{64} \n$`)
	if !shape.MatchString(join) {
		t.Fatalf("join command %q has the wrong shape", join)
	}
	if !strings.Contains(join, env.CACertHash()) {
		t.Errorf("join command lacks the environment's CA hash %s", env.CACertHash())
	}
	join = strings.TrimSpace(join)

	run(t, c1, join, sshx.Redact(testhosts.Token))
	if _, err := w1.ReadFile("/etc/kubernetes/kubelet.conf"); err != nil {
		t.Errorf("join wrote no kubelet.conf: %v", err)
	}
	if _, err := w2.ReadFile("/etc/kubernetes/kubelet.conf"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("kubelet.conf appeared on the worker that did not join: %v", err)
	}

	// An injected failure fails the next matching call once, then is spent.
	w2.FailNext("kubeadm join", 1, "error execution phase kubelet-start: injected by the test")
	w2.FailNext("systemctl restart", 5, "unused")
	_, _, _, err = c2.Run(t.Context(), join)
	if !errors.As(err, &ce) || ce.ExitCode != 1 || !strings.Contains(strings.Join(ce.Tail, "\n"), "injected by the test") {
		t.Fatalf("injected failure: %v", err)
	}
	if _, err := w2.ReadFile("/etc/kubernetes/kubelet.conf"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed join wrote kubelet.conf")
	}
	run(t, c2, join)
	if n := w2.PendingFailures(); n != 1 {
		t.Errorf("pending failures = %d, want 1 (the unused systemctl one)", n)
	}
	if got := run(t, c2, "systemctl restart kubelet || echo failed:$?"); got != "failed:5\n" {
		t.Errorf("injected systemctl failure: %q", got)
	}

	// The command logs show exactly what each host was asked to do.
	wantJoin := strings.Fields(join)
	if calls := w1.Calls(); len(calls) != 1 || !slices.Equal(calls[0], wantJoin) {
		t.Errorf("%s calls: %q", w1.Name, calls)
	}
	if log := w2.CommandLog(); len(log) != 3 || log[0] != log[1] || log[2] != "systemctl restart kubelet" {
		t.Errorf("%s log: %q", w2.Name, log)
	}
	if log := cp.CommandLog(); len(log) != 3 || log[0] != "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml" {
		t.Errorf("%s log: %q", cp.Name, log)
	}

	nodes := run(t, ccp, "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o name")
	if nodes != "node/node-0\nnode/node-1\nnode/node-2\n" {
		t.Errorf("get nodes -o name = %q", nodes)
	}
	if _, _, _, err := c1.Run(t.Context(), "kubectl get nodes"); err == nil {
		t.Error("kubectl without a kubeconfig succeeded")
	}

	// reset wants -f (or a "y"), then removes what init/join wrote.
	if _, _, _, err := c1.Run(t.Context(), "kubeadm reset"); err == nil {
		t.Error("kubeadm reset without -f and without an answer succeeded")
	}
	run(t, c1, "kubeadm reset -f")
	if _, err := w1.ReadFile("/etc/kubernetes/kubelet.conf"); !errors.Is(err, os.ErrNotExist) {
		t.Error("reset left kubelet.conf")
	}
	run(t, ccp, "kubeadm reset -f")
	if _, err := cp.ReadFile("/etc/kubernetes/admin.conf"); !errors.Is(err, os.ErrNotExist) {
		t.Error("reset left admin.conf")
	}
	if _, _, _, err := ccp.Run(t.Context(), "kubeadm token create --print-join-command"); err == nil {
		t.Error("token create after reset succeeded")
	}
	run(t, ccp, "kubeadm init --config /etc/kubernetes/podlab/kubeadm.yaml") // init works again
}

func TestCommandLogKeepsArguments(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	c := dial(t, env, h, testhosts.SudoUser)
	argv := []string{"systemctl", "set-environment", "A=it's", "", "two words", "$HOME", "x;y"}
	run(t, c, sshx.Command(argv...))
	run(t, c, "sysctl -w net.ipv4.ip_forward=1; modprobe br_netfilter; swapoff -a; iptables -F")
	want := [][]string{argv, {"sysctl", "-w", "net.ipv4.ip_forward=1"}, {"modprobe", "br_netfilter"}, {"swapoff", "-a"}, {"iptables", "-F"}}
	if got := h.Calls(); !equalCalls(got, want) {
		t.Errorf("calls:\n got %q\nwant %q", got, want)
	}
	h.ClearCommandLog()
	if got := h.Calls(); len(got) != 0 {
		t.Errorf("after clear: %q", got)
	}
}

func equalCalls(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// TestFreshPathsAbsent: a new host has no kubeadm, CNI or containerd state,
// even when the machine has some (it may run the real test cluster).
func TestFreshPathsAbsent(t *testing.T) {
	env := testhosts.New(t, 1)
	c := dial(t, env, env.Hosts[0], testhosts.RootUser)
	for _, p := range []string{"/etc/kubernetes", "/etc/cni", "/etc/containerd", "/opt/cni", "/var/lib/kubelet", "/var/lib/etcd", "/var/lib/cni", "/var/lib/containerd", "/var/log/pods"} {
		if _, _, code, err := c.Run(t.Context(), sshx.Command("test", "-e", p), sshx.OKExit(1)); err != nil || code != 1 {
			t.Errorf("%s exists on a new host (%v)", p, err)
		}
	}
	// Creating one works and hides the machine's content for good.
	run(t, c, "mkdir -p /var/lib/kubelet/pki && test -z \"$(ls -A /var/lib/kubelet | grep -v pki)\"")
}
