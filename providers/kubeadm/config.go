package kubeadm

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podlab/podlab/config"
)

// Kind is the block a kubeadm cluster is written as.
const Kind = "kubeadm"

func init() {
	config.RegisterClusterKind(config.ClusterKind{Name: Kind, Spec: kubeadmSpec, Decode: decode})
}

// Config is a kubeadm block: hosts reached over SSH that podlab turns into
// a cluster with kubeadm, and resets on destroy.
type Config struct {
	ControlPlane      []string `cty:"control_plane"`
	Workers           []string `cty:"workers"`
	SSH               SSH      `cty:"ssh"`
	KubernetesVersion string   `cty:"kubernetes_version"`
	PodNetworkCIDR    string   `cty:"pod_network_cidr"`
	ServiceCIDR       string   `cty:"service_cidr"`
	APIEndpoint       string   `cty:"api_server_endpoint"`
	CertSANs          []string `cty:"api_server_cert_sans"`
	CNIManifest       string   `cty:"cni_manifest"`
	Install           bool     `cty:"install"`
	// Bundle is a local offline bundle directory (podlab bundle) to
	// install from instead of apt.
	Bundle           string `cty:"bundle"`
	PackageVersion   string `cty:"package_version"`
	CRISocket        string `cty:"cri_socket"`
	NodeReadyTimeout string `cty:"node_ready_timeout"`
	// ExtraConfig is YAML documents appended to the kubeadm configuration
	// podlab generates (a KubeletConfiguration, a KubeProxyConfiguration).
	ExtraConfig string `cty:"kubeadm_extra_config"`
	// IgnorePreflightErrors is passed to kubeadm init and join.
	IgnorePreflightErrors []string `cty:"ignore_preflight_errors"`
}

// SSH is the ssh block of a kubeadm block.
type SSH struct {
	User            string   `cty:"user"`
	Port            int      `cty:"port"`
	PrivateKeyFile  string   `cty:"private_key_file"`
	UseAgent        bool     `cty:"use_agent"`
	KnownHostsFile  string   `cty:"known_hosts_file"`
	TrustOnFirstUse bool     `cty:"trust_on_first_use"`
	ConnectTimeout  string   `cty:"connect_timeout"`
	Bastion         *Bastion `cty:"bastion"`
}

// Bastion is a jump host that the hosts are reached through.
type Bastion struct {
	Host           string `cty:"host"`
	Port           int    `cty:"port"`
	User           string `cty:"user"`
	PrivateKeyFile string `cty:"private_key_file"`
}

var sshSpec = hcldec.ObjectSpec{
	"user":               config.StringAttr("user", "root"),
	"port":               config.NumberAttr("port", 22),
	"private_key_file":   config.StringAttr("private_key_file", ""),
	"use_agent":          config.BoolAttr("use_agent", false),
	"known_hosts_file":   config.StringAttr("known_hosts_file", "~/.ssh/known_hosts"),
	"trust_on_first_use": config.BoolAttr("trust_on_first_use", false),
	"connect_timeout":    config.StringAttr("connect_timeout", "15s"),
	"bastion": &hcldec.BlockSpec{TypeName: "bastion", Nested: hcldec.ObjectSpec{
		"host":             config.RequiredAttr("host", cty.String),
		"port":             config.NumberAttr("port", 22),
		"user":             config.StringAttr("user", ""),
		"private_key_file": config.StringAttr("private_key_file", ""),
	}},
}

var kubeadmSpec = hcldec.ObjectSpec{
	"control_plane":           config.RequiredAttr("control_plane", cty.List(cty.String)),
	"workers":                 config.StringsAttr("workers"),
	"ssh":                     &hcldec.BlockSpec{TypeName: "ssh", Nested: sshSpec, Required: true},
	"kubernetes_version":      config.StringAttr("kubernetes_version", "v1.34.4"),
	"pod_network_cidr":        config.StringAttr("pod_network_cidr", "10.244.0.0/16"),
	"service_cidr":            config.StringAttr("service_cidr", "10.96.0.0/12"),
	"api_server_endpoint":     config.StringAttr("api_server_endpoint", ""),
	"api_server_cert_sans":    config.StringsAttr("api_server_cert_sans"),
	"cni_manifest":            config.StringAttr("cni_manifest", ""),
	"install":                 config.BoolAttr("install", false),
	"bundle":                  config.StringAttr("bundle", ""),
	"package_version":         config.StringAttr("package_version", ""),
	"cri_socket":              config.StringAttr("cri_socket", "unix:///run/containerd/containerd.sock"),
	"node_ready_timeout":      config.StringAttr("node_ready_timeout", "5m"),
	"kubeadm_extra_config":    config.StringAttr("kubeadm_extra_config", ""),
	"ignore_preflight_errors": config.StringsAttr("ignore_preflight_errors"),
}

func decode(b *config.KindBlock) (any, hcl.Diagnostics) {
	k := &Config{}
	if diags := b.Into(k); diags.HasErrors() {
		return k, diags
	}
	return k, check(k, b)
}

// check reports what is wrong in the block, each problem at its attribute,
// before any host is touched.
func check(k *Config, b *config.KindBlock) hcl.Diagnostics {
	var diags hcl.Diagnostics
	at := func(attr, summary, detail string) { diags = append(diags, b.AttrError(attr, summary, detail)) }
	if len(k.ControlPlane) == 0 {
		at("control_plane", "No control-plane host", "control_plane lists at least one host, such as [\"10.0.0.10\"].")
	}
	seen := map[string]bool{}
	for i, h := range append(append([]string{}, k.ControlPlane...), k.Workers...) {
		attr := "control_plane"
		if i >= len(k.ControlPlane) {
			attr = "workers"
		}
		if err := validHost(h); err != nil {
			at(attr, "Invalid host", fmt.Sprintf("%q: %s.", h, err))
		}
		if seen[h] {
			at(attr, "Host listed twice", fmt.Sprintf("%q appears more than once among control_plane and workers.", h))
		}
		seen[h] = true
	}
	for attr, cidr := range map[string]string{"pod_network_cidr": k.PodNetworkCIDR, "service_cidr": k.ServiceCIDR} {
		if _, _, err := net.ParseCIDR(cidr); err != nil {
			at(attr, "Invalid CIDR", fmt.Sprintf("%s = %q is not a CIDR such as \"10.244.0.0/16\".", attr, cidr))
		}
	}
	if !strings.HasPrefix(k.KubernetesVersion, "v") {
		at("kubernetes_version", "Invalid Kubernetes version", fmt.Sprintf("%q: write the version as kubeadm does, such as \"v1.34.4\".", k.KubernetesVersion))
	}
	if _, problem := config.ParsePositiveDuration("node_ready_timeout", k.NodeReadyTimeout); problem != "" {
		at("node_ready_timeout", "Invalid duration", problem)
	}
	if _, problem := config.ParsePositiveDuration("ssh connect_timeout", k.SSH.ConnectTimeout); problem != "" {
		at("ssh", "Invalid duration", problem)
	}
	return diags
}

// validHost accepts an IP address or DNS name, optionally with :port.
func validHost(h string) error {
	host := h
	if hp, port, err := net.SplitHostPort(h); err == nil {
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		host = hp
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if errs := validation.IsDNS1123Subdomain(strings.ToLower(host)); len(errs) > 0 {
		return fmt.Errorf("not an IP address or host name")
	}
	return nil
}
