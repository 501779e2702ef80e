package operation

import (
	"fmt"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// destroy is the Destroy operation: refuse a protected cluster before
// anything in it is deleted, plan the deletion of everything, ask, and
// delete.
func (o *op) destroy() *Result {
	req := o.req
	prior := req.State.State()
	if len(req.Target) == 0 {
		if err := o.checkDestroyAllowed(prior); err != nil {
			return o.failed("%s", err)
		}
	}
	o.warnTargeted()
	p, _, res := o.makePlan(prior, true, prior.ExpiresAt)
	if p == nil {
		return res
	}
	o.v.Plan(p)
	if !p.HasChanges() && (prior.Cluster == nil || !prior.Cluster.Created || len(req.Target) > 0) {
		return &Result{Plan: p}
	}
	question := fmt.Sprintf("Do you really want to destroy everything in environment %q?", p.Environment)
	if len(req.Target) > 0 {
		question = fmt.Sprintf("Do you really want to destroy the objects shown above in environment %q?", p.Environment)
	}
	if !req.AutoApprove && !o.v.Confirm(question) {
		o.v.Cancelled(Destroy)
		return &Result{Status: Cancelled, Plan: p}
	}
	return o.executeDestroy(p)
}

// executeDestroy carries out a destroy plan: made just now, or saved with
// plan -destroy -out FILE and given to apply.
func (o *op) executeDestroy(p *plan.Plan) *Result {
	req := o.req
	prior := req.State.State()
	ctx, cancel := withTimeout(o.ctx, req.Timeout)
	defer cancel()
	prov, err := o.provider(prior.ExpiresAt)
	if err != nil {
		return o.failed("%s", err)
	}
	prog := o.v.Progress()
	e := engine.New(o.lab.Env, prior, req.Version)
	opts := engine.ApplyOptions{Provider: prov, State: req.State, Parallelism: req.Parallelism, Hooks: prog, Kill: req.Kill, Counter: req.Counter,
		GracePeriod: req.GracePeriod, ClusterDeleteWipes: prov.Describe().DeleteWipesObjects}
	if !req.StartSaving() {
		prog.Close()
		o.v.Interrupted("Nothing was destroyed.")
		return &Result{Status: Interrupted, Plan: p}
	}
	res, diags := e.Destroy(ctx, p, opts)
	prog.Close()
	o.v.Diagnostics(diags)
	out := &Result{Plan: p, Applied: res}
	switch {
	case res.Interrupted && ctx.Err() != nil && o.ctx.Err() == nil:
		o.v.Errorf("destroy did not finish within -timeout %s; state records what is left: run podlab destroy again", req.Timeout)
		out.Status = Failed
		return out
	case res.Interrupted:
		o.v.Interrupted("State is saved; run podlab destroy again to carry on.")
		out.Status = Interrupted
		return out
	case diags.HasErrors():
		out.Status = Failed
		return out
	}
	o.v.Destroyed(p, res)
	if len(p.Targets) > 0 {
		o.warnTargetedDone()
	}
	return out
}

// checkDestroyAllowed refuses to destroy a cluster its provider protects
// (deletion_protection).
func (o *op) checkDestroyAllowed(prior *state.State) error {
	prov, err := o.provider(prior.ExpiresAt)
	if err != nil {
		return nil
	}
	return prov.CheckDestroy(prior.Cluster)
}
