package gke

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"cloud.google.com/go/container/apiv1/containerpb"

	"github.com/podlab/podlab/config"
)

// Labels podlab puts on every cluster it creates. They are how podlab
// recognises a cluster of its own when the create's operation name was
// lost (a crash between CreateCluster and the state write), and how a
// cluster's bill is told apart in the console.
const (
	LabelLab = "podlab-lab"
	LabelEnv = "podlab-env"
)

// DefaultPoolName is the node pool created when the gke block has none.
const DefaultPoolName = "default-pool"

// GKE's rules, as its API states them.
var (
	nameRE    = regexp.MustCompile(`^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$`)
	projectRE = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
	zoneRE    = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+-[a-z]$`)
	regionRE  = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
)

// ref names a cluster: GKE's v1 resource names hang off it.
type ref struct {
	Project, Location, Name string
}

func (r ref) parent() string { return "projects/" + r.Project + "/locations/" + r.Location }

// path is the cluster's resource name, projects/P/locations/L/clusters/N.
func (r ref) path() string { return r.parent() + "/clusters/" + r.Name }

func (r ref) nodePool(pool string) string { return r.path() + "/nodePools/" + pool }

// operation is the resource name of an operation in the cluster's location.
func (r ref) operation(name string) string { return r.parent() + "/operations/" + name }

// context is the kubeconfig context name gcloud gives the cluster.
func (r ref) context() string { return "gke_" + r.Project + "_" + r.Location + "_" + r.Name }

func (r ref) String() string {
	return fmt.Sprintf("%q (project %s, location %s)", r.Name, r.Project, r.Location)
}

// parsePath reads a cluster resource name back.
func parsePath(p string) (ref, bool) {
	s := strings.Split(p, "/")
	if len(s) != 6 || s[0] != "projects" || s[2] != "locations" || s[4] != "clusters" {
		return ref{}, false
	}
	return ref{Project: s[1], Location: s[3], Name: s[5]}, true
}

// pool is a node pool as podlab will ask for it, defaults applied.
type pool struct {
	Name string
	NodePool
}

// pools lists the block's node pools by name, or the default pool when it
// has none (an Autopilot cluster has none at all).
func pools(cfg *Config) []pool {
	if cfg.Autopilot {
		return nil
	}
	if len(cfg.NodePools) == 0 {
		return []pool{{Name: DefaultPoolName, NodePool: NodePool{
			MachineType: "e2-medium", NodeCount: 1, DiskSizeGB: 100, DiskType: "pd-balanced", ImageType: "COS_CONTAINERD",
		}}}
	}
	names := slices.Sorted(maps.Keys(cfg.NodePools))
	out := make([]pool, 0, len(names))
	for _, n := range names {
		out = append(out, pool{Name: n, NodePool: cfg.NodePools[n]})
	}
	return out
}

// autoscaled reports whether GKE's autoscaler, not podlab, sizes the pool.
func (p pool) autoscaled() bool { return p.MaxNodeCount > 0 }

// labelValue turns a lab or environment name into a GKE label value:
// lowercase letters, digits and dashes, at most 63 characters (hashed
// when longer, as podlab's Kubernetes labels are).
func labelValue(s string) string { return config.JoinLabel(config.Slug(s)) }

// clusterLabels are the resource labels the cluster must carry: the
// block's, plus podlab's own.
// LabelExpires carries a class's expiry (Unix seconds) when its lab has a
// ttl.
const LabelExpires = "podlab-expires"

func clusterLabels(cfg *Config, lab, env string) map[string]string {
	out := maps.Clone(cfg.Labels)
	if out == nil {
		out = map[string]string{}
	}
	out[LabelLab] = labelValue(lab)
	out[LabelEnv] = labelValue(env)
	return out
}

// releaseChannel maps the block's release_channel to GKE's enum; ok is
// false for a name GKE does not know.
func releaseChannel(s string) (containerpb.ReleaseChannel_Channel, bool) {
	if s == "" {
		return 0, true // UNSPECIFIED: GKE picks its default channel
	}
	v, ok := containerpb.ReleaseChannel_Channel_value[strings.ToUpper(s)]
	return containerpb.ReleaseChannel_Channel(v), ok
}

// validate checks the block against GKE's rules before any request, so a
// mistake is reported with the setting to fix rather than as GKE's error.
func validate(cfg *Config) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !projectRE.MatchString(cfg.Project) {
		bad("project %q is not a Google Cloud project ID (6 to 30 lowercase letters, digits and dashes, starting with a letter); it is the ID, not the project's display name or number", cfg.Project)
	}
	if !zoneRE.MatchString(cfg.Location) && !regionRE.MatchString(cfg.Location) {
		bad("location %q is neither a zone (such as asia-northeast3-a) nor a region (such as asia-northeast3)", cfg.Location)
	}
	if !nameRE.MatchString(cfg.Name) {
		bad("name %q is not a valid GKE cluster name: lowercase letters, digits and dashes, starting with a letter, ending with a letter or digit, at most 40 characters", cfg.Name)
	}
	if _, ok := releaseChannel(cfg.ReleaseChannel); !ok {
		bad("release_channel %q is not one of RAPID, REGULAR, STABLE, EXTENDED (or UNSPECIFIED for none)", cfg.ReleaseChannel)
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Labels)) {
		if k == LabelLab || k == LabelEnv {
			bad("labels: %q is set by podlab itself (it marks the clusters podlab creates); remove it", k)
			continue
		}
		if err := checkLabel(k, cfg.Labels[k]); err != nil {
			bad("labels: %v", err)
		}
	}
	if len(cfg.Labels)+2 > 64 {
		bad("labels: GKE allows 64 labels on a cluster and podlab adds 2; the block has %d", len(cfg.Labels))
	}
	switch cfg.Endpoint {
	case "", "public", "private", "dns":
	default:
		bad("endpoint %q is not one of public, private or dns", cfg.Endpoint)
	}
	if cfg.Autopilot && cfg.Create && zoneRE.MatchString(cfg.Location) {
		// GKE: "Autopilot clusters must be regional clusters" (HTTP 400).
		bad("autopilot = true needs a region: location %q is a zone, and GKE creates Autopilot clusters only in a region (use %q)", cfg.Location, region(cfg.Location))
	}
	if cfg.Autopilot && len(cfg.NodePools) > 0 {
		bad("autopilot = true: an Autopilot cluster has no node pools of its own; remove the node_pool blocks")
	}
	for _, p := range pools(cfg) {
		what := fmt.Sprintf("node_pool %q", p.Name)
		if !nameRE.MatchString(p.Name) {
			bad("%s: the name is not valid on GKE (lowercase letters, digits and dashes, starting with a letter, at most 40 characters)", what)
		}
		if p.NodeCount < 0 || p.MinNodeCount < 0 || p.MaxNodeCount < 0 {
			bad("%s: node counts cannot be negative", what)
		}
		if p.MaxNodeCount > 0 && (p.MinNodeCount > p.MaxNodeCount || p.NodeCount < p.MinNodeCount || p.NodeCount > p.MaxNodeCount) {
			bad("%s: with autoscaling, min_node_count (%d) <= node_count (%d) <= max_node_count (%d) must hold", what, p.MinNodeCount, p.NodeCount, p.MaxNodeCount)
		}
		if p.MaxNodeCount == 0 && p.MinNodeCount > 0 {
			bad("%s: min_node_count needs max_node_count (autoscaling is on when max_node_count > 0)", what)
		}
		if p.DiskSizeGB < 10 {
			bad("%s: disk_size_gb %d is below GKE's minimum of 10", what, p.DiskSizeGB)
		}
		for _, k := range slices.Sorted(maps.Keys(p.Labels)) {
			if err := checkLabel(k, p.Labels[k]); err != nil {
				bad("%s: labels: %v", what, err)
			}
		}
	}
	if !cfg.Autopilot {
		total := 0
		for _, p := range pools(cfg) {
			total += p.NodeCount
		}
		if total == 0 {
			bad("the node pools have no nodes at all: the lab's pods could never run; set node_count in a node_pool")
		}
	}
	if _, err := duration(cfg.CreateTimeout); err != nil {
		bad("create_timeout: %v", err)
	}
	if _, err := duration(cfg.DeleteTimeout); err != nil {
		bad("delete_timeout: %v", err)
	}
	return errors.Join(errs...)
}

// checkLabel applies Google Cloud's label rules: a key starts with a
// lowercase (or caseless) letter; keys and values hold lowercase letters,
// digits, '_' and '-', at most 63 characters. (As regular expressions with
// Unicode classes repeated 63 times, these rules cost 8 MB and 14 ms at
// every start of podlab; a loop costs nothing.)
func checkLabel(k, v string) error {
	if r, _ := utf8.DecodeRuneInString(k); k == "" || !(unicode.IsLower(r) || unicode.Is(unicode.Lo, r)) || !labelChars(k) {
		return fmt.Errorf("key %q must start with a lowercase letter and hold only lowercase letters, digits, '_' and '-' (at most 63 characters)", k)
	}
	if !labelChars(v) {
		return fmt.Errorf("value %q of %q may hold only lowercase letters, digits, '_' and '-' (at most 63 characters)", v, k)
	}
	return nil
}

// labelChars: at most 63 characters, each a lowercase or caseless letter,
// a digit, '_' or '-'.
func labelChars(s string) bool {
	if utf8.RuneCountInString(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLower(r) || unicode.Is(unicode.Lo, r) || unicode.IsNumber(r) || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// createRequest builds the CreateCluster request for the block. It is pure:
// the same block, lab and environment always give the same request.
func createRequest(cfg *Config, lab, env string) *containerpb.CreateClusterRequest {
	r := ref{cfg.Project, cfg.Location, cfg.Name}
	cl := &containerpb.Cluster{
		Name:           cfg.Name,
		Description:    fmt.Sprintf("podlab lab %q, environment %q", lab, env),
		ResourceLabels: clusterLabels(cfg, lab, env),
		Network:        cfg.Network,
		Subnetwork:     cfg.Subnetwork,
	}
	if cfg.KubernetesVersion != "" {
		cl.InitialClusterVersion = cfg.KubernetesVersion
	}
	if ch, _ := releaseChannel(cfg.ReleaseChannel); cfg.ReleaseChannel != "" {
		cl.ReleaseChannel = &containerpb.ReleaseChannel{Channel: ch}
	}
	if cfg.Autopilot {
		cl.Autopilot = &containerpb.Autopilot{Enabled: true}
	}
	for _, p := range pools(cfg) {
		cl.NodePools = append(cl.NodePools, nodePoolRequest(p))
	}
	return &containerpb.CreateClusterRequest{Parent: r.parent(), Cluster: cl}
}

func nodePoolRequest(p pool) *containerpb.NodePool {
	np := &containerpb.NodePool{
		Name:             p.Name,
		InitialNodeCount: int32(p.NodeCount),
		Config: &containerpb.NodeConfig{
			MachineType: p.MachineType,
			DiskSizeGb:  int32(p.DiskSizeGB),
			DiskType:    p.DiskType,
			ImageType:   p.ImageType,
			Spot:        p.Spot,
			Labels:      maps.Clone(p.Labels),
		},
		Management: &containerpb.NodeManagement{AutoRepair: true, AutoUpgrade: true},
	}
	if p.autoscaled() {
		np.Autoscaling = &containerpb.NodePoolAutoscaling{
			Enabled: true, MinNodeCount: int32(p.MinNodeCount), MaxNodeCount: int32(p.MaxNodeCount),
		}
	}
	return np
}

// formatLabels renders labels as a plan shows them: {a = "1", b = "2"}.
func formatLabels(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s = %q", k, m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
