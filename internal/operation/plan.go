package operation

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/config/manifest"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// plan is the Plan operation: make the plan and show it.
func (o *op) plan() *Result {
	o.warnTargeted()
	p, _, res := o.makePlan(o.req.State.State(), o.req.Destroy, o.req.State.State().ExpiresAt)
	if p == nil {
		return res
	}
	o.v.Plan(p)
	return &Result{Plan: p}
}

// makePlan plans for the lab: the cluster's change from its provider,
// then every object against what refresh finds in the cluster. It returns
// the client it refreshed with, if any, or the result to end with.
func (o *op) makePlan(prior *state.State, destroy bool, expires *time.Time) (*plan.Plan, *kubeapi.Client, *Result) {
	req, env := o.req, o.lab.Env
	prov, err := o.provider(expires)
	if err != nil {
		return nil, nil, o.failed("%s", err)
	}
	var cc *plan.ClusterChange
	if destroy {
		if len(req.Target) == 0 {
			// A targeted destroy leaves the cluster: the rest of the
			// environment lives in it.
			cc = destroyClusterChange(prior)
		}
	} else if cc, err = prov.Plan(o.ctx, prior.Cluster, req.Refresh); err != nil {
		return nil, nil, o.failed("%s", err)
	}
	opts := engine.PlanOptions{Destroy: destroy, Cluster: cc, Replace: req.Replace, Target: req.Target, RefreshOnly: req.RefreshOnly}
	if cc != nil && cc.Action == plan.Create {
		// A cluster about to be created holds nothing yet, whatever the
		// state says (it was deleted outside podlab).
		opts.Live = map[string]*unstructured.Unstructured{}
	}
	e := engine.New(env, prior, req.Version)
	var kc *kubeapi.Client
	if req.Refresh && (cc == nil || cc.Action != plan.Create) {
		kc, err = o.connect(prior)
		switch {
		case errors.Is(err, providers.ErrNotCreated):
			kc = nil
		case err != nil && prior.Empty() && !destroy:
			o.v.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Planning without the cluster",
				Detail:   fmt.Sprintf("%s. The state records nothing yet, so the plan shows what the configuration asks for; apply will need the cluster.", err),
			}})
		case err != nil && prior.Empty():
			// Destroying: state records nothing, so there is nothing to
			// delete; say so rather than fail, and say what could not be
			// looked for.
			o.v.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Cannot reach the cluster",
				Detail: fmt.Sprintf("%s. The state of environment %q records nothing, so there is nothing to destroy. Objects an interrupted apply created but did not record can only be found in the cluster: run podlab destroy again once it answers.",
					err, env.Name),
			}})
		case err != nil && destroy:
			return nil, nil, o.failed("%s. The state records %d objects in environment %q; podlab destroy must reach the cluster to delete them (podlab state rm ADDRESS forgets an object without deleting it)", err, len(prior.Objects), env.Name)
		case err != nil:
			return nil, nil, o.failed("%s. The state records objects in environment %q, so podlab will not plan without seeing the cluster (podlab plan -refresh=false shows what the state alone says)", err, env.Name)
		default:
			if !destroy {
				cat, err := kc.Catalog()
				if err != nil {
					return nil, nil, o.failed("%s", err)
				}
				diags := engine.CheckKinds(env, cat, true)
				o.v.Diagnostics(diags)
				if diags.HasErrors() {
					return nil, nil, &Result{Status: Failed}
				}
			}
			live, err := e.Refresh(o.ctx, kc, req.Parallelism)
			if err != nil {
				return nil, nil, o.failed("%s", err)
			}
			opts.Live = live
			opts.Differ = engine.KubeDiffer{Client: kc}
		}
	}
	if kc == nil && !destroy {
		// No cluster to ask (not created yet, unreachable, or
		// -refresh=false): warn of kinds outside the built-in set.
		o.v.Diagnostics(engine.CheckKinds(env, manifest.BuiltIn(), false))
	}
	if o.ctx.Err() != nil {
		// Interrupted while asking the cluster: what it said is incomplete.
		return nil, nil, &Result{Status: Interrupted}
	}
	p, err := e.Plan(o.ctx, opts)
	if err != nil {
		return nil, nil, o.failed("%s", err)
	}
	if !destroy {
		size := prov.Describe()
		if text, over := engine.CostEstimate(env, size); text != "" && p.Cluster != nil {
			p.Cluster.Attributes = append(p.Cluster.Attributes, plan.Attribute{Name: "estimated size", Value: text})
			if over {
				p.Notes = append(p.Notes, fmt.Sprintf("This environment needs %d nodes, more than lab.max_nodes = %d: apply refuses it unless -allow-over-cap.", size.Nodes, env.Lab.MaxNodes))
			}
		}
		// Outputs about objects that stay are known from state now.
		env, diags := o.lab.Reevaluate(engine.PlanRuntime{State: prior, Plan: p})
		if !diags.HasErrors() {
			p.Outputs = engine.PlannedOutputs(env)
		}
	}
	return p, kc, nil
}

// connect reaches an existing cluster, checking that it answers.
func (o *op) connect(prior *state.State) (*kubeapi.Client, error) {
	conn, err := o.prov.Connect(o.ctx, prior.Cluster)
	if err != nil {
		return nil, err
	}
	kc, err := kubeapi.New(conn.REST, kubeapi.Options{Counter: o.req.Counter})
	if err != nil {
		return nil, err
	}
	if _, err := kc.Ping(o.ctx, 15*time.Second); err != nil {
		return nil, err
	}
	return kc, nil
}

// destroyClusterChange: a cluster podlab created goes with the rest; one
// it adopted or was given stays.
func destroyClusterChange(prior *state.State) *plan.ClusterChange {
	c := prior.Cluster
	if c == nil || !c.Created {
		return nil
	}
	return &plan.ClusterChange{
		Name: c.Name, Kind: c.Kind, Action: plan.Delete,
		Title:  fmt.Sprintf("%s cluster %q (created by podlab)", c.Kind, c.Name),
		Reason: "podlab created it",
	}
}

// warnTargeted says, as Terraform does, that a -target plan is partial.
func (o *op) warnTargeted() { o.v.Diagnostics(TargetingWarning(o.req.Target)) }

// TargetingWarning is Terraform's warning that a plan made with -target
// may not show every change the configuration asks for; none without
// targets.
func TargetingWarning(targets []string) hcl.Diagnostics {
	if len(targets) == 0 {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Resource targeting is in effect",
		Detail: "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\n" +
			"In a class this is how one seat is added or removed without touching the others; run a plan without -target afterwards to see that nothing else is pending.",
	}}
}
