package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func (e *evaluator) evalVariables() {
	given := map[string]RawValue{}
	for _, r := range e.opts.Inputs {
		if _, ok := e.m.Variables[r.Name]; !ok {
			e.undeclared(r)
			continue
		}
		given[r.Name] = r
		// A diagnostic about a sensitive value must not show it.
		if r.Expr == nil && !e.m.Variables[r.Name].Sensitive {
			e.env.Files[r.Range.Filename] = syntheticFile(r)
		}
	}
	for _, name := range e.m.VariableOrder {
		v := e.m.Variables[name]
		val, rng, ok := e.variableValue(v, given)
		if !ok {
			e.vars[name] = cty.UnknownVal(v.Type)
			continue
		}
		if val.IsWhollyKnown() {
			e.validateVariable(v, val, rng)
		}
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		e.vars[name] = val
	}
}

// variableValue picks a variable's value by precedence and converts it to
// the variable's type. ok is false when there is no usable value.
func (e *evaluator) variableValue(v *Variable, given map[string]RawValue) (cty.Value, hcl.Range, bool) {
	r, ok := given[v.Name]
	if !ok {
		if v.Required() {
			e.missing[v.Name] = true
			return cty.NilVal, hcl.Range{}, false
		}
		return v.Default, v.DeclRange, true
	}
	raw, ds := r.value(v.Type)
	e.diags = append(e.diags, ds...)
	if ds.HasErrors() {
		return cty.NilVal, r.Range, false
	}
	if v.Defaults != nil {
		raw = v.Defaults.Apply(raw)
	}
	conv, err := convert.Convert(raw, v.Type)
	if err != nil {
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("The value given for var.%s (from the %s) does not fit its type %s: %s.",
				v.Name, r.Source, typeexpr.TypeString(v.Type), err),
			Subject: r.Range.Ptr(),
		})
		return cty.NilVal, r.Range, false
	}
	if conv.IsNull() && !v.Nullable {
		if !v.Required() {
			return v.Default, v.DeclRange, true
		}
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("var.%s is not nullable; give it a value that is not null.", v.Name),
			Subject:  r.Range.Ptr(),
		})
		return cty.NilVal, r.Range, false
	}
	return conv, r.Range, true
}

func (e *evaluator) undeclared(r RawValue) {
	where := "on the command line"
	if r.Source == SourceFile {
		where = "in a var file"
	}
	detail := fmt.Sprintf("A value for %q was given %s, but the lab declares no such variable.", r.Name, where)
	if s := suggest(r.Name, e.m.VariableOrder); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	} else {
		detail += " Declare it with a variable block, or remove the value."
	}
	switch r.Source {
	case SourceCLI:
		e.diags = append(e.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable", Detail: detail})
	case SourceFile:
		e.diags = append(e.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Value for undeclared variable", Detail: detail, Subject: r.Range.Ptr()})
	}
	// PODLAB_VAR_ values meant for other labs are ignored, as Terraform
	// ignores TF_VAR_ values.
}

func (e *evaluator) validateVariable(v *Variable, val cty.Value, valRange hcl.Range) {
	if v.Sensitive {
		val = val.Mark(sensitiveMark)
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})},
		Functions: e.funcs,
	}
	for _, rule := range v.Validations {
		res, ds := rule.Condition.Value(ctx)
		if ds.HasErrors() {
			e.diags = append(e.diags, ds...)
			continue
		}
		res, _ = res.Unmark()
		if !res.IsKnown() {
			continue
		}
		if res.IsNull() || res.Type() != cty.Bool {
			e.diags = append(e.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid validation condition",
				Detail:   "A validation condition must be true or false.",
				Subject:  rule.Condition.Range().Ptr(),
			})
			continue
		}
		if res.True() {
			continue
		}
		msg := fmt.Sprintf("The value of var.%s is not valid.", v.Name)
		// A message that would show a sensitive value is not shown.
		if m, ds := rule.ErrorMessage.Value(ctx); !ds.HasErrors() && !m.IsMarked() {
			if m.IsKnown() && !m.IsNull() && m.Type() == cty.String {
				msg = m.AsString()
			}
		}
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", msg, rule.DeclRange),
			Subject:  valRange.Ptr(),
		})
	}
}

// requireNeeded reports variables without values that the given nodes use,
// directly or through locals. Variables only other environments use may
// stay unset: a student choosing target=kubeconfig need not name a GCP
// project.
func (e *evaluator) requireNeeded(nodes ...string) {
	if e.opts.Validate || len(e.missing) == 0 {
		return
	}
	users := map[string][]string{}
	seen := map[string]bool{}
	var walk func(n, via string)
	walk = func(n, via string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, r := range e.g.refs[n] {
			if r.Kind == RefVar && e.missing[r.Name] {
				users[r.Name] = append(users[r.Name], via)
			}
			if r.Kind == RefLocal {
				walk(r.Node(), via)
			}
		}
	}
	for _, n := range nodes {
		walk(n, describeNode(n))
	}
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		v := e.m.Variables[name]
		delete(e.missing, name)
		e.diags = append(e.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No value for required variable",
			Detail: fmt.Sprintf("var.%s has no default, and %s uses it. Give it a value with -var %s=VALUE, in a -var-file, or as %s%s in the environment.",
				name, strings.Join(dedupe(users[name]), ", "), name, EnvPrefix, name),
			Subject: v.DeclRange.Ptr(),
		})
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func (e *evaluator) requireNeededValues() {
	var nodes []string
	for _, n := range e.g.Nodes {
		if strings.HasPrefix(n, "exercise.") || strings.HasPrefix(n, "output.") {
			nodes = append(nodes, n)
		}
	}
	e.requireNeeded(nodes...)
}
