package kubeadm

import (
	"context"
	"strings"
)

// cniLinks are the interfaces common pod networks create; kubeadm reset
// leaves them.
var cniLinks = []string{"cni0", "flannel.1", "flannel-v6.1", "kube-ipvs0", "vxlan.calico", "vxlan-v6.calico", "cilium_host", "cilium_net", "cilium_vxlan", "weave"}

// k8sRules matches the iptables chains and rules Kubernetes and the usual
// pod networks add.
const k8sRules = `KUBE-|CNI-|FLANNEL|cali-|cali:|CILIUM|WEAVE`

// cleanupNodes removes what kubeadm reset leaves on purpose: the pod
// network's configuration, state and interfaces, the iptables rules of
// kube-proxy and the CNI, and podlab's own files. Only Kubernetes rules go;
// the host's own firewall (say, the rule that lets SSH in) stays, where a
// blanket iptables -F would drop it.
type cleanupNodes struct{}

func (cleanupNodes) name() string             { return "cleanup" }
func (cleanupNodes) hosts(c *cluster) []*host { return c.hosts }

func (cleanupNodes) run(ctx context.Context, c *cluster, h *host) error {
	if _, err := h.run(ctx, []string{"rm", "-rf", "/etc/cni/net.d", "/var/lib/cni", "/run/flannel", podlabRemoteDir}); err != nil {
		return err
	}
	script := `set -e
for fam in iptables ip6tables; do
	command -v "$fam-save" >/dev/null 2>&1 || continue
	rules=$("$fam-save")
	printf '%s\n' "$rules" | grep -v -E '` + k8sRules + `' | "$fam-restore"
done
for l in ` + strings.Join(cniLinks, " ") + `; do
	if ip link show "$l" >/dev/null 2>&1; then ip link delete "$l"; fi
done
if command -v ipvsadm >/dev/null 2>&1; then ipvsadm --clear; fi`
	if _, err := h.script(ctx, script); err != nil {
		return err
	}
	if !c.spec.install && c.spec.bundle == nil {
		return nil
	}
	// podlab installed the node's services: the host is left with them
	// stopped (kubeadm reset stopped the kubelet already), and the next
	// apply's install starts them again.
	if _, err := h.run(ctx, []string{"systemctl", "stop", "kubelet", "containerd"}); err != nil {
		return err
	}
	return c.forget(h, "install")
}
