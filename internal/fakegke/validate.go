package fakegke

import (
	"fmt"
	"regexp"
	"sort"

	"cloud.google.com/go/container/apiv1/containerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Request checks GKE makes before it starts an operation. Messages seen from
// GKE are kept word for word; the ones marked "approximated" are GKE-like.

// namePattern is GKE's rule for cluster and node pool names, as its error
// message states it.
const namePattern = `(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)`

var nameRE = regexp.MustCompile(`^` + namePattern + `$`)

func checkName(field, name string) error {
	if nameRE.MatchString(name) {
		return nil
	}
	return status.Errorf(codes.InvalidArgument,
		"Invalid value for field %q: %q. Must be a match of regex '%s' (only lowercase alphanumerics and '-' allowed, must start with a letter and end with an alphanumeric, and must be no longer than 40 characters).",
		field, name, namePattern)
}

// checkNewCluster validates a CreateCluster request's cluster for a
// location.
func checkNewCluster(c *containerpb.Cluster, location string) error {
	if c == nil {
		// approximated
		return status.Error(codes.InvalidArgument, `Required field "cluster" not specified.`)
	}
	if err := checkName("cluster.name", c.GetName()); err != nil {
		return err
	}
	if c.GetAutopilot().GetEnabled() {
		return checkAutopilot(c, location)
	}
	count, config := legacyPool(c)
	switch {
	case len(c.GetNodePools()) > 0 && (count != 0 || config != nil):
		// approximated
		return status.Error(codes.InvalidArgument,
			"Cluster.initial_node_count and Cluster.node_config cannot be set together with Cluster.node_pools; use node_pools.")
	case len(c.GetNodePools()) == 0 && count <= 0:
		// Seen from GKE for a cluster without node pools.
		return status.Error(codes.InvalidArgument, "Cluster.initial_node_count must be greater than zero.")
	}
	seen := map[string]bool{}
	for i, p := range c.GetNodePools() {
		field := fmt.Sprintf("cluster.node_pools[%d]", i)
		if err := checkNodePool(field, p); err != nil {
			return err
		}
		if seen[p.GetName()] {
			// approximated
			return status.Errorf(codes.InvalidArgument, "Node pool %q is specified more than once.", p.GetName())
		}
		seen[p.GetName()] = true
	}
	return checkLabels("cluster.resource_labels", c.GetResourceLabels())
}

// checkAutopilot validates an Autopilot cluster: regional only, and no
// node pools of the user's (GKE creates and manages them).
func checkAutopilot(c *containerpb.Cluster, location string) error {
	if isZone(location) {
		// Seen from GKE (HTTP 400, quoted in GoogleCloudPlatform/ai-on-gke#628).
		return status.Error(codes.InvalidArgument, "Autopilot clusters must be regional clusters.")
	}
	count, config := legacyPool(c)
	if len(c.GetNodePools()) > 0 || count != 0 || config != nil {
		// approximated
		return status.Error(codes.InvalidArgument, "Autopilot clusters do not support user-specified node pools, initial_node_count or node_config; GKE manages the nodes.")
	}
	return checkLabels("cluster.resource_labels", c.GetResourceLabels())
}

// legacyPool reads the deprecated fields that describe a cluster's first node
// pool; GKE still accepts them, so the fake must too.
func legacyPool(c *containerpb.Cluster) (int32, *containerpb.NodeConfig) {
	config, _ := getMessage(c, "node_config").(*containerpb.NodeConfig)
	return getInt32(c, "initial_node_count"), config
}

// checkNodePool validates a node pool of a CreateCluster or CreateNodePool
// request.
func checkNodePool(field string, p *containerpb.NodePool) error {
	if p == nil {
		// approximated
		return status.Errorf(codes.InvalidArgument, "Required field %q not specified.", field)
	}
	if err := checkName(field+".name", p.GetName()); err != nil {
		return err
	}
	if p.GetInitialNodeCount() < 0 {
		// approximated
		return status.Errorf(codes.InvalidArgument,
			"Invalid value for field %q: %d. Must be non-negative.", field+".initial_node_count", p.GetInitialNodeCount())
	}
	return checkLabels(field+".config.labels", p.GetConfig().GetLabels())
}

// Google Cloud label rules: at most 64 labels; keys 1 to 63 characters of
// lowercase letters, digits, '_' and '-', starting with a lowercase letter;
// values up to 63 of the same characters. podlab writes labels from lab names,
// so the fake must refuse what GKE refuses.
var (
	labelKeyRE   = regexp.MustCompile(`^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$`)
	labelValueRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$`)
)

func checkLabels(field string, labels map[string]string) error {
	if len(labels) > 64 {
		// approximated
		return status.Errorf(codes.InvalidArgument, "Invalid value for field %q: at most 64 labels are allowed, got %d.", field, len(labels))
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same label every time
	for _, k := range keys {
		if !labelKeyRE.MatchString(k) {
			// approximated
			return status.Errorf(codes.InvalidArgument,
				"Invalid value for field %q: label key %q must start with a lowercase letter and contain only lowercase letters, digits, '_' and '-' (at most 63 characters).", field, k)
		}
		if v := labels[k]; !labelValueRE.MatchString(v) {
			// approximated
			return status.Errorf(codes.InvalidArgument,
				"Invalid value for field %q: label value %q of key %q may contain only lowercase letters, digits, '_' and '-' (at most 63 characters).", field, v, k)
		}
	}
	return nil
}

func checkNodeCount(n int32) error {
	if n < 0 {
		// approximated
		return status.Errorf(codes.InvalidArgument, "Invalid value for field \"node_count\": %d. Must be non-negative.", n)
	}
	return nil
}
