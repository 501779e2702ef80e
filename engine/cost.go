package engine

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/podlab/podlab/config"
)

// regionalZones is how many zones GKE spreads a regional cluster's node
// pools over by default: node_count is per zone there.
const regionalZones = 3

// Nodes estimates how many nodes a GKE environment runs; ok is false for
// other kinds and for Autopilot, whose nodes GKE decides.
func Nodes(env *config.Env) (int, bool) {
	if env.Cluster == nil || env.Cluster.GKE == nil || env.Cluster.GKE.Autopilot {
		return 0, false
	}
	g := env.Cluster.GKE
	zones := 1
	if strings.Count(g.Location, "-") == 1 {
		zones = regionalZones
	}
	n := 0
	for _, np := range g.NodePools {
		count := np.NodeCount
		if np.MaxNodeCount > count {
			count = np.MaxNodeCount
		}
		n += count * zones
	}
	return n, true
}

// CostEstimate says how many nodes the environment runs and, with a ttl,
// how many node-hours until it expires; over is set when that exceeds
// lab.max_nodes.
func CostEstimate(env *config.Env) (text string, over bool) {
	n, ok := Nodes(env)
	if !ok {
		return "", false
	}
	text = fmt.Sprintf("%d node(s)", n)
	if q := quotaEstimate(env.Cluster.GKE); q != "" {
		text += " (" + q + ")"
	}
	if ttl := env.Lab.TTL; ttl > 0 {
		text += fmt.Sprintf(", %.1f node-hours until the ttl (%s)", float64(n)*ttl.Hours(), ttl)
	}
	if max := env.Lab.MaxNodes; max > 0 {
		text += fmt.Sprintf("; cap %d (lab.max_nodes)", max)
		over = n > max
	}
	return text, over
}

// quotaEstimate is a rough count of the regional Compute Engine quota the
// nodes need, so that an instructor sees before apply what a trial or
// education project may not have: GKE refuses a create over quota at once
// with "Insufficient regional quota to satisfy request: resource "CPUS"".
// vCPUs count against CPUS; pd-ssd and pd-balanced disks against
// SSD_TOTAL_GB, pd-standard against DISKS_TOTAL_GB (Compute Engine's quota
// documentation).
func quotaEstimate(g *config.GKE) string {
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
