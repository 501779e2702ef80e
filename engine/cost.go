package engine

import (
	"fmt"
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
	if ttl := env.Lab.TTL; ttl > 0 {
		text += fmt.Sprintf(", %.1f node-hours until the ttl (%s)", float64(n)*ttl.Hours(), ttl)
	}
	if max := env.Lab.MaxNodes; max > 0 {
		text += fmt.Sprintf("; cap %d (lab.max_nodes)", max)
		over = n > max
	}
	return text, over
}
