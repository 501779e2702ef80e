package command

import (
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/plan"
)

func runPlan(m *Meta, args []string) int {
	a, fs, err := arguments.ParsePlan(args)
	if err != nil {
		return parseError(m, "plan", "plan [-var NAME=VALUE] [-out FILE] [-destroy] [-refresh=false] [-detailed-exitcode]", fs, err)
	}
	v := m.view(a.View)
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
	p, code := m.makePlan(v, l, mgr.State(), planRequest{destroy: a.Destroy, refresh: a.Refresh, parallelism: a.Parallelism})
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
}

// makePlan plans for a loaded lab: the cluster's change from its provider,
// then every object against what refresh found.
func (m *Meta) makePlan(v viewer, l *loaded, prior *stateT, req planRequest) (*plan.Plan, int) {
	prov, err := m.provider(l)
	if err != nil {
		v.Errorf("%s", err)
		return nil, ExitError
	}
	cc, err := prov.Plan(m.Ctx, prior.Cluster, req.refresh)
	if err != nil {
		v.Errorf("%s", err)
		return nil, ExitError
	}
	opts := engine.PlanOptions{Destroy: req.destroy, Cluster: cc}
	e := engine.New(l.env, prior, m.Version)
	p, err := e.Plan(m.Ctx, opts)
	if err != nil {
		v.Errorf("%s", err)
		return nil, ExitError
	}
	return p, ExitOK
}
