package gke

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"github.com/podlab/podlab/config"
)

// Kind is the block a gke cluster is written as.
const Kind = "gke"

func init() {
	config.RegisterClusterKind(config.ClusterKind{Name: Kind, Spec: gkeSpec, Decode: decode})
}

// Config is a gke block: a Google Kubernetes Engine cluster podlab creates
// (or adopts, with create = false) and deletes.
type Config struct {
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
	"machine_type":   config.StringAttr("machine_type", "e2-medium"),
	"node_count":     config.NumberAttr("node_count", 1),
	"disk_size_gb":   config.NumberAttr("disk_size_gb", 100),
	"disk_type":      config.StringAttr("disk_type", "pd-balanced"),
	"image_type":     config.StringAttr("image_type", "COS_CONTAINERD"),
	"spot":           config.BoolAttr("spot", false),
	"labels":         config.StringMapAttr("labels"),
	"min_node_count": config.NumberAttr("min_node_count", 0),
	"max_node_count": config.NumberAttr("max_node_count", 0),
}

var gkeSpec = hcldec.ObjectSpec{
	"project":             config.RequiredAttr("project", cty.String),
	"location":            config.RequiredAttr("location", cty.String),
	"name":                config.RequiredAttr("name", cty.String),
	"create":              config.BoolAttr("create", true),
	"release_channel":     config.StringAttr("release_channel", ""),
	"kubernetes_version":  config.StringAttr("kubernetes_version", ""),
	"network":             config.StringAttr("network", ""),
	"subnetwork":          config.StringAttr("subnetwork", ""),
	"autopilot":           config.BoolAttr("autopilot", false),
	"deletion_protection": config.BoolAttr("deletion_protection", false),
	"labels":              config.StringMapAttr("labels"),
	"create_timeout":      config.StringAttr("create_timeout", "45m"),
	"delete_timeout":      config.StringAttr("delete_timeout", "30m"),
	"endpoint":            config.StringAttr("endpoint", "public"),
	"node_pool":           &hcldec.BlockMapSpec{TypeName: "node_pool", LabelNames: []string{"name"}, Nested: nodePoolSpec},
}

// decode reads a gke block. A workspace is a separate copy of the
// environment, its cluster included: a cluster podlab creates gets the
// workspace in its name; an existing one (create = false) is shared, and
// only the namespaces differ.
func decode(b *config.KindBlock) (any, hcl.Diagnostics) {
	g := &Config{}
	if diags := b.Into(g); diags.HasErrors() {
		return g, diags
	}
	diags := check(g, b)
	if g.Create {
		g.Name = WorkspaceClusterName(g.Name, b.Workspace)
	}
	return g, diags
}

// check reports what GKE would refuse in the block, each problem at its
// attribute, before anything is created.
func check(g *Config, b *config.KindBlock) hcl.Diagnostics {
	var diags hcl.Diagnostics
	at := func(attr, summary, detail string) { diags = append(diags, b.AttrError(attr, summary, detail)) }
	if !nameRE.MatchString(g.Name) {
		at("name", "Invalid GKE cluster name", fmt.Sprintf("%q is not a valid GKE cluster name: up to 40 lower-case letters, digits and dashes, starting with a letter and not ending with a dash.", g.Name))
	}
	if g.Project == "" {
		at("project", "Missing GKE project", "Set project to the Google Cloud project ID that owns the cluster.")
	}
	if strings.Count(g.Location, "-") < 1 {
		at("location", "Invalid GKE location", fmt.Sprintf("%q is neither a region (asia-northeast3) nor a zone (asia-northeast3-a).", g.Location))
	}
	switch strings.ToUpper(g.ReleaseChannel) {
	case "", "RAPID", "REGULAR", "STABLE", "EXTENDED", "UNSPECIFIED":
	default:
		at("release_channel", "Invalid release channel", fmt.Sprintf("%q is not a GKE release channel; use RAPID, REGULAR, STABLE or EXTENDED.", g.ReleaseChannel))
	}
	switch g.Endpoint {
	case "public", "private", "dns":
	default:
		at("endpoint", "Invalid endpoint", fmt.Sprintf("endpoint = %q: use \"public\" (the cluster's public IP), \"private\" (its private IP, from inside its VPC or over a VPN) or \"dns\" (its DNS-based endpoint).", g.Endpoint))
	}
	// GKE refuses a zonal Autopilot cluster with "Autopilot clusters must
	// be regional clusters" (HTTP 400): say so before anything is created.
	if g.Autopilot && g.Create && strings.Count(g.Location, "-") == 2 {
		region := g.Location[:strings.LastIndex(g.Location, "-")]
		at("location", "Autopilot needs a region", fmt.Sprintf("location = %q is a zone, and GKE creates Autopilot clusters only in a region: use location = %q, or autopilot = false for a zonal Standard cluster with node_pool blocks.", g.Location, region))
	}
	if g.Create && !g.Autopilot && len(g.NodePools) == 0 {
		at("node_pool", "No node pool", "A standard GKE cluster needs at least one node_pool block, such as node_pool \"default\" { machine_type = \"e2-medium\", node_count = 2 }.")
	}
	for name, np := range g.NodePools {
		if np.NodeCount < 0 || np.MinNodeCount < 0 || (np.MaxNodeCount > 0 && np.MaxNodeCount < np.MinNodeCount) {
			at("node_pool", "Invalid node pool", fmt.Sprintf("node_pool %q: node counts must be 0 or more, and max_node_count at least min_node_count.", name))
		}
	}
	for _, a := range []string{"create_timeout", "delete_timeout"} {
		s := g.CreateTimeout
		if a == "delete_timeout" {
			s = g.DeleteTimeout
		}
		if _, problem := config.ParsePositiveDuration(a, s); problem != "" {
			at(a, "Invalid duration", problem)
		}
	}
	return diags
}

// maxGKEName is GKE's limit on a cluster's name.
const maxGKEName = 40

// WorkspaceClusterName is the name of the GKE cluster a workspace creates:
// the configured name with the workspace's appended, so that two
// workspaces never share a cluster. The default workspace keeps the name
// as configured (workspace names are their own slugs: see
// config.ValidateWorkspace). A result over GKE's 40 characters is cut and given a
// hash of the whole, so distinct workspaces stay distinct.
func WorkspaceClusterName(name, workspace string) string {
	ws := workspace
	if ws == "" || ws == "default" {
		return name
	}
	s := name + "-" + ws
	if len(s) <= maxGKEName {
		return s
	}
	h := config.ShortHash(s)
	return strings.TrimRight(s[:maxGKEName-len(h)-1], "-") + "-" + h
}
