package command

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/config/manifest"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
)

func runValidate(m *Meta, args []string) int {
	a, fs, err := arguments.ParseValidate(args)
	if err != nil {
		return parseError(m, "validate", "validate [-var NAME=VALUE] [-json]", fs, err)
	}
	v := m.view(a.View)
	// Variables without values are unknown, so every environment's blocks
	// are checked as far as they can be.
	// Loading's diagnostics are validate's result, shown below with the
	// kinds' (in JSON, as one report): no loadLab here.
	l, diags := m.loadWith(m.dir(a.Common), a.Vars, config.EvalOptions{Validate: true})
	if !diags.HasErrors() && l.Env != nil {
		// No cluster is asked: kinds are checked against the built-in set.
		diags = append(diags, engine.CheckKinds(l.Env, manifest.BuiltIn(), false)...)
	}
	if v.JSON {
		errs, warns := count(diags)
		var list []*views.JSONDiagnostic
		// As on the terminal, only the first diagnostics are listed (each
		// costs a pass over its file); the counts still count them all.
		shown := diags
		if len(shown) > views.MaxDiagnostics {
			shown = shown[:views.MaxDiagnostics]
		}
		for _, d := range shown {
			list = append(list, views.DiagnosticJSON(d, l.Files))
		}
		if list == nil {
			list = []*views.JSONDiagnostic{}
		}
		v.Raw(map[string]any{
			"format_version": "1.0", "valid": errs == 0, "error_count": errs, "warning_count": warns, "diagnostics": list,
			"omitted_count": len(diags) - len(shown),
		})
		if errs > 0 {
			return ExitError
		}
		return ExitOK
	}
	v.Diagnostics(diags, l.Files)
	if diags.HasErrors() {
		return ExitError
	}
	env := l.Env
	n, objs, checks := 0, 0, 0
	for _, in := range env.Instances {
		n++
		objs += len(in.Objects)
		checks += len(in.Checks)
	}
	v.Printf("%s The lab %q is valid: %d exercise instance(s), %d object(s), %d check(s), %d cluster(s).\n",
		v.Green("Success!"), env.Lab.Name, n, objs, checks, len(l.Module.Clusters))
	return ExitOK
}

func count(diags hcl.Diagnostics) (errs, warns int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	return
}
