package gke

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cloud.google.com/go/container/apiv1/containerpb"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// describe lists the cluster's settings as a plan shows them.
func describe(cfg *Config) []plan.Attribute {
	attrs := []plan.Attribute{
		{Name: "project", Value: fmt.Sprintf("%q", cfg.Project)},
		{Name: "location", Value: fmt.Sprintf("%q", cfg.Location)},
		{Name: "name", Value: fmt.Sprintf("%q", cfg.Name)},
	}
	if cfg.ReleaseChannel != "" {
		attrs = append(attrs, plan.Attribute{Name: "release_channel", Value: fmt.Sprintf("%q", strings.ToUpper(cfg.ReleaseChannel))})
	}
	if cfg.KubernetesVersion != "" {
		attrs = append(attrs, plan.Attribute{Name: "kubernetes_version", Value: fmt.Sprintf("%q", cfg.KubernetesVersion)})
	}
	if cfg.Autopilot {
		attrs = append(attrs,
			plan.Attribute{Name: "autopilot", Value: "true"},
			plan.Attribute{Name: "node pools", Value: "managed by GKE (Autopilot creates, sizes, upgrades and repairs the nodes; podlab neither sets nor checks them, and billing is per pod's requests)"})
	}
	if cfg.Endpoint != "" && cfg.Endpoint != "public" {
		attrs = append(attrs, plan.Attribute{Name: "endpoint", Value: fmt.Sprintf("%q", cfg.Endpoint)})
	}
	if cfg.DeletionProtection {
		attrs = append(attrs, plan.Attribute{Name: "deletion_protection", Value: "true"})
	}
	if len(cfg.Labels) > 0 {
		attrs = append(attrs, plan.Attribute{Name: "labels", Value: formatLabels(cfg.Labels)})
	}
	for _, np := range pools(cfg) {
		desc := fmt.Sprintf("%d × %s, %d GB %s", np.NodeCount, np.MachineType, np.DiskSizeGB, np.DiskType)
		if np.autoscaled() {
			desc += fmt.Sprintf(", autoscaling %d..%d", np.MinNodeCount, np.MaxNodeCount)
		}
		if np.Spot {
			desc += ", spot"
		}
		attrs = append(attrs, plan.Attribute{Name: fmt.Sprintf("node_pool[%q]", np.Name), Value: desc})
	}
	attrs = append(attrs,
		plan.Attribute{Name: "endpoint", Value: "(known after apply)"},
		plan.Attribute{Name: "ca_certificate", Value: "(known after apply)"},
	)
	return attrs
}

// Plan says what apply will do to the cluster. With refresh it asks GKE
// about a cluster state records: one deleted outside podlab is created
// again, node counts and labels that differ are updated in place, and a
// difference GKE cannot apply in place is refused, naming the setting.
func (p *Provider) Plan(ctx context.Context, prior *state.Cluster, refresh bool) (*plan.ClusterChange, error) {
	ch := &plan.ClusterChange{
		Name: p.Name, Kind: Kind, Attributes: describe(&p.Cfg),
		Title: fmt.Sprintf("GKE cluster %q in %s/%s", p.Cfg.Name, p.Cfg.Project, p.Cfg.Location),
	}
	if err := validate(&p.Cfg); err != nil {
		return nil, p.configError(err)
	}
	if !p.Cfg.Create {
		ch.Action = plan.NoOp
		ch.Reason = "create = false: podlab adopts the existing cluster and will not change or delete it"
		return ch, nil
	}
	if err := p.checkIdentity(prior); err != nil {
		return nil, err
	}
	switch {
	case prior == nil || !prior.Created:
		ch.Action = plan.Create
		return ch, nil
	case prior.Status == state.ClusterCreating && prior.Operation != "":
		ch.Action = plan.Create
		ch.Reason = fmt.Sprintf("an earlier apply started creating it (operation %s): apply waits for that operation, it does not create a second cluster", lastSegment(prior.Operation))
		return ch, nil
	case prior.Status == state.ClusterCreating:
		ch.Action = plan.Create
		ch.Reason = "an earlier apply did not finish creating it"
		return ch, nil
	case prior.Status == state.ClusterDeleting:
		ch.Action = plan.Create
		ch.Reason = "an interrupted destroy was deleting it: apply waits for that to finish, then creates it again"
		return ch, nil
	}
	ch.Attributes = ch.Attributes[:3] // the cluster's identity; changes follow
	var d drift
	if !refresh {
		d = driftFromState(&p.Cfg, p.Lab, p.Env, prior)
	} else {
		s, err := p.session(ctx, p.knownRef(prior), nil, nil)
		if err != nil {
			return nil, err
		}
		defer s.close()
		cl, err := s.get(ctx)
		if err != nil {
			return nil, err
		}
		switch {
		case cl == nil:
			ch.Action = plan.Create
			ch.Reason = "it was deleted outside podlab: it will be created again"
			ch.Attributes = describe(&p.Cfg)
			return ch, nil
		case cl.GetStatus() == containerpb.Cluster_STOPPING:
			ch.Action = plan.Create
			ch.Reason = "it is being deleted outside podlab: apply waits for that, then creates it again"
			ch.Attributes = describe(&p.Cfg)
			return ch, nil
		case cl.GetStatus() == containerpb.Cluster_ERROR:
			return nil, s.statusError(cl)
		}
		d = computeDrift(&p.Cfg, p.Lab, p.Env, cl, recordedCounts(prior))
		if err := d.refusal(p.Name, s.r); err != nil {
			return nil, err
		}
	}
	ch.Action = plan.NoOp
	if d.changes() {
		ch.Action = plan.Update
		ch.Reason = "node counts and labels change in place"
		ch.Attributes = append(ch.Attributes, d.attributes()...)
	}
	if prior.Operation != "" {
		ch.Action = plan.Update
		ch.Reason = fmt.Sprintf("an earlier apply was interrupted during operation %s: apply waits for it", lastSegment(prior.Operation))
	}
	return ch, nil
}

// resize is a node pool whose node count changes in place.
type resize struct {
	Pool string
	From string // the current count, or how little is known of it
	To   int
}

type labelChange struct {
	From string
	To   map[string]string
}

// drift is how a live cluster differs from its gke block.
type drift struct {
	// Replace lists differences GKE cannot apply in place, as
	// "setting: live → wanted".
	Replace []string
	Labels  *labelChange
	Resize  []resize
}

func (d drift) changes() bool { return d.Labels != nil || len(d.Resize) > 0 }

func (d drift) attributes() []plan.Attribute {
	var out []plan.Attribute
	if d.Labels != nil {
		out = append(out, plan.Attribute{Name: "labels", Value: d.Labels.From + " → " + formatLabels(d.Labels.To)})
	}
	for _, rz := range d.Resize {
		out = append(out, plan.Attribute{Name: fmt.Sprintf("node_pool[%q].node_count", rz.Pool), Value: fmt.Sprintf("%s → %d", rz.From, rz.To)})
	}
	return out
}

// refusal explains why podlab will not apply a drift that needs a new
// cluster.
func (d drift) refusal(name string, r ref) error {
	if len(d.Replace) == 0 {
		return nil
	}
	return fmt.Errorf("cluster %q: GKE cluster %s differs from the gke block in settings GKE cannot change in place:\n  - %s\npodlab does not replace a class cluster on its own (that would delete everything on it). Set these back in the gke block, or rebuild the cluster on purpose: podlab destroy, then podlab apply",
		name, r, strings.Join(d.Replace, "\n  - "))
}

// recordedCounts are the node counts state records per pool.
func recordedCounts(prior *state.Cluster) map[string]int {
	out := map[string]int{}
	if prior == nil {
		return out
	}
	for k, v := range prior.Attributes {
		pool, ok := strings.CutPrefix(k, "node_pool.")
		if !ok {
			continue
		}
		pool, ok = strings.CutSuffix(pool, ".node_count")
		if n, err := strconv.Atoi(v); ok && err == nil {
			out[pool] = n
		}
	}
	return out
}

// driftFromState compares the block with what state recorded at the last
// apply, for a plan that does not ask GKE.
func driftFromState(cfg *Config, lab, env string, prior *state.Cluster) drift {
	var d drift
	want := clusterLabels(cfg, lab, env)
	if got, ok := prior.Attributes[attrLabels]; ok && got != formatLabels(want) {
		d.Labels = &labelChange{From: got, To: want}
	}
	rec := recordedCounts(prior)
	for _, p := range pools(cfg) {
		if n, ok := rec[p.Name]; ok && !p.autoscaled() && n != p.NodeCount {
			d.Resize = append(d.Resize, resize{Pool: p.Name, From: strconv.Itoa(n), To: p.NodeCount})
		}
	}
	return d
}

// computeDrift compares a live cluster with its block. GKE reports a
// pool's size after a resize only in the cluster's total node count, so a
// pool's live size is known exactly when it is the only pool, else when
// the total matches the sizes state recorded; otherwise every pool is set
// to its configured size.
func computeDrift(cfg *Config, lab, env string, cl *containerpb.Cluster, recorded map[string]int) drift {
	var d drift
	replace := func(format string, args ...any) { d.Replace = append(d.Replace, fmt.Sprintf(format, args...)) }
	if got := cl.GetAutopilot().GetEnabled(); got != cfg.Autopilot {
		replace("autopilot: %t → %t", got, cfg.Autopilot)
	}
	if cfg.ReleaseChannel != "" {
		want, _ := releaseChannel(cfg.ReleaseChannel)
		if got := cl.GetReleaseChannel().GetChannel(); got != want {
			replace("release_channel: %q → %q", got, want)
		}
	}
	if cfg.Network != "" && lastSegment(cl.GetNetwork()) != lastSegment(cfg.Network) {
		replace("network: %q → %q", cl.GetNetwork(), cfg.Network)
	}
	if cfg.Subnetwork != "" && lastSegment(cl.GetSubnetwork()) != lastSegment(cfg.Subnetwork) {
		replace("subnetwork: %q → %q", cl.GetSubnetwork(), cfg.Subnetwork)
	}
	want := clusterLabels(cfg, lab, env)
	if got := cl.GetResourceLabels(); !maps.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		d.Labels = &labelChange{From: formatLabels(got), To: want}
	}

	if cfg.Autopilot {
		// GKE creates and sizes an Autopilot cluster's node pools (the
		// Terraform Google provider likewise ignores node pools with
		// enable_autopilot): they are not drift.
		return d
	}
	live := map[string]*containerpb.NodePool{}
	for _, np := range cl.GetNodePools() {
		live[np.GetName()] = np
	}
	wanted := pools(cfg)
	for _, p := range wanted {
		np := live[p.Name]
		if np == nil {
			replace("node_pool[%q]: not in the cluster (node pools are not added in place)", p.Name)
			continue
		}
		poolDrift(p, np, replace)
	}
	for _, name := range slices.Sorted(maps.Keys(live)) {
		if !slices.ContainsFunc(wanted, func(p pool) bool { return p.Name == name }) {
			replace("node_pool[%q]: in the cluster but not in the gke block (node pools are not removed in place)", name)
		}
	}
	if len(d.Replace) > 0 {
		return d
	}

	counts := liveCounts(cl, recorded)
	for _, p := range wanted {
		if p.autoscaled() {
			continue
		}
		if n, ok := counts[p.Name]; ok && n != p.NodeCount {
			d.Resize = append(d.Resize, resize{Pool: p.Name, From: strconv.Itoa(n), To: p.NodeCount})
		}
	}
	return d
}

// poolDrift reports a node pool's settings that differ and cannot change
// in place.
func poolDrift(p pool, np *containerpb.NodePool, replace func(string, ...any)) {
	c := np.GetConfig()
	at := fmt.Sprintf("node_pool[%q]", p.Name)
	if c.GetMachineType() != p.MachineType {
		replace("%s.machine_type: %q → %q", at, c.GetMachineType(), p.MachineType)
	}
	if int(c.GetDiskSizeGb()) != p.DiskSizeGB {
		replace("%s.disk_size_gb: %d → %d", at, c.GetDiskSizeGb(), p.DiskSizeGB)
	}
	if c.GetDiskType() != p.DiskType {
		replace("%s.disk_type: %q → %q", at, c.GetDiskType(), p.DiskType)
	}
	if !strings.EqualFold(c.GetImageType(), p.ImageType) {
		replace("%s.image_type: %q → %q", at, c.GetImageType(), p.ImageType)
	}
	if c.GetSpot() != p.Spot {
		replace("%s.spot: %t → %t", at, c.GetSpot(), p.Spot)
	}
	if !maps.Equal(c.GetLabels(), p.Labels) && !(len(c.GetLabels()) == 0 && len(p.Labels) == 0) {
		replace("%s.labels: %s → %s", at, formatLabels(c.GetLabels()), formatLabels(p.Labels))
	}
	as := np.GetAutoscaling()
	if as.GetEnabled() != p.autoscaled() ||
		(p.autoscaled() && (int(as.GetMinNodeCount()) != p.MinNodeCount || int(as.GetMaxNodeCount()) != p.MaxNodeCount)) {
		replace("%s autoscaling: %d..%d → %d..%d", at, as.GetMinNodeCount(), as.GetMaxNodeCount(), p.MinNodeCount, p.MaxNodeCount)
	}
}

// liveCounts is each pool's node count per zone: the count podlab last set
// (recorded in state), else the pool's initial_node_count. It never reads
// the cluster's current_node_count: that total moves by itself while GKE
// adds surge nodes (upgrades, repairs, a resize in progress), and planning
// from it would resize pools nobody changed. The Terraform Google provider
// reads the target size of the pool's instance groups instead, which
// podlab cannot (it uses no Compute Engine API), so a resize made outside
// podlab is not seen; the next change of node_count in the block sets it.
func liveCounts(cl *containerpb.Cluster, recorded map[string]int) map[string]int {
	counts := map[string]int{}
	for _, np := range cl.GetNodePools() {
		n, ok := recorded[np.GetName()]
		if !ok {
			n = int(np.GetInitialNodeCount())
		}
		counts[np.GetName()] = n
	}
	return counts
}
