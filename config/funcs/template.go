package funcs

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// MakeTemplateFileFunc returns templatefile(path, vars): the file rendered as
// an HCL string template with vars as its only variables. funcs is called
// lazily because the function table contains this function.
func MakeTemplateFileFunc(paths Paths, origins *Origins, funcs func() map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Description: "Renders a file as a string template with the given variables.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: func(args []cty.Value) (cty.Type, error) {
			if !args[0].IsKnown() || !args[1].IsKnown() {
				return cty.DynamicPseudoType, nil
			}
			// A template can produce any type when it is one interpolation
			// alone ("${list}"), so render it to learn the type.
			v, err := renderTemplate(paths, origins, funcs, args[0].AsString(), args[1])
			if err != nil {
				return cty.DynamicPseudoType, err
			}
			return v.Type(), nil
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return renderTemplate(paths, origins, funcs, args[0].AsString(), args[1])
		},
	})
}

func renderTemplate(paths Paths, origins *Origins, funcs func() map[string]function.Function, path string, vars cty.Value) (cty.Value, error) {
	text, abs, err := readText(paths, path, origins)
	if err != nil {
		return cty.DynamicVal, function.NewArgError(0, err)
	}
	if vars.IsNull() || !(vars.Type().IsObjectType() || vars.Type().IsMapType()) {
		return cty.DynamicVal, function.NewArgErrorf(1, "vars must be an object or a map, like {name = \"web\"}")
	}
	expr, diags := hclsyntax.ParseTemplate([]byte(text), abs, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return cty.DynamicVal, function.NewArgError(0, diagsError(diags))
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: funcs()}
	for it := vars.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if !hclsyntax.ValidIdentifier(k.AsString()) {
			return cty.DynamicVal, function.NewArgErrorf(1, "%q is not a valid variable name for a template", k.AsString())
		}
		ctx.Variables[k.AsString()] = v
	}
	for _, tr := range expr.Variables() {
		if _, ok := ctx.Variables[tr.RootName()]; !ok {
			rng := tr.SourceRange()
			return cty.DynamicVal, function.NewArgErrorf(1, "%s:%d: the template uses %q, which vars does not define", path, rng.Start.Line, tr.RootName())
		}
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, diagsError(diags)
	}
	// Only a rendering with the template's own line count keeps line numbers
	// meaningful; otherwise an error is better placed at the HCL call.
	if v.Type() == cty.String && v.IsKnown() && !v.IsNull() && !v.IsMarked() &&
		strings.Count(v.AsString(), "\n") == strings.Count(text, "\n") {
		origins.Record(v.AsString(), abs)
	}
	return v, nil
}

func diagsError(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			// The caller's diagnostic ends the sentence.
			detail := strings.TrimSuffix(d.Detail, ".")
			if d.Subject != nil {
				return fmt.Errorf("%s:%d: %s: %s", d.Subject.Filename, d.Subject.Start.Line, d.Summary, detail)
			}
			return fmt.Errorf("%s: %s", d.Summary, detail)
		}
	}
	return diags
}
