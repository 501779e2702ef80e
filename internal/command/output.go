package command

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
)

func runOutput(m *Meta, args []string) int {
	a, fs, err := arguments.ParseOutput(args)
	if err != nil {
		return parseError(m, "output", "output [NAME] [-json] [-raw]", fs, err)
	}
	v := m.view(a.View)
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State.Unlocked(), "output")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	outs := mgr.State().Outputs
	if a.Name != "" {
		o, ok := outs[a.Name]
		if !ok {
			v.Errorf("no output %q in environment %q; podlab output lists them (outputs are recorded by apply)", a.Name, l.Env.Name)
			return ExitError
		}
		val, err := views.OutputValue(o)
		if err != nil {
			v.Errorf("output %s: %s", a.Name, err)
			return ExitError
		}
		if a.Raw && val.Type() != cty.String && val.Type() != cty.Number && val.Type() != cty.Bool {
			v.Errorf("-raw prints strings, numbers and booleans; %s is %s: use -json", a.Name, val.Type().FriendlyName())
			return ExitError
		}
		v.OutputNamed(o, val, a.Raw)
		return ExitOK
	}
	switch {
	case a.JSON:
		v.OutputsJSON(outs)
	case len(outs) == 0:
		v.NoOutputs(l.Env.Name)
	default:
		v.OutputValues(outs, false)
	}
	return ExitOK
}
