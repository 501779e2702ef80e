package kubeadm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// kernelModules are what the container runtime and kube-proxy need, and
// sysctls the settings every kubeadm install guide asks for.
var (
	kernelModules = []string{"overlay", "br_netfilter"}
	sysctls       = []string{"net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables", "net.ipv4.ip_forward"}
)

const (
	modulesFile = "/etc/modules-load.d/podlab-kubernetes.conf"
	sysctlFile  = "/etc/sysctl.d/99-podlab-kubernetes.conf"
)

// Ports a node's components listen on, which must be free before kubeadm
// runs. kube-apiserver binds 6443 whatever port api_server_endpoint names
// (a load balancer may listen on another).
var (
	controlPlanePorts = map[int]string{6443: "kube-apiserver", 2379: "etcd", 2380: "etcd", 10250: "kubelet", 10256: "kube-proxy", 10257: "kube-controller-manager", 10259: "kube-scheduler"}
	workerPorts       = map[int]string{10250: "kubelet", 10256: "kube-proxy"}
)

// preflight makes each host fit for kubeadm and says clearly what is not:
// swap off (now and after a reboot), the kernel modules loaded (and loaded
// at boot), the sysctls set (and kept), the needed ports free, and, unless
// podlab installs them, kubeadm, kubelet and kubectl present.
type preflight struct{}

func (preflight) name() string             { return "preflight" }
func (preflight) hosts(c *cluster) []*host { return c.hosts }

func (preflight) run(ctx context.Context, c *cluster, h *host) error {
	f := h.facts
	if !c.spec.install && c.spec.bundle == nil {
		var missing []string
		for tool, ok := range map[string]bool{"kubeadm": f.kubeadm != "", "kubelet": f.kubelet, "kubectl": f.kubectl || h.role != controlPlane} {
			if !ok {
				missing = append(missing, tool)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return fmt.Errorf("%s not installed (not on root's PATH); install them with a container runtime, or set install = true in the kubeadm block to have podlab install them", strings.Join(missing, ", "))
		}
	}
	if err := swapOff(ctx, h); err != nil {
		return err
	}
	if err := loadModules(ctx, h); err != nil {
		return err
	}
	if err := setSysctls(ctx, h); err != nil {
		return err
	}
	if f.initialised() || f.joined() {
		return nil // its components hold the ports already
	}
	return portsFree(ctx, c, h)
}

// swapOff turns swap off and comments it out of /etc/fstab: the kubelet
// refuses to start with swap on.
func swapOff(ctx context.Context, h *host) error {
	if len(h.facts.swap) == 0 {
		return nil
	}
	if _, err := h.run(ctx, []string{"swapoff", "-a"}); err != nil {
		return fmt.Errorf("swap is on (%s) and the kubelet refuses to run with it: %w", strings.Join(h.facts.swap, ", "), err)
	}
	// Comment out swap entries so a reboot does not bring it back.
	if _, err := h.script(ctx, `if [ -f /etc/fstab ]; then sed -i.podlab-backup '/^[^#].*[[:space:]]swap[[:space:]]/ s/^/#/' /etc/fstab; fi`); err != nil {
		return err
	}
	out, err := h.run(ctx, []string{"swapon", "--show=NAME", "--noheadings"})
	if err != nil {
		return err
	}
	if left := strings.Fields(out); len(left) > 0 {
		return fmt.Errorf("swap is still on after swapoff -a (%s); the kubelet refuses to run with swap: turn it off on the host", strings.Join(left, ", "))
	}
	return nil
}

func loadModules(ctx context.Context, h *host) error {
	if err := h.client.WriteFile(ctx, modulesFile, []byte(strings.Join(kernelModules, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	for _, m := range kernelModules {
		// A host without modprobe (kmod) cannot load modules: it passes
		// when the kernel has the module already (loaded or built in).
		present := fmt.Sprintf("[ -d /sys/module/%[1]s ] || grep -qs '^%[1]s ' /proc/modules", m)
		if m == "br_netfilter" {
			present += " || [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]"
		}
		script := fmt.Sprintf("if command -v modprobe >/dev/null 2>&1; then exec modprobe %[1]s; fi\nif %[2]s; then exit 0; fi\necho \"modprobe is not installed and the kernel has no %[1]s module loaded\" >&2\nexit 1", m, present)
		if _, err := h.script(ctx, script); err != nil {
			return fmt.Errorf("kernel module %s cannot be loaded (the container runtime and kube-proxy need it): %w", m, err)
		}
	}
	return nil
}

func setSysctls(ctx context.Context, h *host) error {
	var conf strings.Builder
	set := []string{"sysctl", "-w"}
	for _, s := range sysctls {
		fmt.Fprintf(&conf, "%s = 1\n", s)
		set = append(set, s+"=1")
	}
	if err := h.client.WriteFile(ctx, sysctlFile, []byte(conf.String()), 0o644); err != nil {
		return err
	}
	if _, err := h.run(ctx, set); err != nil {
		return fmt.Errorf("cannot set the sysctls Kubernetes networking needs: %w", err)
	}
	out, err := h.run(ctx, append([]string{"sysctl", "-n"}, sysctls...))
	if err != nil {
		return err
	}
	got := strings.Fields(out)
	var wrong []string
	for i, s := range sysctls {
		v := "(missing)"
		if i < len(got) {
			v = got[i]
		}
		if v != "1" {
			wrong = append(wrong, fmt.Sprintf("%s = %s", s, v))
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("sysctls still wrong after setting them to 1: %s (is another file in /etc/sysctl.d overriding %s?)", strings.Join(wrong, ", "), sysctlFile)
	}
	return nil
}

// portsFree fails when something already listens on a port a node of this
// role needs, naming the port, what needs it and what holds it.
func portsFree(ctx context.Context, c *cluster, h *host) error {
	need := workerPorts
	if h.role == controlPlane {
		need = controlPlanePorts
	}
	out, _, code, err := h.client.Run(ctx, "command -v ss >/dev/null 2>&1 || exit 3\nss -Htlnp", sshx.OKExit(3))
	if err != nil {
		return err
	}
	if code == 3 {
		c.logf("preflight on %s: ss (iproute2) is not installed, so the ports were not checked; kubeadm checks them itself", h)
		return nil
	}
	var busy []string
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 4 {
			continue
		}
		_, port, err := net.SplitHostPort(fields[3])
		if err != nil {
			continue
		}
		n, _ := strconv.Atoi(port)
		if who, ok := need[n]; ok {
			holder := ""
			if len(fields) > 5 {
				holder = " by " + fields[5]
			}
			busy = append(busy, fmt.Sprintf("port %d (needed by %s) is in use%s", n, who, holder))
		}
	}
	if len(busy) > 0 {
		slices.Sort(busy)
		busy = slices.Compact(busy)
		return errors.New(strings.Join(busy, "; ") + ": stop what listens there, or use another host")
	}
	return nil
}
