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
			// Nothing to apply: every check runs, targets or not.
			return o.afterApply(p, nil, nil, nil)
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
	opts := engine.ApplyOptions{
		Provider: prov, State: req.State, Parallelism: req.Parallelism, Hooks: prog, Kill: req.Kill, Counter: req.Counter,
		Reevaluate: o.lab.Reevaluate, GracePeriod: req.GracePeriod, CreateTimeout: req.CreateTimeout,
	}
	// The checks run while the apply goes on, each instance's once its
	// objects are ready (see pipeline).
	var pl *pipeline
	if req.Checks && !p.RefreshOnly {
		pl = o.newPipeline(p, checkedInstances(p), prog)
		opts.Hooks, opts.Connected = pl, pl.connected
	}
	res, diags := e.Apply(ctx, p, opts)
	prog.Close()
	o.v.Diagnostics(diags)
	if pl != nil && (res.Interrupted || diags.HasErrors()) {
		pl.stop()
	}
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
	out := o.afterApply(p, res.Client, checkedInstances(p), pl)
	out.Applied = res
	return out
}

// checkedInstances are the instances whose checks an apply of p runs:
// with a targeted plan, only those of what it kept; otherwise all (nil).
func checkedInstances(p *plan.Plan) map[string]bool {
	if len(p.Targets) == 0 {
		return nil
	}
	instances := map[string]bool{}
	for _, c := range p.Checks {
		instances[c.Instance] = true
	}
	return instances
}

// afterApply shows the outputs and the results of the checks of instances
// (all, when nil); pl has run them during the apply, if it ran.
func (o *op) afterApply(p *plan.Plan, kc *kubeapi.Client, instances map[string]bool, pl *pipeline) *Result {
	o.v.Outputs(o.req.State.State())
	if !o.req.Checks {
		return &Result{Plan: p}
	}
	res := o.runChecks(kc, instances, pl)
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
