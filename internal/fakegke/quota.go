package fakegke

import (
	"fmt"
	"strconv"
	"strings"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Quota is what a project may use in one region. GKE checks the Compute
// Engine quotas its nodes need when a cluster is created and refuses the
// create at once, with PERMISSION_DENIED (HTTP 403), when they fall short.
// Zero fields are unlimited.
type Quota struct {
	// CPUs is the regional "CPUS" quota: vCPUs of all nodes in the region.
	CPUs int
	// SSDTotalGB is the regional "SSD_TOTAL_GB" quota: pd-ssd and
	// pd-balanced boot disks.
	SSDTotalGB int
	// Clusters is how many clusters the project may have in the region.
	Clusters int
}

type quotaKey struct{ project, region string }

// SetQuota sets the quota of project in region (a region, such as
// "asia-northeast3"; zonal clusters count against their zone's region).
func (s *Server) SetQuota(project, region string, q Quota) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas[quotaKey{project, region}] = q
}

// regionOf is the region of a zone or region.
func regionOf(location string) string {
	if isZone(location) {
		return location[:strings.LastIndex(location, "-")]
	}
	return location
}

// usage is what a cluster uses of its region's quota.
type usage struct{ cpus, ssdGB, clusters int }

// usageOf counts a cluster's nodes: every pool's nodes in each of its zones.
// Autopilot clusters start without user nodes, so they count as a cluster
// only.
func usageOf(c *containerpb.Cluster, sizes map[string]int32) usage {
	u := usage{clusters: 1}
	if c.GetAutopilot().GetEnabled() {
		return u
	}
	for _, p := range c.GetNodePools() {
		n := int(p.GetInitialNodeCount())
		if sizes != nil {
			n = int(sizes[p.GetName()])
		}
		nodes := n * max(len(p.GetLocations()), 1)
		u.cpus += nodes * machineVCPUs(p.GetConfig().GetMachineType())
		if t := p.GetConfig().GetDiskType(); t == "pd-ssd" || t == "pd-balanced" {
			u.ssdGB += nodes * int(p.GetConfig().GetDiskSizeGb())
		}
	}
	return u
}

// checkQuota refuses a new cluster whose nodes do not fit in what is left
// of its region's quota, with the messages GKE gives (seen from GKE, quoted
// in issues of projects that hit them: "Insufficient regional quota to
// satisfy request: resource "CPUS": request requires '72.0' and is short
// '48.0'. project has a quota of '24.0' with '24.0' available. ...").
// Callers hold s.mu; c has its defaults (pools, locations) filled in.
func (s *Server) checkQuota(k clusterKey, c *cluster) error {
	region := regionOf(k.location)
	q, ok := s.quotas[quotaKey{k.project, region}]
	if !ok {
		return nil
	}
	var used usage
	for key, other := range s.clusters {
		if key.project == k.project && regionOf(key.location) == region {
			u := usageOf(other.pb, other.sizes)
			used.cpus += u.cpus
			used.ssdGB += u.ssdGB
			used.clusters += u.clusters
		}
	}
	req := usageOf(c.pb, nil)
	if q.Clusters > 0 && used.clusters+1 > q.Clusters {
		// approximated: GKE's wording for its clusters-per-location quota.
		return status.Errorf(codes.PermissionDenied,
			"Insufficient quota to satisfy request: cannot create more than %d clusters in region %q (project has %d).", q.Clusters, region, used.clusters)
	}
	var short []string
	add := func(resource string, quota, inUse, want int) {
		if quota <= 0 || inUse+want <= quota {
			return
		}
		avail := max(quota-inUse, 0)
		short = append(short, fmt.Sprintf(
			"Insufficient regional quota to satisfy request: resource %q: request requires '%s' and is short '%s'. project has a quota of '%s' with '%s' available. View and manage quotas at https://console.cloud.google.com/iam-admin/quotas?usage=USED&project=%s.",
			resource, quotaNum(want), quotaNum(want-avail), quotaNum(quota), quotaNum(avail), k.project))
	}
	add("CPUS", q.CPUs, used.cpus, req.cpus)
	add("SSD_TOTAL_GB", q.SSDTotalGB, used.ssdGB, req.ssdGB)
	switch len(short) {
	case 0:
		return nil
	case 1:
		return status.Error(codes.PermissionDenied, short[0])
	}
	// Several shortfalls are numbered, as GKE numbers them.
	var b strings.Builder
	for i, m := range short {
		fmt.Fprintf(&b, "\n\t(%d) %s", i+1, m)
	}
	return status.Error(codes.PermissionDenied, b.String())
}

func quotaNum(n int) string { return strconv.Itoa(n) + ".0" }

// machineVCPUs is how many vCPUs a machine type counts against the CPUS
// quota: the number at the end of standard, highmem and highcpu types
// ("n2-standard-4"), and 2 for the shared-core E2 types (e2-micro, e2-small,
// e2-medium count as 2 vCPUs, per Compute Engine's machine-type table).
func machineVCPUs(machineType string) int {
	i := strings.LastIndex(machineType, "-")
	if n, err := strconv.Atoi(machineType[i+1:]); err == nil && n > 0 {
		return n
	}
	return 2
}
