package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/plan"
)

func runApply(m *Meta, args []string) int {
	a, fs, err := arguments.ParseApply(args)
	if err != nil {
		return parseError(m, "apply", "apply [PLAN] [-auto-approve] [-var NAME=VALUE] [-replace ADDRESS] [-checks=false]", fs, err)
	}
	v := m.view(a.View)
	v.Verbose = a.Verbose
	if a.Destroy {
		// Terraform's habit: apply -destroy is destroy.
		d := &arguments.Destroy{Common: a.Common, Vars: a.Vars, View: a.View, State: a.State, Operation: a.Operation,
			Deleting: a.Deleting, Targeting: a.Targeting, AutoApprove: a.AutoApprove}
		if a.JSON && !a.AutoApprove {
			v.Errorf("podlab apply -destroy -json cannot ask for confirmation: add -auto-approve")
			return ExitError
		}
		return m.destroyEnv(v, d, m.dir(a.Common), "", a.Workspace)
	}
	if a.JSON && !a.AutoApprove && a.PlanFile == "" {
		v.Errorf("podlab apply -json cannot ask for confirmation: add -auto-approve, or apply a saved plan")
		return ExitError
	}
	var saved *plan.Plan
	if a.PlanFile != "" {
		if saved, err = plan.Load(a.PlanFile); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
	}
	dir := m.dir(a.Common)
	opts, check := m.applyOptions(a.Workspace, saved)
	l, mgr, ok := m.open(v, dir, a.Vars, opts, a.State, "apply")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	if diags := check(l); diags.HasErrors() {
		v.Diagnostics(diags, l.Files)
		return ExitError
	}
	ov := m.operationView(v, l)
	res := operation.Run(m.Ctx, m.request(operation.Apply, l, mgr, &operation.Request{
		Saved: saved, Refresh: true, RefreshOnly: a.RefreshOnly, Replace: a.Replace, Target: a.Target, Parallelism: a.Parallelism,
		AutoApprove: a.AutoApprove || saved != nil, AllowOverCap: a.AllowOverCap, Timeout: a.Timeout, CreateTimeout: a.CreateTimeout,
		GracePeriod: a.GracePeriodSeconds(), Checks: a.Checks,
	}), ov)
	operation.ShowProgress(ov, l, mgr.State(), res.Checks)
	return exitCode(res.Status)
}

// applyOptions are how apply evaluates the lab: with a saved plan, the
// plan's variables are the base, and check refuses values given now that
// disagree with them.
func (m *Meta) applyOptions(workspace string, saved *plan.Plan) (config.EvalOptions, func(*operation.Lab) hcl.Diagnostics) {
	opts := config.EvalOptions{Workspace: workspace}
	if saved == nil {
		return opts, func(*operation.Lab) hcl.Diagnostics { return nil }
	}
	opts.Inputs = planInputs(saved)
	if workspace == "" && m.getenv(workspaceEnv) == "" {
		// The plan's own workspace, before the one selected.
		opts.Workspace = saved.Workspace
	}
	return opts, func(l *operation.Lab) hcl.Diagnostics {
		now := engine.VariablesJSON(l.Env)
		var changed []string
		for name, val := range saved.Variables {
			if !sameJSON(now[name], val) {
				changed = append(changed, name)
			}
		}
		sort.Strings(changed)
		if len(changed) == 0 {
			return nil
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Variables differ from the saved plan",
			Detail: fmt.Sprintf("The plan was made with other values for %s. Apply the plan without new values, or make a new plan.",
				strings.Join(changed, ", ")),
		}}
	}
}

// planInputs turns a saved plan's variables back into values.
func planInputs(p *plan.Plan) []config.RawValue {
	var out []config.RawValue
	names := make([]string, 0, len(p.Variables))
	for n := range p.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, err := ctyjson.Unmarshal(p.Variables[n], cty.DynamicPseudoType)
		if err != nil {
			continue
		}
		rng := hcl.Range{Filename: "<saved plan>"}
		out = append(out, config.RawValue{Name: n, Source: config.SourceFile, Expr: hcl.StaticExpr(v, rng), Range: rng})
	}
	return out
}

// sameJSON compares two JSON texts regardless of layout (a saved plan is
// indented).
func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
