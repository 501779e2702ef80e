package kubeadm

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/podlab/podlab/internal/bundle"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

// spec is a kubeadm block made ready for use: defaults applied, durations
// parsed, local paths resolved against the lab directory, and the rules
// that need more than one setting checked.
type spec struct {
	name          string
	controlPlanes []string
	workers       []string

	version         string // "v1.34.4"
	podCIDR         string
	serviceCIDR     string
	endpoint        string // api_server_endpoint, "" when not set
	certSANs        []string
	cniManifest     string // absolute, "" when not set
	install         bool
	bundle          *bundle.Bundle // install from this offline bundle; nil: apt (install) or nothing
	packageVersion  string         // Debian version for apt, e.g. "1.34.4-1.1" or "1.34.4-*"
	criSocket       string
	readyTimeout    time.Duration
	extraConfig     []byte   // YAML documents appended to the kubeadm configuration
	ignorePreflight []string // for kubeadm init and join

	ssh     SSH
	keyFile string // resolved
	known   string // resolved known_hosts file
	connect time.Duration
	bastion *sshx.Jump

	workDir string // where logs and the admin kubeconfig go
}

// newSpec checks and resolves cfg. labDir resolves relative paths; workDir
// is the environment's private directory.
func newSpec(name string, cfg *Config, labDir, workDir string) (*spec, error) {
	s := &spec{
		name:            name,
		controlPlanes:   cfg.ControlPlane,
		workers:         cfg.Workers,
		version:         cfg.KubernetesVersion,
		podCIDR:         cfg.PodNetworkCIDR,
		serviceCIDR:     cfg.ServiceCIDR,
		endpoint:        cfg.APIEndpoint,
		certSANs:        cfg.CertSANs,
		install:         cfg.Install,
		packageVersion:  cfg.PackageVersion,
		criSocket:       cfg.CRISocket,
		ignorePreflight: cfg.IgnorePreflightErrors,
		ssh:             cfg.SSH,
		workDir:         workDir,
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	if len(s.controlPlanes) == 0 {
		bad("control_plane lists no host")
	}
	if len(s.controlPlanes) > 1 && s.endpoint == "" {
		bad("control_plane lists %d hosts, which needs api_server_endpoint: the address (a load balancer or DNS name in front of them) that every node and kubeconfig uses", len(s.controlPlanes))
	}
	if !strings.HasPrefix(s.version, "v") || strings.Count(s.version, ".") != 2 {
		bad("kubernetes_version %q: write the version as kubeadm does, such as \"v1.34.4\"", s.version)
	}
	if s.packageVersion == "" {
		// apt matches the Debian revision (-1.1 on pkgs.k8s.io) by glob.
		s.packageVersion = strings.TrimPrefix(s.version, "v") + "-*"
	}
	if s.criSocket == "" {
		s.criSocket = "unix:///run/containerd/containerd.sock"
	}
	var err error
	if s.readyTimeout, err = duration(cfg.NodeReadyTimeout, 5*time.Minute); err != nil {
		bad("node_ready_timeout: %v", err)
	}
	if s.connect, err = duration(cfg.SSH.ConnectTimeout, sshx.DefaultConnectTimeout); err != nil {
		bad("ssh connect_timeout: %v", err)
	}
	if s.ssh.User == "" {
		s.ssh.User = "root"
	}
	if s.ssh.Port == 0 {
		s.ssh.Port = sshx.DefaultPort
	}
	s.keyFile = localPath(labDir, cfg.SSH.PrivateKeyFile)
	known := cfg.SSH.KnownHostsFile
	if known == "" {
		known = sshx.DefaultKnownHosts
	}
	s.known = localPath(labDir, known)
	if b := cfg.SSH.Bastion; b != nil {
		j := &sshx.Jump{Host: b.Host, Port: b.Port, User: b.User, PrivateKeyFile: localPath(labDir, b.PrivateKeyFile), UseAgent: s.ssh.UseAgent}
		if j.User == "" {
			j.User = s.ssh.User
		}
		if j.PrivateKeyFile == "" {
			j.PrivateKeyFile = s.keyFile
		}
		s.bastion = j
	}
	if cfg.CNIManifest != "" {
		s.cniManifest = localPath(labDir, cfg.CNIManifest)
		if _, err := os.Stat(s.cniManifest); err != nil {
			bad("cni_manifest: %v (the manifest is read on this machine and uploaded, since class VMs may be offline)", err)
		}
	}
	if cfg.Bundle != "" {
		if s.bundle, err = bundle.Load(localPath(labDir, cfg.Bundle), s.version); err != nil {
			bad("bundle: %v", err)
		}
	}
	if err := checkNetworks(s); err != nil {
		bad("%v", err)
	}
	if s.cniManifest != "" {
		if err := checkManifestYAML(s.cniManifest); err != nil {
			bad("cni_manifest: %v", err)
		}
	}
	if cfg.ExtraConfig != "" {
		if err := checkExtraConfig(cfg.ExtraConfig); err != nil {
			bad("kubeadm_extra_config: %v", err)
		}
		s.extraConfig = []byte(cfg.ExtraConfig)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("cluster %q: %w", name, errors.Join(errs...))
	}
	return s, nil
}

func duration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"5m\"", s)
	}
	return d, nil
}

// localPath resolves a path on this machine: "~/" stays for sshx to
// expand; a relative path is relative to the lab directory, not to
// wherever podlab was started.
func localPath(labDir, p string) string {
	switch {
	case p == "", p == "~", strings.HasPrefix(p, "~/"), filepath.IsAbs(p):
		return p
	}
	return filepath.Join(labDir, p)
}

// hosts lists every host once, control planes first, with its role.
func (s *spec) hosts() []*host {
	var out []*host
	for i, a := range s.controlPlanes {
		out = append(out, &host{addr: a, role: controlPlane, first: i == 0})
	}
	for _, a := range s.workers {
		out = append(out, &host{addr: a, role: worker})
	}
	return out
}

// sshConfig is how to reach one host. A host written as "addr:port" uses
// that port instead of the ssh block's.
func (s *spec) sshConfig(addr string) sshx.Config {
	h, port := splitHostPort(addr, s.ssh.Port)
	return sshx.Config{
		Host:            h,
		Port:            port,
		User:            s.ssh.User,
		PrivateKeyFile:  s.keyFile,
		UseAgent:        s.ssh.UseAgent,
		Bastion:         s.bastion,
		KnownHostsFile:  s.known,
		TrustOnFirstUse: s.ssh.TrustOnFirstUse,
		ConnectTimeout:  s.connect,
		LogFile:         s.logFile(addr),
	}
}

// logFile is the host's command log: WORKDIR/logs/HOST.log.
func (s *spec) logFile(addr string) string {
	if s.workDir == "" {
		return ""
	}
	return filepath.Join(s.workDir, "logs", strings.NewReplacer("/", "_", ":", "_").Replace(addr)+".log")
}

// kubeconfigPath is the admin kubeconfig fetched from the cluster, 0600.
func (s *spec) kubeconfigPath() string { return filepath.Join(s.workDir, "admin.conf") }

// splitHostPort splits "addr:port"; a bare address gets def.
func splitHostPort(addr string, def int) (string, int) {
	if h, p, err := net.SplitHostPort(addr); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			return h, n
		}
	}
	return strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), def
}

// preflightFlags are the kubeadm flags for ignore_preflight_errors.
func (s *spec) preflightFlags() []string {
	if len(s.ignorePreflight) == 0 {
		return nil
	}
	return []string{"--ignore-preflight-errors=" + strings.Join(s.ignorePreflight, ",")}
}

// hostOnly is the address without an SSH port.
func hostOnly(addr string) string {
	h, _ := splitHostPort(addr, 0)
	return h
}

// checkExtraConfig accepts YAML documents that each name an apiVersion and
// a kind other than the two podlab writes itself.
func checkExtraConfig(text string) error {
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(text, -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		switch {
		case head.APIVersion == "" || head.Kind == "":
			return fmt.Errorf("document %d has no apiVersion or kind", i+1)
		case head.Kind == "InitConfiguration" || head.Kind == "ClusterConfiguration":
			return fmt.Errorf("document %d is a %s, which podlab writes from the block's settings: add kinds such as KubeletConfiguration or KubeProxyConfiguration here", i+1, head.Kind)
		}
	}
	return nil
}

// checkNetworks refuses a pod or service network that holds a host's
// address: the pod network's routes would take the nodes' own traffic.
// Hosts named by DNS are checked once their addresses are known (the
// verify phase).
func checkNetworks(s *spec) error {
	var errs []error
	for _, n := range []struct{ attr, cidr string }{{"pod_network_cidr", s.podCIDR}, {"service_cidr", s.serviceCIDR}} {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q is not a CIDR such as \"10.244.0.0/16\"", n.attr, n.cidr))
			continue
		}
		for _, h := range append(append([]string{}, s.controlPlanes...), s.workers...) {
			if ip := net.ParseIP(hostOnly(h)); ip != nil && ipnet.Contains(ip) {
				errs = append(errs, overlapError(n.attr, n.cidr, h, ip.String()))
			}
		}
	}
	if _, pod, err := net.ParseCIDR(s.podCIDR); err == nil {
		if _, svc, err := net.ParseCIDR(s.serviceCIDR); err == nil && (pod.Contains(svc.IP) || svc.Contains(pod.IP)) {
			errs = append(errs, fmt.Errorf("pod_network_cidr %s and service_cidr %s overlap: choose networks apart from each other", s.podCIDR, s.serviceCIDR))
		}
	}
	return errors.Join(errs...)
}

func overlapError(attr, cidr, host, ip string) error {
	return fmt.Errorf("%s %s holds host %s's address %s: pods and services would take the nodes' own addresses; choose a network apart from the hosts' (such as 10.244.0.0/16 when the hosts are on 192.168.x.x)", attr, cidr, host, ip)
}

// checkManifestYAML refuses a CNI manifest that is not YAML documents of
// Kubernetes objects, naming the file and the document, so that a wrong
// file (an HTML page saved from a browser) fails before any host changes.
func checkManifestYAML(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	docs := 0
	for i, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return fmt.Errorf("%s is not a YAML manifest: document %d: %v", file, i+1, err)
		}
		if head.APIVersion == "" || head.Kind == "" {
			return fmt.Errorf("%s is not a Kubernetes manifest: document %d has no apiVersion or kind", file, i+1)
		}
		docs++
	}
	if docs == 0 {
		return fmt.Errorf("%s holds no Kubernetes object", file)
	}
	return nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// cgroupDriver is the kubelet's cgroup driver: kubeadm's default,
// systemd, unless kubeadm_extra_config's KubeletConfiguration sets
// another. containerd must use the same.
func (s *spec) cgroupDriver() string {
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(s.extraConfig), -1) {
		var kc struct {
			Kind         string `json:"kind"`
			CgroupDriver string `json:"cgroupDriver"`
		}
		if yaml.Unmarshal([]byte(doc), &kc) == nil && kc.Kind == "KubeletConfiguration" && kc.CgroupDriver != "" {
			return kc.CgroupDriver
		}
	}
	return "systemd"
}
