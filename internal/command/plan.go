package command

import (
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

func runPlan(m *Meta, args []string) int {
	a, fs, err := arguments.ParsePlan(args)
	if err != nil {
		return parseError(m, "plan", "plan [-var NAME=VALUE] [-out FILE] [-destroy] [-replace ADDRESS] [-refresh=false] [-detailed-exitcode]", fs, err)
	}
	v := m.view(a.View)
	v.Verbose = a.Verbose
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State, "plan")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	res := operation.Run(m.Ctx, m.request(operation.Plan, l, mgr, &operation.Request{
		Destroy: a.Destroy, Refresh: a.Refresh, RefreshOnly: a.RefreshOnly, Replace: a.Replace, Target: a.Target, Parallelism: a.Parallelism,
	}), m.operationView(v, l))
	if res.Status != operation.OK {
		return exitCode(res.Status)
	}
	if a.Out != "" {
		if err := plan.Save(res.Plan, inDir(l.Dir, a.Out)); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("\nSaved the plan to %s. Apply exactly this plan with:\n  podlab apply %s\n", a.Out, a.Out)
	}
	if a.DetailedExitcode && res.Plan.HasChanges() {
		return ExitChecksFail
	}
	return ExitOK
}

// request completes an operation's request with what every operation
// takes from the command's run: the lab, its state, podlab's version, the
// interrupts and the environment.
func (m *Meta) request(mode operation.Mode, l *operation.Lab, mgr *state.Manager, r *operation.Request) *operation.Request {
	r.Mode, r.Lab, r.State, r.Version = mode, l, mgr, m.Version
	r.Kill, r.StartSaving, r.Counter, r.Getenv = m.Kill, m.startSaving, m.Counter, m.getenv
	return r
}

// operationView is the view an operation shows itself through.
func (m *Meta) operationView(v *views.View, l *operation.Lab) *views.Operation {
	return &views.Operation{View: v, In: m.Stdin, Files: l.Files}
}

// exitCode is the exit code of an operation that ended so.
func exitCode(s operation.Status) int {
	switch s {
	case operation.OK:
		return ExitOK
	case operation.ChecksFailed:
		return ExitChecksFail
	case operation.Interrupted:
		return ExitInterrupted
	}
	return ExitError
}
