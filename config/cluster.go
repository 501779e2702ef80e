package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// GKE is a gke block: a Google Kubernetes Engine cluster podlab creates (or
// adopts, with create = false) and deletes.
type GKE struct {
	Project            string              `cty:"project"`
	Location           string              `cty:"location"`
	Name               string              `cty:"name"`
	Create             bool                `cty:"create"`
	ReleaseChannel     string              `cty:"release_channel"`
	KubernetesVersion  string              `cty:"kubernetes_version"`
	Network            string              `cty:"network"`
	Subnetwork         string              `cty:"subnetwork"`
	Autopilot          bool                `cty:"autopilot"`
	DeletionProtection bool                `cty:"deletion_protection"`
	Labels             map[string]string   `cty:"labels"`
	CreateTimeout      string              `cty:"create_timeout"`
	DeleteTimeout      string              `cty:"delete_timeout"`
	Endpoint           string              `cty:"endpoint"` // public, private or dns
	NodePools          map[string]NodePool `cty:"node_pool"`
}

// NodePool is a node_pool block of a gke block.
type NodePool struct {
	MachineType  string            `cty:"machine_type"`
	NodeCount    int               `cty:"node_count"`
	DiskSizeGB   int               `cty:"disk_size_gb"`
	DiskType     string            `cty:"disk_type"`
	ImageType    string            `cty:"image_type"`
	Spot         bool              `cty:"spot"`
	Labels       map[string]string `cty:"labels"`
	MinNodeCount int               `cty:"min_node_count"`
	MaxNodeCount int               `cty:"max_node_count"`
}

var nodePoolSpec = hcldec.ObjectSpec{
	"machine_type":   str("machine_type", "e2-medium"),
	"node_count":     number("node_count", 1),
	"disk_size_gb":   number("disk_size_gb", 100),
	"disk_type":      str("disk_type", "pd-balanced"),
	"image_type":     str("image_type", "COS_CONTAINERD"),
	"spot":           boolean("spot", false),
	"labels":         stringMap("labels"),
	"min_node_count": number("min_node_count", 0),
	"max_node_count": number("max_node_count", 0),
}

var gkeSpec = hcldec.ObjectSpec{
	"project":             required("project", cty.String),
	"location":            required("location", cty.String),
	"name":                required("name", cty.String),
	"create":              boolean("create", true),
	"release_channel":     str("release_channel", ""),
	"kubernetes_version":  str("kubernetes_version", ""),
	"network":             str("network", ""),
	"subnetwork":          str("subnetwork", ""),
	"autopilot":           boolean("autopilot", false),
	"deletion_protection": boolean("deletion_protection", false),
	"labels":              stringMap("labels"),
	"create_timeout":      str("create_timeout", "45m"),
	"delete_timeout":      str("delete_timeout", "30m"),
	"endpoint":            str("endpoint", "public"),
	"node_pool":           &hcldec.BlockMapSpec{TypeName: "node_pool", LabelNames: []string{"name"}, Nested: nodePoolSpec},
}

// Kubeadm is a kubeadm block: hosts reached over SSH that podlab turns into
// a cluster with kubeadm, and resets on destroy.
type Kubeadm struct {
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
	PackageVersion    string   `cty:"package_version"`
	CRISocket         string   `cty:"cri_socket"`
	NodeReadyTimeout  string   `cty:"node_ready_timeout"`
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
	"user":               str("user", "root"),
	"port":               number("port", 22),
	"private_key_file":   str("private_key_file", ""),
	"use_agent":          boolean("use_agent", false),
	"known_hosts_file":   str("known_hosts_file", "~/.ssh/known_hosts"),
	"trust_on_first_use": boolean("trust_on_first_use", false),
	"connect_timeout":    str("connect_timeout", "15s"),
	"bastion": &hcldec.BlockSpec{TypeName: "bastion", Nested: hcldec.ObjectSpec{
		"host":             required("host", cty.String),
		"port":             number("port", 22),
		"user":             str("user", ""),
		"private_key_file": str("private_key_file", ""),
	}},
}

var kubeadmSpec = hcldec.ObjectSpec{
	"control_plane":           required("control_plane", cty.List(cty.String)),
	"workers":                 strings_("workers"),
	"ssh":                     &hcldec.BlockSpec{TypeName: "ssh", Nested: sshSpec, Required: true},
	"kubernetes_version":      str("kubernetes_version", "v1.34.4"),
	"pod_network_cidr":        str("pod_network_cidr", "10.244.0.0/16"),
	"service_cidr":            str("service_cidr", "10.96.0.0/12"),
	"api_server_endpoint":     str("api_server_endpoint", ""),
	"api_server_cert_sans":    strings_("api_server_cert_sans"),
	"cni_manifest":            str("cni_manifest", ""),
	"install":                 boolean("install", false),
	"package_version":         str("package_version", ""),
	"cri_socket":              str("cri_socket", "unix:///run/containerd/containerd.sock"),
	"node_ready_timeout":      str("node_ready_timeout", "5m"),
	"kubeadm_extra_config":    str("kubeadm_extra_config", ""),
	"ignore_preflight_errors": strings_("ignore_preflight_errors"),
}

// Kubeconfig is a kubeconfig block: an existing cluster, never created or
// deleted by podlab.
type Kubeconfig struct {
	Path    string `cty:"path"`
	Context string `cty:"context"`
}

var kubeconfigSpec = hcldec.ObjectSpec{
	"path":    str("path", ""),
	"context": str("context", ""),
}

var clusterSpecs = map[string]hcldec.Spec{
	KindGKE:        gkeSpec,
	KindKubeadm:    kubeadmSpec,
	KindKubeconfig: kubeconfigSpec,
}

var clusterSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: KindGKE}, {Type: KindKubeadm}, {Type: KindKubeconfig}},
}

func (m *Module) addCluster(b *hcl.Block) hcl.Diagnostics {
	diags := checkName(b, "cluster")
	name := b.Labels[0]
	if prev, ok := m.Clusters[name]; ok {
		return append(diags, duplicate(b, "cluster", name, prev.DeclRange))
	}
	content, ds := bodyContent(b.Body, clusterSchema)
	diags = append(diags, ds...)
	if len(content.Blocks) == 0 && ds.HasErrors() {
		// A misspelt kind was reported, with a suggestion, just now.
		return diags
	}
	if len(content.Blocks) != 1 {
		subject := b.DefRange
		if len(content.Blocks) > 1 {
			subject = content.Blocks[1].DefRange
		}
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "A cluster block needs exactly one kind",
			Detail: fmt.Sprintf("cluster %q must hold exactly one of the blocks gke, kubeadm or kubeconfig; it holds %d.",
				name, len(content.Blocks)),
			Subject: subject.Ptr(),
		})
	}
	kb := content.Blocks[0]
	c := &Cluster{Name: name, Kind: kb.Type, Body: kb.Body, DeclRange: b.DefRange, KindRange: kb.DefRange}
	diags = append(diags, checkClusterShape(kb.Body, clusterSpecs[kb.Type])...)
	m.Clusters[name] = c
	m.ClusterOrder = append(m.ClusterOrder, name)
	return diags
}

// checkShape reports unknown, missing and repeated attributes and blocks of
// a body without evaluating anything, so that validate finds them even when
// values are unknown.
func checkShape(body hcl.Body, spec hcldec.Spec) hcl.Diagnostics {
	return checkShapeOf(body, spec, false)
}

// checkClusterShape is checkShape for a cluster block, whose nested blocks
// may also be written as dynamic blocks, as in Terraform.
func checkClusterShape(body hcl.Body, spec hcldec.Spec) hcl.Diagnostics {
	return checkShapeOf(body, spec, true)
}

func checkShapeOf(body hcl.Body, spec hcldec.Spec, dynamic bool) hcl.Diagnostics {
	schema := hcldec.ImpliedSchema(spec)
	nested := nestedSpecs(spec)
	if dynamic && len(nested) > 0 {
		schema = &hcl.BodySchema{Attributes: schema.Attributes,
			Blocks: append(append([]hcl.BlockHeaderSchema{}, schema.Blocks...), hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})}
	}
	content, diags := bodyContent(body, schema)
	if content == nil {
		return diags
	}
	for _, b := range content.Blocks {
		if b.Type == "dynamic" {
			diags = append(diags, checkDynamic(b, nested)...)
		} else if ns, ok := nested[b.Type]; ok {
			diags = append(diags, checkShapeOf(b.Body, ns, dynamic)...)
		}
	}
	return diags
}

// nestedSpecs are the specs of a body's nested blocks, by block type.
func nestedSpecs(spec hcldec.Spec) map[string]hcldec.Spec {
	out := map[string]hcldec.Spec{}
	obj, ok := spec.(hcldec.ObjectSpec)
	if !ok {
		return out
	}
	for _, s := range obj {
		switch ns := s.(type) {
		case *hcldec.BlockSpec:
			out[ns.TypeName] = ns.Nested
		case *hcldec.BlockMapSpec:
			out[ns.TypeName] = ns.Nested
		case *hcldec.BlockListSpec:
			out[ns.TypeName] = ns.Nested
		}
	}
	return out
}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// checkDynamic checks a dynamic block: that it generates a block the body
// has, and that its content has that block's shape.
func checkDynamic(b *hcl.Block, nested map[string]hcldec.Spec) hcl.Diagnostics {
	ns, ok := nested[b.Labels[0]]
	if !ok {
		detail := fmt.Sprintf("A dynamic block here can generate %s blocks, not %q.", strings.Join(keys(nested), " or "), b.Labels[0])
		if s := suggest(b.Labels[0], keys(nested)); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported dynamic block type", Detail: detail, Subject: b.LabelRanges[0].Ptr()}}
	}
	content, diags := bodyContent(b.Body, dynamicSchema)
	if content == nil {
		return diags
	}
	if len(content.Blocks) != 1 {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "A dynamic block needs one content block",
			Detail:  fmt.Sprintf("dynamic %q must hold exactly one content block, the %s block to generate for each element of for_each; it holds %d.", b.Labels[0], b.Labels[0], len(content.Blocks)),
			Subject: b.DefRange.Ptr(),
		})
	}
	return append(diags, checkShapeOf(content.Blocks[0].Body, ns, true)...)
}
