package command

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/config/manifest"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

func runPlan(m *Meta, args []string) int {
	a, fs, err := arguments.ParsePlan(args)
	if err != nil {
		return parseError(m, "plan", "plan [-var NAME=VALUE] [-out FILE] [-destroy] [-replace ADDRESS] [-refresh=false] [-detailed-exitcode]", fs, err)
	}
	v := m.view(a.View)
	v.Verbose = a.Verbose
	l, diags := m.load(m.dir(a.Common), a.Vars, a.Workspace, false)
	v.Diagnostics(diags, l.files)
	if diags.HasErrors() {
		return ExitError
	}
	mgr, err := m.openState(l, a.State, "plan")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	warnTargeted(v, a.Target)
	p, _, code := m.makePlan(v, l, mgr.State(), planRequest{destroy: a.Destroy, refresh: a.Refresh, parallelism: a.Parallelism, replace: a.Replace, target: a.Target, refreshOnly: a.RefreshOnly})
	if p == nil {
		return code
	}
	v.Plan(p)
	if a.Out != "" {
		if err := plan.Save(p, inDir(l.dir, a.Out)); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("\nSaved the plan to %s. Apply exactly this plan with:\n  podlab apply %s\n", a.Out, a.Out)
	}
	if a.DetailedExitcode && p.HasChanges() {
		return ExitChecksFail
	}
	return ExitOK
}

type planRequest struct {
	destroy     bool
	refresh     bool
	parallelism int
	replace     []string
	target      []string
	refreshOnly bool
	counter     *kubeapi.RequestCounter
}

// makePlan plans for a loaded lab: the cluster's change from its provider,
// then every object against what refresh finds in the cluster. It returns
// the client it refreshed with, if any.
func (m *Meta) makePlan(v *views.View, l *loaded, prior *state.State, req planRequest) (*plan.Plan, *kubeapi.Client, int) {
	prov, err := m.provider(l)
	if err != nil {
		v.Errorf("%s", err)
		return nil, nil, ExitError
	}
	labelExpiry(prov, prior.ExpiresAt)
	var cc *plan.ClusterChange
	if req.destroy {
		if len(req.target) == 0 {
			// A targeted destroy leaves the cluster: the rest of the
			// environment lives in it.
			cc = destroyClusterChange(l, prior)
		}
	} else if cc, err = prov.Plan(m.Ctx, prior.Cluster, req.refresh); err != nil {
		v.Errorf("%s", err)
		return nil, nil, ExitError
	}
	opts := engine.PlanOptions{Destroy: req.destroy, Cluster: cc, Replace: req.replace, Target: req.target, RefreshOnly: req.refreshOnly}
	if cc != nil && cc.Action == plan.Create {
		// A cluster about to be created holds nothing yet, whatever the
		// state says (it was deleted outside podlab).
		opts.Live = map[string]*unstructured.Unstructured{}
	}
	e := engine.New(l.env, prior, m.Version)
	var kc *kubeapi.Client
	if req.refresh && (cc == nil || cc.Action != plan.Create) {
		kc, err = m.connect(prov, prior, req.counter)
		switch {
		case errors.Is(err, providers.ErrNotCreated):
			kc = nil
		case err != nil && prior.Empty() && !req.destroy:
			v.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Planning without the cluster",
				Detail:   fmt.Sprintf("%s. The state records nothing yet, so the plan shows what the configuration asks for; apply will need the cluster.", err),
			}}, nil)
		case err != nil && prior.Empty():
			// Destroying: state records nothing, so there is nothing to
			// delete; say so rather than fail, and say what could not be
			// looked for.
			v.Diagnostics(hcl.Diagnostics{{
				Severity: hcl.DiagWarning,
				Summary:  "Cannot reach the cluster",
				Detail: fmt.Sprintf("%s. The state of environment %q records nothing, so there is nothing to destroy. Objects an interrupted apply created but did not record can only be found in the cluster: run podlab destroy again once it answers.",
					err, l.env.Name),
			}}, nil)
		case err != nil && req.destroy:
			v.Errorf("%s. The state records %d objects in environment %q; podlab destroy must reach the cluster to delete them (podlab state rm ADDRESS forgets an object without deleting it)", err, len(prior.Objects), l.env.Name)
			return nil, nil, ExitError
		case err != nil:
			v.Errorf("%s. The state records objects in environment %q, so podlab will not plan without seeing the cluster (podlab plan -refresh=false shows what the state alone says)", err, l.env.Name)
			return nil, nil, ExitError
		default:
			if !req.destroy {
				cat, err := kc.Catalog()
				if err != nil {
					v.Errorf("%s", err)
					return nil, nil, ExitError
				}
				diags := engine.CheckKinds(l.env, cat, true)
				v.Diagnostics(diags, l.files)
				if diags.HasErrors() {
					return nil, nil, ExitError
				}
			}
			live, err := e.Refresh(m.Ctx, kc, req.parallelism)
			if err != nil {
				v.Errorf("%s", err)
				return nil, nil, ExitError
			}
			opts.Live = live
			opts.Differ = engine.KubeDiffer{Client: kc}
		}
	}
	if kc == nil && !req.destroy {
		// No cluster to ask (not created yet, unreachable, or
		// -refresh=false): warn of kinds outside the built-in set.
		v.Diagnostics(engine.CheckKinds(l.env, manifest.BuiltIn(), false), l.files)
	}
	if m.Ctx.Err() != nil {
		// Interrupted while asking the cluster: what it said is incomplete.
		return nil, nil, ExitInterrupted
	}
	p, err := e.Plan(m.Ctx, opts)
	if err != nil {
		v.Errorf("%s", err)
		return nil, nil, ExitError
	}
	if !req.destroy {
		if text, over := engine.CostEstimate(l.env); text != "" && p.Cluster != nil {
			p.Cluster.Attributes = append(p.Cluster.Attributes, plan.Attribute{Name: "estimated size", Value: text})
			if over {
				n, _ := engine.Nodes(l.env)
				p.Notes = append(p.Notes, fmt.Sprintf("This environment needs %d nodes, more than lab.max_nodes = %d: apply refuses it unless -allow-over-cap.", n, l.env.Lab.MaxNodes))
			}
		}
		// Outputs about objects that stay are known from state now.
		env, diags := m.reevaluate(l)(engine.PlanRuntime{State: prior, Plan: p})
		if !diags.HasErrors() {
			p.Outputs = engine.PlannedOutputs(env)
		}
	}
	return p, kc, ExitOK
}

// connect reaches an existing cluster, checking that it answers.
func (m *Meta) connect(prov providers.Cluster, prior *state.State, counter *kubeapi.RequestCounter) (*kubeapi.Client, error) {
	conn, err := prov.Connect(m.Ctx, prior.Cluster)
	if err != nil {
		return nil, err
	}
	if counter == nil {
		counter = m.Counter
	}
	kc, err := kubeapi.New(conn.REST, kubeapi.Options{Counter: counter})
	if err != nil {
		return nil, err
	}
	if _, err := kc.Ping(m.Ctx, 15*time.Second); err != nil {
		return nil, err
	}
	return kc, nil
}

// destroyClusterChange: a cluster podlab created goes with the rest; one
// it adopted or was given stays.
func destroyClusterChange(l *loaded, prior *state.State) *plan.ClusterChange {
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
func warnTargeted(v *views.View, targets []string) {
	if len(targets) == 0 {
		return
	}
	v.Diagnostics(hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Resource targeting is in effect",
		Detail: "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\n" +
			"In a class this is how one seat is added or removed without touching the others; run a plan without -target afterwards to see that nothing else is pending.",
	}}, nil)
}

// warnTargetedDone is Terraform's reminder after a targeted apply.
func warnTargetedDone(v *views.View) {
	v.Diagnostics(hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Applied changes may be incomplete",
		Detail:   "The plan was created with the -target option in effect, so some changes requested in the configuration may have been ignored and the checks of other objects were not run. Run podlab plan to verify that no other changes are pending.",
	}}, nil)
}
