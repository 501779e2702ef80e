package kubeadm

import (
	"context"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/podlab/podlab/internal/bundle"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// remoteBundleDir is where a bundle is uploaded on a host; files already
// there with the right checksum are not sent again.
const remoteBundleDir = "/var/lib/podlab/bundle"

// verifyHosts checks, once every host's facts are known and before any
// host is changed, what only the hosts can tell: that each can run the
// bundle's binaries and has containerd for its images, that no two
// hosts would register the same node name, and that the pod and service
// networks hold none of a host's addresses.
type verifyHosts struct{}

func (verifyHosts) name() string             { return "verify" }
func (verifyHosts) hosts(c *cluster) []*host { return c.hosts }
func (verifyHosts) everyTime()               {}

func (verifyHosts) run(_ context.Context, c *cluster, h *host) error {
	f := h.facts
	if b := c.spec.bundle; b != nil {
		if err := b.CheckArch(f.arch); err != nil {
			return err
		}
		if !f.containerd {
			return fmt.Errorf("bundle %s installs Kubernetes but not the container runtime, and the host has no containerd: install it (Debian and Ubuntu: apt-get install containerd) or put it in the VM image", b.Dir)
		}
	}
	for _, o := range c.hosts {
		if o != h && o.facts != nil && o.facts.nodeName() == f.nodeName() {
			return fmt.Errorf("hosts %s and %s both have the hostname %q, and kubeadm registers each node by its hostname: give every host its own (hostnamectl set-hostname NAME on the host)", h.addr, o.addr, f.hostname)
		}
	}
	// A node of the cluster already has addresses in the pod network (its
	// cni0 and flannel.1): only hosts kubeadm has not touched are checked.
	if f.initialised() || f.joined() || f.leftovers() {
		return nil
	}
	for _, n := range []struct{ attr, cidr string }{{"pod_network_cidr", c.spec.podCIDR}, {"service_cidr", c.spec.serviceCIDR}} {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		if err != nil {
			continue // newSpec reported it
		}
		for _, a := range f.addrs {
			if ip := net.ParseIP(a); ip != nil && ipnet.Contains(ip) {
				return overlapError(n.attr, n.cidr, h.addr, a)
			}
		}
	}
	return nil
}

// installBundle uploads the bundle's files the host lacks, checks every
// file's checksum on the host, installs the binaries (/usr/local/bin) and
// CNI plugins (/opt/cni/bin), gives the kubelet the systemd unit the
// Kubernetes packages ship, configures and starts containerd, imports the
// images into its k8s.io namespace, and checks that every image kubeadm
// will run is there.
func installBundle(ctx context.Context, c *cluster, h *host) error {
	b := c.spec.bundle
	have, err := remoteSums(ctx, h, b)
	if err != nil {
		return err
	}
	sent := 0
	for _, f := range b.Files {
		if have[f.Path] == f.SHA256 {
			continue
		}
		if err := upload(ctx, h, filepath.Join(b.Dir, filepath.FromSlash(f.Path)), path.Join(remoteBundleDir, f.Path)); err != nil {
			return err
		}
		sent++
	}
	c.logf("install on %s: bundle %s: %d of %d files uploaded, the rest were there already", h, b.KubernetesVersion, sent, len(b.Files))
	if err := checkRemoteSums(ctx, h, b); err != nil {
		return err
	}
	var script strings.Builder
	script.WriteString("set -e\nmkdir -p /usr/local/bin /opt/cni/bin\n")
	for _, f := range b.Part("bin") {
		fmt.Fprintf(&script, "install -m 0755 %s /usr/local/bin/%s\n", sshx.Quote(path.Join(remoteBundleDir, f.Path)), sshx.Quote(f.Base()))
	}
	for _, f := range b.Part("cni") {
		fmt.Fprintf(&script, "install -m 0755 %s /opt/cni/bin/%s\n", sshx.Quote(path.Join(remoteBundleDir, f.Path)), sshx.Quote(f.Base()))
	}
	// The unit and drop-in the kubelet's Debian package installs, unless
	// the host has a kubelet unit already.
	fmt.Fprintf(&script, `if [ ! -e /lib/systemd/system/kubelet.service ] && [ ! -e /etc/systemd/system/kubelet.service ]; then
	mkdir -p /etc/systemd/system/kubelet.service.d
	cat >/etc/systemd/system/kubelet.service <<'EOF'
%sEOF
	cat >/etc/systemd/system/kubelet.service.d/10-kubeadm.conf <<'EOF'
%sEOF
	systemctl daemon-reload
fi
systemctl enable kubelet
`, kubeletUnit, kubeletDropIn)
	if _, err := h.script(ctx, script.String()); err != nil {
		return err
	}
	if err := configureContainerd(ctx, c, h); err != nil {
		return err
	}
	if _, err := h.script(ctx, `set -e
systemctl enable --now containerd
i=0
until ctr version >/dev/null 2>&1; do
	i=$((i+1))
	if [ $i -gt 300 ]; then echo "containerd did not answer on its socket within 30 s" >&2; exit 1; fi
	sleep 0.1
done`); err != nil {
		return err
	}
	return importImages(ctx, c, h)
}

// remoteSums are the checksums of the bundle files already on the host.
func remoteSums(ctx context.Context, h *host, b *bundle.Bundle) (map[string]string, error) {
	var paths []string
	for _, f := range b.Files {
		paths = append(paths, f.Path)
	}
	script := fmt.Sprintf("cd %s 2>/dev/null || exit 0\nfor f in %s; do [ -f \"$f\" ] && sha256sum \"$f\"; done\nexit 0",
		sshx.Quote(remoteBundleDir), strings.Join(quoteAll(paths), " "))
	out, err := h.script(ctx, script)
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			have[strings.TrimPrefix(f[1], "*")] = f[0]
		}
	}
	return have, nil
}

// checkRemoteSums runs sha256sum -c on the host: a file damaged on the
// way is named there.
func checkRemoteSums(ctx context.Context, h *host, b *bundle.Bundle) error {
	var list strings.Builder
	for _, f := range b.Files {
		fmt.Fprintf(&list, "%s  %s\n", f.SHA256, f.Path)
	}
	out, _, code, err := h.client.Run(ctx, fmt.Sprintf("cd %s && sha256sum -c --quiet -", sshx.Quote(remoteBundleDir)), sshx.Stdin(strings.NewReader(list.String())), sshx.OKExit(1))
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("bundle files on the host do not match %s after the upload:\n%s\nrun podlab apply again to send them again", bundle.ManifestName, strings.TrimSpace(out))
	}
	return nil
}

func upload(ctx context.Context, h *host, local, remote string) error {
	f, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer f.Close()
	return h.client.CopyFile(ctx, remote, f, 0o644)
}

// importImages imports every image archive whose images containerd's
// k8s.io namespace lacks, then checks kubeadm's own list of the images
// it will run against what containerd has.
func importImages(ctx context.Context, c *cluster, h *host) error {
	b := c.spec.bundle
	have, err := containerdImages(ctx, h)
	if err != nil {
		return err
	}
	for _, f := range b.Part("images") {
		if !slices.ContainsFunc(f.Images, func(r string) bool { return !slices.Contains(have, r) }) {
			continue
		}
		if _, err := h.run(ctx, []string{"ctr", "-n", "k8s.io", "images", "import", path.Join(remoteBundleDir, f.Path)}); err != nil {
			return fmt.Errorf("importing %s into containerd: %w", f.Path, err)
		}
	}
	if have, err = containerdImages(ctx, h); err != nil {
		return err
	}
	out, err := h.run(ctx, []string{"kubeadm", "config", "images", "list", "--kubernetes-version", c.spec.version, "--image-repository", b.ImageRepository})
	if err != nil {
		return err
	}
	var missing []string
	for _, ref := range strings.Fields(out) {
		if !slices.Contains(have, ref) {
			missing = append(missing, ref)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bundle %s lacks images kubeadm %s runs: %s (kubeadm config images list): add their archives to %s/images and run podlab bundle again", b.Dir, c.spec.version, strings.Join(missing, ", "), b.Dir)
	}
	return nil
}

func containerdImages(ctx context.Context, h *host) ([]string, error) {
	out, err := h.run(ctx, []string{"ctr", "-n", "k8s.io", "images", "ls", "-q"})
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = sshx.Quote(s)
	}
	return out
}

// kubeletUnit and kubeletDropIn are what the kubelet's Debian package
// (pkgs.k8s.io) installs, so a host installed from a bundle runs the
// kubelet as one installed with apt does.
const kubeletUnit = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/local/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`

const kubeletDropIn = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/local/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`
