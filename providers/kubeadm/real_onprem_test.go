package kubeadm

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/plan"
)

// onpremEnv opts in to the real three-node tests: three kubelets,
// containerds and kube-proxies, a control plane and flannel on this
// machine for a few minutes.
const onpremEnv = "PODLAB_ONPREM"

// registryAddr is the local test cluster's image registry, which the
// nodes reach through the slot's gateway (testhosts.Env.Forward).
const registryAddr = "127.0.0.1:5000"

// onpremKubeletConfig and onpremProxyConfig are the kubeadm_extra_config
// for nodes that share one kernel and disk: the machine's cgroup driver and
// cgroup v1, image GC and disk eviction off (every node sees the one
// disk), and kube-proxy leaving the machine-wide conntrack table size
// alone (as kind sets them).
const onpremExtraConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
evictionHard:
  memory.available: "50Mi"
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
  imagefs.inodesFree: "0%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
conntrack:
  maxPerCore: 0
`

// onpremPreflight are kubeadm checks these nodes cannot pass: the kernel
// configuration kubeadm's SystemVerification reads is not on this VM.
var onpremPreflight = []string{"SystemVerification"}

// realOnPrem is three real nodes and a lab on them.
type realOnPrem struct {
	env    *testhosts.Env
	lab    *lab
	bundle string
}

func newRealOnPrem(t *testing.T) *realOnPrem {
	t.Helper()
	if os.Getenv(onpremEnv) != "1" {
		t.Skipf("set %s=1 to build a real three-node kubeadm cluster on this machine", onpremEnv)
	}
	start := time.Now()
	bundle := testBundle(t)
	pushFlannel(t, registryAddr)
	t.Logf("bundle %s and flannel image ready in %s", bundle, time.Since(start).Round(time.Millisecond))
	env := testhosts.New(t, 3, testhosts.WithRealNodes())
	if err := env.Forward(5000, registryAddr); err != nil {
		t.Fatal(err)
	}
	l := newLab(t, env, func(k *Config) {
		k.Bundle = bundle
		k.ExtraConfig = onpremExtraConfig
		k.IgnorePreflightErrors = onpremPreflight
		k.NodeReadyTimeout = "5m"
	})
	l.p.Cfg.CNIManifest = flannelManifest(t, l.p.LabDir)
	l.p.probe = nil // the real API server
	t.Cleanup(func() {
		if t.Failed() {
			for _, h := range env.Hosts {
				out, _ := h.Exec("tail -n 25 /var/log/kubelet.log; tail -n 10 /var/log/containerd.log")
				t.Logf("%s:\n%s", h.Name, out)
			}
		}
	})
	return &realOnPrem{env: env, lab: l, bundle: bundle}
}

// TestRealOnPrem builds a three-node cluster for real with podlab's apply
// (bundle install, kubeadm init and join, flannel from its manifest),
// checks that pods on different nodes reach each other and that nodes
// reach pods on other nodes, through flannel's VXLAN and kube-proxy's
// Service rules; then destroy resets every host completely, checked on
// each, and a second apply builds the same cluster again.
func TestRealOnPrem(t *testing.T) {
	o := newRealOnPrem(t)
	l := o.lab
	for round := 1; round <= 2; round++ {
		start := time.Now()
		conn := l.mustApply()
		t.Logf("round %d: apply took %s", round, time.Since(start).Round(time.Millisecond))
		cs, err := kubernetes.NewForConfig(conn.REST)
		if err != nil {
			t.Fatal(err)
		}
		o.checkCluster(t, cs)
		if round == 1 {
			ch, err := l.p.Plan(t.Context(), l.state(), true)
			if err != nil || ch.Action != plan.NoOp {
				t.Errorf("plan after apply: %v, %+v", err, ch)
			}
		}
		start = time.Now()
		if err := l.destroy(); err != nil {
			t.Fatalf("round %d: destroy: %v", round, err)
		}
		t.Logf("round %d: destroy took %s", round, time.Since(start).Round(time.Millisecond))
		o.checkReset(t)
		// A finished destroy drops the cluster from state (engine.Destroy).
		l.mu.Lock()
		l.st = nil
		l.mu.Unlock()
	}
}

// checkCluster: three Ready nodes, flannel and kube-proxy on each, pods
// on two workers reaching each other, a node reaching a pod on another
// node, and a Service's ClusterIP answering from a node.
func (o *realOnPrem) checkCluster(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 3 {
		t.Fatalf("%d nodes, want 3", len(nodes.Items))
	}
	for _, n := range nodes.Items {
		if !nodeReady(&n) {
			t.Errorf("node %s is not Ready", n.Name)
		}
	}
	waitDaemonSet(ctx, t, cs, "kube-flannel", "kube-flannel-ds", 3)
	waitDaemonSet(ctx, t, cs, "kube-system", "kube-proxy", 3)
	for _, h := range o.env.Hosts {
		out, err := h.Exec("ip -d link show flannel.1 && cat /run/flannel/subnet.env && iptables-save -t nat | grep -c KUBE-SERVICES")
		if err != nil || !strings.Contains(out, "vxlan id 1") {
			t.Errorf("%s: no flannel VXLAN: %v\n%s", h.Name, err, out)
		}
	}
	if t.Failed() {
		describePods(t, cs, "kube-flannel")
		describePods(t, cs, "kube-system")
	}
	ns := "onprem-test"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitServiceAccount(ctx, t, cs, ns)
	zero := int64(0)
	pod := func(name, node string, labels map[string]string, c corev1.Container) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{c}, TerminationGracePeriodSeconds: &zero},
		}
	}
	web := pod("web", "node-1", map[string]string{"app": "web"}, corev1.Container{Name: "nginx", Image: "nginx:latest"})
	client := pod("client", "node-2", nil, corev1.Container{Name: "curl", Image: "alicek106/rr-test:curl", Command: []string{"sleep", "3600"}})
	for _, p := range []*corev1.Pod{web, client} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80)}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRunning(ctx, t, cs, ns, "web")
	waitRunning(ctx, t, cs, ns, "client")
	got, err := cs.CoreV1().Pods(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ip := got.Status.PodIP
	svc, err := cs.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// From the nodes other than the pod's (node-0, the control plane, and
	// node-2), over VXLAN; and the Service address, through kube-proxy.
	// The Service answers once its endpoint is published and kube-proxy
	// has written its rules: a few seconds after the pod is ready.
	for _, h := range []*testhosts.Host{o.env.Hosts[0], o.env.Hosts[2]} {
		for _, target := range []string{ip, svc.Spec.ClusterIP} {
			var out string
			var err error
			for deadline := time.Now().Add(time.Minute); ; {
				out, err = h.Exec("curl -s -m 10 http://" + target + "/")
				if err == nil && strings.Contains(out, "Welcome to nginx!") || time.Now().After(deadline) {
					break
				}
				time.Sleep(time.Second)
			}
			if err != nil || !strings.Contains(out, "Welcome to nginx!") {
				t.Errorf("curl http://%s/ from %s: %v\n%s", target, h.Name, err, out)
			}
		}
	}
	// Pod to pod, node-2 to node-1, from the client's own network.
	out, err := o.podExec(ns, "client", "curl -s -m 10 http://"+ip+"/")
	if err != nil || !strings.Contains(out, "Welcome to nginx!") {
		t.Errorf("curl from the pod on node-2 to %s on node-1: %v\n%s", ip, err, out)
	}
}

// podExec runs a command in a pod with kubectl exec on the control plane
// (the kubectl the bundle installed there).
func (o *realOnPrem) podExec(ns, pod, cmd string) (string, error) {
	return o.env.Hosts[0].Exec(fmt.Sprintf("kubectl --kubeconfig /etc/kubernetes/admin.conf exec -n %s %s -- sh -c %s", ns, pod, shellQuote(cmd)))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func waitServiceAccount(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	for ctx.Err() == nil {
		if _, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("namespace %s never got its default ServiceAccount", ns)
}

// checkReset: nothing of Kubernetes is left on any host.
func (o *realOnPrem) checkReset(t *testing.T) {
	t.Helper()
	for _, h := range o.env.Hosts {
		out, err := h.Exec(`
echo "chains: $(iptables-save | grep -cE '^:(KUBE-|FLANNEL)|-j (KUBE-|FLANNEL)')"
echo "links: $(ip -o link show | grep -cE ' (cni0|flannel\.1)[:@]')"
echo "mounts: $(grep -c ' /var/lib/kubelet' /proc/self/mountinfo)"
echo "kubelet: $(systemctl is-active kubelet)"
echo "containerd: $(systemctl is-active containerd)"
echo "etc-kubernetes: $(find /etc/kubernetes -type f 2>/dev/null | wc -l)"
echo "var-lib-etcd: $(find /var/lib/etcd -mindepth 1 2>/dev/null | wc -l)"
echo "cni: $(ls /etc/cni/net.d /var/lib/cni /run/flannel 2>/dev/null | grep -vc ':$')"
`)
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		want := "chains: 0\nlinks: 0\nmounts: 0\nkubelet: inactive\ncontainerd: inactive\netc-kubernetes: 0\nvar-lib-etcd: 0\ncni: 0\n"
		if out != want {
			t.Errorf("%s after destroy:\n%s\nwant:\n%s", h.Name, out, want)
		}
	}
}

// waitDaemonSet waits until the DaemonSet has n pods ready.
func waitDaemonSet(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, name string, n int32) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err == nil && ds.Status.NumberReady == n {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Errorf("daemonset %s/%s not ready on %d nodes: %v", ns, name, n, err)
			if ds != nil {
				t.Logf("status: %+v", ds.Status)
			}
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// describePods logs the namespace's pods, their containers' states and
// the last lines of their logs.
func describePods(t *testing.T, cs kubernetes.Interface, ns string) {
	ctx := context.WithoutCancel(t.Context())
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Logf("pods in %s: %v", ns, err)
		return
	}
	tail := int64(15)
	for _, p := range pods.Items {
		t.Logf("pod %s/%s on %s: %s", ns, p.Name, p.Spec.NodeName, p.Status.Phase)
		for _, c := range p.Status.ContainerStatuses {
			t.Logf("  %s ready=%v restarts=%d state=%+v last=%+v", c.Name, c.Ready, c.RestartCount, c.State, c.LastTerminationState)
			b, _ := cs.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{Container: c.Name, TailLines: &tail}).DoRaw(ctx)
			t.Logf("  logs:\n%s", b)
		}
	}
}
