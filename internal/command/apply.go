package command

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
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
	dir := m.dir(a.Common)
	var saved *plan.Plan
	if a.PlanFile != "" {
		if saved, err = plan.Load(a.PlanFile); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
	}
	l, diags := m.loadForApply(dir, a.Vars, a.Workspace, saved)
	v.Diagnostics(diags, l.files)
	if diags.HasErrors() {
		return ExitError
	}
	mgr, err := m.openState(l, a.State, "apply")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	prior := mgr.State()
	if prior.ExpiresAt != nil && time.Now().After(*prior.ExpiresAt) {
		v.Diagnostics(hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "The environment has expired",
			Detail: fmt.Sprintf("Environment %q passed its time limit at %s (lab.ttl %s). podlab destroy -expired will remove it; raise lab.ttl to keep it longer.",
				l.env.Name, prior.ExpiresAt.Local().Format(time.DateTime), l.env.Lab.TTL),
		}}, nil)
	}
	if _, over := engine.CostEstimate(l.env); over && !a.AllowOverCap && (prior.Cluster == nil || prior.Cluster.Status != state.ClusterReady) {
		n, _ := engine.Nodes(l.env)
		v.Errorf("environment %q needs %d GKE nodes, more than lab.max_nodes = %d; lower the node counts, raise the cap, or pass -allow-over-cap", l.env.Name, n, l.env.Lab.MaxNodes)
		return ExitError
	}

	p := saved
	if p != nil {
		if err := checkSaved(p, l, prior); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		if p.Destroy {
			// plan -destroy -out FILE, then apply FILE.
			d := &arguments.Destroy{Common: a.Common, Vars: a.Vars, View: a.View, State: a.State, Operation: a.Operation,
				Deleting: a.Deleting, AutoApprove: true}
			if err := m.checkDestroyAllowed(l, prior); err != nil {
				v.Errorf("%s", err)
				return ExitError
			}
			return m.executeDestroy(v, d, l, mgr, p)
		}
	} else {
		var code int
		warnTargeted(v, a.Target)
		p, _, code = m.makePlan(v, l, prior, planRequest{refresh: true, parallelism: a.Parallelism, replace: a.Replace, target: a.Target, refreshOnly: a.RefreshOnly})
		if p == nil {
			return code
		}
		v.Plan(p)
		if !p.HasChanges() {
			return m.afterApply(v, a, l, mgr, nil, nil)
		}
		if !a.AutoApprove && !confirm(m, v, fmt.Sprintf("Do you want to perform these actions in environment %q?", p.Environment)) {
			v.Printf("\nApply cancelled.\n")
			return ExitError
		}
	}
	ctx, cancel := withTimeout(m.Ctx, a.Timeout)
	defer cancel()
	prog := v.NewProgress()
	prov, err := m.provider(l)
	if err != nil {
		prog.Close()
		v.Errorf("%s", err)
		return ExitError
	}
	e := engine.New(l.env, prior, m.Version)
	// The expiry is known before the cluster is made, so a new GKE
	// cluster is labelled with it; it is recorded only once the cluster
	// answers (engine.Apply), so an apply that reached nothing records
	// nothing.
	_, expires := e.Lifetime(mgr.State())
	labelExpiry(prov, expires)
	if !m.startSaving() {
		prog.Close()
		v.Printf("\n%s Nothing was changed.\n", v.Bold(v.Yellow("Interrupted.")))
		return ExitInterrupted
	}
	res, diags := e.Apply(ctx, p, engine.ApplyOptions{
		Provider: prov, State: mgr, Parallelism: a.Parallelism, Hooks: prog, Kill: m.Kill, Counter: m.Counter,
		Reevaluate: m.reevaluate(l), GracePeriod: a.GracePeriodSeconds(), CreateTimeout: a.CreateTimeout,
	})
	prog.Close()
	v.Diagnostics(diags, l.files)
	if res.Interrupted {
		v.Printf("\n%s State is saved; run podlab apply again to carry on.\n", v.Bold(v.Yellow("Interrupted.")))
		return ExitInterrupted
	}
	if diags.HasErrors() {
		if res.Added+res.Changed+res.Destroyed == 0 {
			v.Printf("\n%s Nothing was changed.\n", v.Bold(v.Red("Apply failed.")))
		} else {
			v.Printf("\n%s %d added, %d changed, %d destroyed before the error; state records them.\n", v.Bold(v.Red("Apply failed.")), res.Added, res.Changed, res.Destroyed)
		}
		return ExitError
	}
	if p.RefreshOnly {
		v.Printf("\n%s The state of environment %q now records what the cluster holds; nothing in the cluster was changed.\n", v.Bold(v.Green("Apply complete!")), p.Environment)
		v.Event("apply_summary", map[string]any{"changes": map[string]any{"add": 0, "change": 0, "remove": 0}, "refresh_only": true})
		return ExitOK
	}
	v.Printf("\n%s %s\n", v.Bold(v.Green(v.T("Apply complete!"))), v.T("Resources: %d added, %d changed, %d destroyed.", res.Added, res.Changed, res.Destroyed))
	v.Event("apply_summary", map[string]any{"changes": map[string]any{"add": res.Added, "change": res.Changed, "remove": res.Destroyed}})
	if len(p.Targets) > 0 {
		warnTargetedDone(v)
		return m.afterApply(v, a, l, mgr, res, p)
	}
	return m.afterApply(v, a, l, mgr, res, nil)
}

// afterApply shows the outputs and runs the checks.
// A targeted plan runs only the checks of what it kept.
func (m *Meta) afterApply(v *views.View, a *arguments.Apply, l *loaded, mgr *state.Manager, res *engine.Result, targeted *plan.Plan) int {
	showOutputs(v, mgr.State())
	if !a.Checks {
		return ExitOK
	}
	req := checkRequest{parallelism: a.Parallelism}
	if targeted != nil {
		req.instances = map[string]bool{}
		for _, c := range targeted.Checks {
			req.instances[c.Instance] = true
		}
	}
	if res != nil {
		req.client = res.Client
	}
	return m.runChecks(v, l, mgr, req)
}

// loadForApply loads the lab; with a saved plan, the plan's variables are
// the base and any value given now must agree with them.
func (m *Meta) loadForApply(dir string, vars arguments.Vars, workspace string, saved *plan.Plan) (*loaded, hcl.Diagnostics) {
	opts := config.EvalOptions{Workspace: workspace}
	if saved != nil {
		opts.Inputs = planInputs(saved)
		if workspace == "" && m.getenv(workspaceEnv) == "" {
			// The plan's own workspace, before the one selected.
			opts.Workspace = saved.Workspace
		}
	}
	l, diags := m.loadWith(dir, vars, opts)
	env := l.env
	if saved != nil && !diags.HasErrors() {
		now := engine.VariablesJSON(env)
		var changed []string
		for name, val := range saved.Variables {
			if !sameJSON(now[name], val) {
				changed = append(changed, name)
			}
		}
		sort.Strings(changed)
		if len(changed) > 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Variables differ from the saved plan",
				Detail: fmt.Sprintf("The plan was made with other values for %s. Apply the plan without new values, or make a new plan.",
					strings.Join(changed, ", ")),
			})
		}
	}
	return l, diags
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

// checkSaved refuses a saved plan made against other files, variables or
// state.
func checkSaved(p *plan.Plan, l *loaded, prior *state.State) error {
	switch {
	case p.Environment != l.env.Name || p.Lab != l.env.Lab.Name:
		return fmt.Errorf("the plan is for environment %q of lab %q, not %q of %q", p.Environment, p.Lab, l.env.Name, l.env.Lab.Name)
	case p.ConfigHash != engine.ConfigHash(l.env):
		return fmt.Errorf("the lab's files changed since the plan was made: make a new plan")
	case p.StateRef.Lineage != prior.Lineage && p.StateRef.Serial != 0:
		return fmt.Errorf("the plan was made against another state (lineage %s, now %s): make a new plan", p.StateRef.Lineage, prior.Lineage)
	case p.StateRef.Serial != prior.Serial:
		return fmt.Errorf("the state changed since the plan was made (serial %d, now %d): make a new plan", p.StateRef.Serial, prior.Serial)
	}
	return nil
}

func (m *Meta) reevaluate(l *loaded) func(rt config.Runtime) (*config.Env, hcl.Diagnostics) {
	return func(rt config.Runtime) (*config.Env, hcl.Diagnostics) {
		return config.Evaluate(l.module, config.EvalOptions{Inputs: l.inputs, Workspace: l.workspace, Cluster: l.cluster, Runtime: rt})
	}
}

// confirm asks for "yes", as Terraform does.
func confirm(m *Meta, v *views.View, question string) bool {
	fmt.Fprintf(m.Stdout, "\n%s\n  podlab will do exactly what is shown above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", v.Bold(question))
	line, _ := bufio.NewReader(m.Stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
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
