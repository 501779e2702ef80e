package command

import (
	"encoding/json"
	"fmt"

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
			b, err := json.Marshal(p)
			if err != nil {
				v.Errorf("encode the plan: %s", err)
				return ExitError
			}
			fmt.Fprintln(m.Stdout, string(b))
			return ExitOK
		}
		v.Diagnostics(operation.TargetingWarning(p.Targets), nil)
		v.Plan(p)
		return ExitOK
	}
	l, diags := m.load(m.dir(a.Common), a.Vars, a.Workspace, false)
	v.Diagnostics(diags, l.Files)
	if diags.HasErrors() {
		return ExitError
	}
	a.State.Lock = false
	mgr, err := m.openState(l, a.State, "show")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	st := mgr.State()
	if a.JSON {
		b, err := json.Marshal(st)
		if err != nil {
			v.Errorf("encode the state: %s", err)
			return ExitError
		}
		fmt.Fprintln(m.Stdout, string(b))
		return ExitOK
	}
	if st.Cluster == nil && len(st.Objects) == 0 && len(st.Outputs) == 0 {
		fmt.Fprintf(m.Stdout, "The state of environment %q is empty: nothing is applied.\n", l.Env.Name)
		return ExitOK
	}
	first := true
	sep := func() {
		if !first {
			fmt.Fprintln(m.Stdout)
		}
		first = false
	}
	if st.Cluster != nil {
		sep()
		stateShow(m, v, st, "cluster."+st.Cluster.Name)
	}
	for _, o := range st.Objects {
		sep()
		stateShow(m, v, st, o.Address)
	}
	printOutputs(m.Stdout, st.Outputs, true)
	return ExitOK
}
