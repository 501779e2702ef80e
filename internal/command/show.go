package command

import (
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/plan"
)

// runShow is Terraform's show: a saved plan rendered exactly as plan
// showed it (so it can be read before it is applied in front of a class),
// or, without a file, what the environment's state records.
func runShow(m *Meta, args []string) int {
	a, fs, err := arguments.ParseShow(args)
	if err != nil {
		return parseError(m, "show", "show [-json] [PLAN]", fs, err)
	}
	v := m.view(a.View)
	if a.PlanFile != "" {
		// A saved plan is shown without the lab: it holds everything it
		// shows. Its path is read as plan -out wrote it, in the lab
		// directory (-chdir).
		p, err := plan.Load(inDir(m.dir(a.Common), a.PlanFile))
		if err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		if a.JSON {
			if err := v.Raw(p); err != nil {
				v.Errorf("encode the plan: %s", err)
				return ExitError
			}
			return ExitOK
		}
		v.Diagnostics(operation.TargetingWarning(p.Targets), nil)
		v.Plan(p)
		return ExitOK
	}
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State.Unlocked(), "show")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	st := mgr.State()
	if a.JSON {
		if err := v.Raw(st); err != nil {
			v.Errorf("encode the state: %s", err)
			return ExitError
		}
		return ExitOK
	}
	if st.Cluster == nil && len(st.Objects) == 0 && len(st.Outputs) == 0 {
		v.StateEmpty(l.Env.Name)
		return ExitOK
	}
	first := true
	sep := func() {
		if !first {
			v.Separator()
		}
		first = false
	}
	if st.Cluster != nil {
		sep()
		stateShow(v, st, "cluster."+st.Cluster.Name)
	}
	for _, o := range st.Objects {
		sep()
		stateShow(v, st, o.Address)
	}
	v.OutputValues(st.Outputs, true)
	return ExitOK
}
