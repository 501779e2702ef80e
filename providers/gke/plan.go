package gke

import (
	"fmt"
	"sort"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
)

// describe lists the cluster's settings as a plan shows them.
func describe(cfg *config.GKE) []plan.Attribute {
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
		attrs = append(attrs, plan.Attribute{Name: "autopilot", Value: "true"})
	}
	names := make([]string, 0, len(cfg.NodePools))
	for n := range cfg.NodePools {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		np := cfg.NodePools[n]
		desc := fmt.Sprintf("%d × %s, %d GB %s", np.NodeCount, np.MachineType, np.DiskSizeGB, np.DiskType)
		if np.Spot {
			desc += ", spot"
		}
		attrs = append(attrs, plan.Attribute{Name: fmt.Sprintf("node_pool[%q]", n), Value: desc})
	}
	attrs = append(attrs,
		plan.Attribute{Name: "endpoint", Value: "(known after apply)"},
		plan.Attribute{Name: "ca_certificate", Value: "(known after apply)"},
	)
	return attrs
}
