package engine

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// StateRuntime answers the language's questions about applied objects from
// state: a pod's IP, its node, an object's uid.
type StateRuntime struct{ State *state.State }

// Observed returns what state records of an object.
func (r StateRuntime) Observed(address string) (config.ObjectStatus, bool) {
	o := r.State.Object(address)
	if o == nil || o.UID == "" {
		return config.ObjectStatus{}, false
	}
	return config.ObjectStatus{
		UID: o.UID, IP: o.Attributes["ip"], Node: o.Attributes["node"], Phase: o.Attributes["phase"],
	}, true
}

// ClusterAttrs returns the cluster's recorded attributes.
func (r StateRuntime) ClusterAttrs() (map[string]cty.Value, bool) {
	c := r.State.Cluster
	if c == nil || c.Status != state.ClusterReady {
		return nil, false
	}
	out := map[string]cty.Value{}
	for _, k := range []string{"endpoint", "ca_certificate", "version"} {
		if v, ok := c.Attributes[k]; ok {
			out[k] = cty.StringVal(v)
		} else {
			out[k] = cty.NullVal(cty.String)
		}
	}
	return out, true
}

// PlanRuntime is StateRuntime for planning: what a plan creates or
// replaces is not known until apply.
type PlanRuntime struct {
	State *state.State
	Plan  *plan.Plan
}

// Observed returns what state records of an object that the plan keeps.
func (r PlanRuntime) Observed(address string) (config.ObjectStatus, bool) {
	for _, ch := range r.Plan.Changes {
		if ch.Address == address && (ch.Action == plan.Create || ch.Action == plan.Replace || ch.Action == plan.Delete) {
			return config.ObjectStatus{}, false
		}
	}
	return StateRuntime{State: r.State}.Observed(address)
}

// ClusterAttrs returns the cluster's recorded attributes unless the plan
// creates the cluster.
func (r PlanRuntime) ClusterAttrs() (map[string]cty.Value, bool) {
	if c := r.Plan.Cluster; c != nil && c.Action != plan.NoOp {
		return nil, false
	}
	return StateRuntime{State: r.State}.ClusterAttrs()
}
