package gke

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/podlab/podlab/providers"
)

// regionalZones is how many zones GKE spreads a regional cluster's node
// pools over by default: node_count is per zone there.
const regionalZones = 3

// Describe estimates how many nodes the cluster runs and the quota they
// need; Autopilot's nodes are GKE's to decide.
func (p *Provider) Describe() providers.Description {
	g := &p.Cfg
	if g.Autopilot {
		return providers.Description{}
	}
	zones := 1
	if strings.Count(g.Location, "-") == 1 {
		zones = regionalZones
	}
	n := 0
	for _, np := range g.NodePools {
		n += max(np.NodeCount, np.MaxNodeCount) * zones
	}
	return providers.Description{Sized: true, Nodes: n, Quota: quotaEstimate(g)}
}

// quotaEstimate is a rough count of the regional Compute Engine quota the
// nodes need, so that an instructor sees before apply what a trial or
// education project may not have: GKE refuses a create over quota at once
// with "Insufficient regional quota to satisfy request: resource "CPUS"".
// vCPUs count against CPUS; pd-ssd and pd-balanced disks against
// SSD_TOTAL_GB, pd-standard against DISKS_TOTAL_GB (Compute Engine's quota
// documentation).
func quotaEstimate(g *Config) string {
	zones := 1
	region := g.Location
	if strings.Count(g.Location, "-") == 1 {
		zones = regionalZones
	} else if i := strings.LastIndex(g.Location, "-"); i > 0 {
		region = g.Location[:i]
	}
	cpus := 0
	disk := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(g.NodePools)) {
		np := g.NodePools[name]
		nodes := max(np.NodeCount, np.MaxNodeCount) * zones
		cpus += nodes * machineVCPUs(np.MachineType)
		quota := "SSD_TOTAL_GB"
		if np.DiskType == "pd-standard" {
			quota = "DISKS_TOTAL_GB"
		}
		disk[quota] += nodes * np.DiskSizeGB
	}
	if cpus == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("%d CPUS", cpus)}
	for _, q := range slices.Sorted(maps.Keys(disk)) {
		parts = append(parts, fmt.Sprintf("%d GB %s", disk[q], q))
	}
	return "quota in " + region + " ≈ " + strings.Join(parts, ", ")
}

// machineVCPUs is how many vCPUs a machine type counts against the CPUS
// quota: the number ending standard, highmem and highcpu types
// ("n2-standard-4" has 4); 2 for the shared-core e2-micro, e2-small and
// e2-medium and for types it cannot read.
func machineVCPUs(machineType string) int {
	i := strings.LastIndex(machineType, "-")
	if n, err := strconv.Atoi(machineType[i+1:]); err == nil && n > 0 {
		return n
	}
	return 2
}
