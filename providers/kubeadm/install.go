package kubeadm

import (
	"context"
	"fmt"
	"strings"

	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// Where install puts the Kubernetes package repository (pkgs.k8s.io keeps
// one repository per minor version).
const (
	aptKeyring       = "/etc/apt/keyrings/kubernetes-apt-keyring.asc"
	aptSource        = "/etc/apt/sources.list.d/kubernetes.list"
	containerdConfig = "/etc/containerd/config.toml"
)

var kubePackages = []string{"kubeadm", "kubelet", "kubectl"}

// install puts containerd and the pinned kubeadm, kubelet and kubectl on
// each host with apt (Debian and Ubuntu), holds the Kubernetes packages
// at that version, configures containerd for the systemd cgroup driver
// kubeadm expects, and starts both services. It runs only with install =
// true; hosts that already have the pinned packages are left as they are,
// so offline hosts prepared in advance pass.
type install struct{}

func (install) name() string { return "install" }

func (install) hosts(c *cluster) []*host {
	if !c.spec.install && c.spec.bundle == nil {
		return nil
	}
	return c.hosts
}

func (install) run(ctx context.Context, c *cluster, h *host) error {
	if c.spec.bundle != nil {
		return installBundle(ctx, c, h)
	}
	f := h.facts
	if !isDebianLike(f) {
		return fmt.Errorf("install = true installs packages with apt, for Debian and Ubuntu hosts; this host runs %q: install containerd, kubeadm, kubelet and kubectl yourself and set install = false", f.osName)
	}
	s := c.spec
	want := strings.TrimSuffix(s.packageVersion, "*")
	have, err := installedPackages(ctx, h, append([]string{"containerd"}, kubePackages...))
	if err != nil {
		return err
	}
	upToDate := have["containerd"] != ""
	for _, p := range kubePackages {
		if !strings.HasPrefix(have[p], want) {
			upToDate = false
		}
	}
	if upToDate {
		c.logf("install on %s: containerd %s, kubeadm, kubelet and kubectl %s are installed already", h, have["containerd"], have["kubeadm"])
		return startServices(ctx, c, h)
	}
	minor := minorVersion(s.version)
	repo := fmt.Sprintf("https://pkgs.k8s.io/core:/stable:/%s/deb/", minor)
	apt := func(args ...string) error {
		_, err := h.run(ctx, append([]string{"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-q", "-y"}, args...))
		return err
	}
	if err := apt("update"); err != nil {
		return err
	}
	if err := apt("install", "containerd", "apt-transport-https", "ca-certificates", "curl"); err != nil {
		return err
	}
	if _, err := h.run(ctx, []string{"curl", "-fsSL", "--create-dirs", "-o", aptKeyring, repo + "Release.key"}); err != nil {
		return fmt.Errorf("cannot fetch the Kubernetes package key from %s (an offline host needs kubeadm, kubelet and kubectl installed in advance): %w", repo, err)
	}
	source := fmt.Sprintf("deb [signed-by=%s] %s /\n", aptKeyring, repo)
	if err := h.client.WriteFile(ctx, aptSource, []byte(source), 0o644); err != nil {
		return err
	}
	if err := apt("update"); err != nil {
		return err
	}
	pinned := []string{"install", "--allow-downgrades", "--allow-change-held-packages"}
	for _, p := range kubePackages {
		pinned = append(pinned, p+"="+s.packageVersion)
	}
	if err := apt(pinned...); err != nil {
		return err
	}
	if _, err := h.run(ctx, append([]string{"apt-mark", "hold"}, kubePackages...)); err != nil {
		return err
	}
	return startServices(ctx, c, h)
}

// startServices configures containerd and starts it and the kubelet.
func startServices(ctx context.Context, c *cluster, h *host) error {
	if err := configureContainerd(ctx, c, h); err != nil {
		return err
	}
	_, err := h.run(ctx, []string{"systemctl", "enable", "--now", "containerd", "kubelet"})
	return err
}

// configureContainerd writes containerd's default configuration with the
// cgroup driver the kubelet uses (systemd, kubeadm's default, unless
// kubeadm_extra_config's KubeletConfiguration says cgroupfs), unless the
// host's own configuration already uses that driver; with a bundle it
// also makes the bundle's pause image containerd's sandbox image, since
// an offline host cannot pull containerd's default one.
func configureContainerd(ctx context.Context, c *cluster, h *host) error {
	want := "true"
	if c.spec.cgroupDriver() == "cgroupfs" {
		want = "false"
	}
	script := fmt.Sprintf(`set -e
changed=
if ! grep -qs 'SystemdCgroup = %[3]s' %[1]s; then
	mkdir -p %[2]s
	containerd config default | sed 's/SystemdCgroup = .*/SystemdCgroup = %[3]s/' >%[1]s.podlab
	mv %[1]s.podlab %[1]s
	changed=1
fi`, sshx.Quote(containerdConfig), sshx.Quote("/etc/containerd"), want)
	if c.spec.bundle != nil {
		if pause := c.spec.bundle.PauseImage(); pause != "" {
			script += fmt.Sprintf(`
if ! grep -qs %[2]s %[1]s; then
	sed -i 's#sandbox_image = .*#sandbox_image = "%[3]s"#' %[1]s
	changed=1
fi`, sshx.Quote(containerdConfig), sshx.Quote(`sandbox_image = "`+pause+`"`), pause)
		}
	}
	script += `
if [ -n "$changed" ]; then systemctl restart containerd; fi`
	_, err := h.script(ctx, script)
	return err
}

// installedPackages asks dpkg which of the packages are installed, at
// which version; a missing package is absent from the map.
func installedPackages(ctx context.Context, h *host, pkgs []string) (map[string]string, error) {
	// dpkg-query exits 1 when some package is unknown, after listing the others.
	out, _, _, err := h.client.Run(ctx, sshx.Command(append([]string{"dpkg-query", "-W", "--showformat=${Package} ${Version} ${db:Status-Abbrev}\\n"}, pkgs...)...), sshx.OKExit(1))
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		// "ii" is installed; "rc" (removed, config left) and others are not.
		if len(f) >= 3 && f[2] == "ii" {
			have[f[0]] = f[1]
		}
	}
	return have, nil
}

func isDebianLike(f *facts) bool {
	switch f.osID {
	case "debian", "ubuntu":
		return true
	}
	return strings.Contains(" "+f.osLike+" ", " debian ")
}

// minorVersion turns "v1.34.4" into "v1.34".
func minorVersion(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
