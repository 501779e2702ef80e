package operation

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// apply is the Apply operation. In order: the guards that need no cluster
// (expiry, the node cap, a saved plan's staleness), the plan (made now,
// with the cluster refreshed, or the saved one), approval, apply (the
// cluster, then the objects; the lifetime recorded once the cluster
// answers), the outputs, and the checks.
func (o *op) apply() *Result {
	req, env := o.req, o.lab.Env
	prior := req.State.State()
	if prior.ExpiresAt != nil && time.Now().After(*prior.ExpiresAt) {
		o.v.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "The environment has expired",
			Detail: fmt.Sprintf("Environment %q passed its time limit at %s (lab.ttl %s). podlab destroy -expired will remove it; raise lab.ttl to keep it longer.",
				env.Name, prior.ExpiresAt.Local().Format(time.DateTime), env.Lab.TTL),
		}})
	}
	e := engine.New(env, prior, req.Version)
	// The expiry is known before the cluster is made, so a new GKE
	// cluster is labelled with it; it is recorded only once the cluster
	// answers (engine.Apply), so an apply that reached nothing records
	// nothing.
	_, expires := e.Lifetime(prior)
	prov, err := o.provider(expires)
	if err != nil {
		return o.failed("%s", err)
	}
	size := prov.Describe()
	if _, over := engine.CostEstimate(env, size); over && !req.AllowOverCap && (prior.Cluster == nil || prior.Cluster.Status != state.ClusterReady) {
		return o.failed("environment %q needs %d GKE nodes, more than lab.max_nodes = %d; lower the node counts, raise the cap, or pass -allow-over-cap", env.Name, size.Nodes, env.Lab.MaxNodes)
	}

	p := req.Saved
	if p != nil {
		if err := checkSaved(p, o.lab, prior); err != nil {
			return o.failed("%s", err)
		}
		if p.Destroy {
			// plan -destroy -out FILE, then apply FILE.
			if err := o.checkDestroyAllowed(prior); err != nil {
				return o.failed("%s", err)
			}
			return o.executeDestroy(p)
		}
	} else {
		o.warnTargeted()
		var res *Result
		if p, _, res = o.makePlan(prior, false, expires); p == nil {
			return res
		}
		o.v.Plan(p)
		if !p.HasChanges() {
			return o.afterApply(p, nil, false)
		}
		if !req.AutoApprove && !o.v.Confirm(fmt.Sprintf("Do you want to perform these actions in environment %q?", p.Environment)) {
			o.v.Cancelled(Apply)
			return &Result{Status: Cancelled, Plan: p}
		}
	}
	ctx, cancel := withTimeout(o.ctx, req.Timeout)
	defer cancel()
	prog := o.v.Progress()
	if !req.StartSaving() {
		prog.Close()
		o.v.Interrupted("Nothing was changed.")
		return &Result{Status: Interrupted, Plan: p}
	}
	res, diags := e.Apply(ctx, p, engine.ApplyOptions{
		Provider: prov, State: req.State, Parallelism: req.Parallelism, Hooks: prog, Kill: req.Kill, Counter: req.Counter,
		Reevaluate: o.lab.Reevaluate, GracePeriod: req.GracePeriod, CreateTimeout: req.CreateTimeout,
	})
	prog.Close()
	o.v.Diagnostics(diags)
	switch {
	case res.Interrupted:
		o.v.Interrupted("State is saved; run podlab apply again to carry on.")
		return &Result{Status: Interrupted, Plan: p, Applied: res}
	case diags.HasErrors():
		o.v.ApplyFailed(res)
		return &Result{Status: Failed, Plan: p, Applied: res}
	}
	o.v.Applied(p, res)
	if p.RefreshOnly {
		return &Result{Plan: p, Applied: res}
	}
	if len(p.Targets) > 0 {
		o.warnTargetedDone()
	}
	out := o.afterApply(p, res.Client, len(p.Targets) > 0)
	out.Applied = res
	return out
}

// afterApply shows the outputs and runs the checks: with a targeted plan,
// only the checks of what it kept.
func (o *op) afterApply(p *plan.Plan, kc *kubeapi.Client, targeted bool) *Result {
	o.v.Outputs(o.req.State.State())
	if !o.req.Checks {
		return &Result{Plan: p}
	}
	var instances map[string]bool
	if targeted {
		instances = map[string]bool{}
		for _, c := range p.Checks {
			instances[c.Instance] = true
		}
	}
	res := o.runChecks(kc, instances)
	res.Plan = p
	return res
}

// checkSaved refuses a saved plan made against other files, variables or
// state.
func checkSaved(p *plan.Plan, l *Lab, prior *state.State) error {
	switch {
	case p.Environment != l.Env.Name || p.Lab != l.Env.Lab.Name:
		return fmt.Errorf("the plan is for environment %q of lab %q, not %q of %q", p.Environment, p.Lab, l.Env.Name, l.Env.Lab.Name)
	case p.ConfigHash != engine.ConfigHash(l.Env):
		return fmt.Errorf("the lab's files changed since the plan was made: make a new plan")
	case p.StateRef.Lineage != prior.Lineage && p.StateRef.Serial != 0:
		return fmt.Errorf("the plan was made against another state (lineage %s, now %s): make a new plan", p.StateRef.Lineage, prior.Lineage)
	case p.StateRef.Serial != prior.Serial:
		return fmt.Errorf("the state changed since the plan was made (serial %d, now %d): make a new plan", p.StateRef.Serial, prior.Serial)
	}
	return nil
}

// warnTargetedDone is Terraform's reminder after a targeted apply.
func (o *op) warnTargetedDone() {
	o.v.Diagnostics(hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Applied changes may be incomplete",
		Detail:   "The plan was created with the -target option in effect, so some changes requested in the configuration may have been ignored and the checks of other objects were not run. Run podlab plan to verify that no other changes are pending.",
	}})
}
