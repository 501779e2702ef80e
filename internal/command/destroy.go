package command

import (
	"fmt"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

func runDestroy(m *Meta, args []string) int {
	a, fs, err := arguments.ParseDestroy(args)
	if err != nil {
		return parseError(m, "destroy", "destroy [-auto-approve] [-var NAME=VALUE] [-timeout DURATION]", fs, err)
	}
	if a.JSON && !a.AutoApprove {
		m.view(a.View).Errorf("podlab destroy -json cannot ask for confirmation: add -auto-approve")
		return ExitError
	}
	if a.Expired {
		return m.destroyExpired(a)
	}
	return m.destroyEnv(m.view(a.View), a, m.dir(a.Common), "", a.Workspace)
}

// destroyEnv destroys one environment: the one the variables choose, or
// the named cluster block's.
func (m *Meta) destroyEnv(v *views.View, a *arguments.Destroy, dir, cluster, workspace string) int {
	l, diags := m.loadEnv(dir, a.Vars, workspace, cluster)
	v.Diagnostics(diags, l.files)
	if diags.HasErrors() {
		return ExitError
	}
	mgr, err := m.openState(l, a.State, "destroy")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	prior := mgr.State()
	// A protected cluster is refused before anything in it is deleted.
	if len(a.Target) == 0 {
		if err := m.checkDestroyAllowed(l, prior); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
	}
	warnTargeted(v, a.Target)
	p, _, code := m.makePlan(v, l, prior, planRequest{destroy: true, refresh: true, parallelism: a.Parallelism, target: a.Target})
	if p == nil {
		return code
	}
	v.Plan(p)
	if !p.HasChanges() && (prior.Cluster == nil || !prior.Cluster.Created || len(a.Target) > 0) {
		return ExitOK
	}
	question := fmt.Sprintf("Do you really want to destroy everything in environment %q?", p.Environment)
	if len(a.Target) > 0 {
		question = fmt.Sprintf("Do you really want to destroy the objects shown above in environment %q?", p.Environment)
	}
	if !a.AutoApprove && !confirm(m, v, question) {
		v.Printf("\nDestroy cancelled.\n")
		return ExitError
	}
	return m.executeDestroy(v, a, l, mgr, p)
}

// executeDestroy carries out a destroy plan: made just now, or saved with
// plan -destroy -out FILE and given to apply.
func (m *Meta) executeDestroy(v *views.View, a *arguments.Destroy, l *loaded, mgr *state.Manager, p *plan.Plan) int {
	prior := mgr.State()
	ctx, cancel := withTimeout(m.Ctx, a.Timeout)
	defer cancel()
	prov, err := m.provider(l)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	prog := v.NewProgress()
	e := engine.New(l.env, prior, m.Version)
	opts := engine.ApplyOptions{Provider: prov, State: mgr, Parallelism: a.Parallelism, Hooks: prog, Kill: m.Kill, Counter: m.Counter,
		GracePeriod: a.GracePeriodSeconds()}
	if !m.startSaving() {
		prog.Close()
		v.Printf("\n%s Nothing was destroyed.\n", v.Bold(v.Yellow("Interrupted.")))
		return ExitInterrupted
	}
	res, diags := e.Destroy(ctx, p, opts)
	prog.Close()
	v.Diagnostics(diags, l.files)
	switch {
	case res.Interrupted && ctx.Err() != nil && m.Ctx.Err() == nil:
		v.Errorf("destroy did not finish within -timeout %s; state records what is left: run podlab destroy again", a.Timeout)
		return ExitError
	case res.Interrupted:
		v.Printf("\n%s State is saved; run podlab destroy again to carry on.\n", v.Bold(v.Yellow("Interrupted.")))
		return ExitInterrupted
	case diags.HasErrors():
		return ExitError
	}
	v.Printf("\n%s %s\n", v.Bold(v.Green(v.T("Destroy complete!"))), v.T("Resources: %d destroyed.", res.Destroyed))
	v.Event("destroy_summary", map[string]any{"changes": map[string]any{"remove": res.Destroyed}})
	if len(p.Targets) > 0 {
		warnTargetedDone(v)
	}
	return ExitOK
}

// checkDestroyAllowed refuses to destroy a cluster protected with
// deletion_protection.
func (m *Meta) checkDestroyAllowed(l *loaded, prior *state.State) error {
	prov, err := m.provider(l)
	if err != nil {
		return nil
	}
	if c, ok := prov.(interface{ CheckDestroy(*state.Cluster) error }); ok {
		return c.CheckDestroy(prior.Cluster)
	}
	return nil
}
