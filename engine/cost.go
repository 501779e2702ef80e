package engine

import (
	"fmt"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/providers"
)

// CostEstimate says how many nodes the environment runs (as its provider
// describes the cluster) and, with a ttl,
// how many node-hours until it expires; over is set when that exceeds
// lab.max_nodes.
func CostEstimate(env *config.Env, d providers.Description) (text string, over bool) {
	n := d.Nodes
	if !d.Sized {
		return "", false
	}
	text = fmt.Sprintf("%d node(s)", n)
	if d.Quota != "" {
		text += " (" + d.Quota + ")"
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
