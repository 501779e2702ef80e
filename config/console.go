package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ConsoleFile names the pseudo-file a console expression is parsed from.
const ConsoleFile = "<console>"

// Console evaluates one expression, as "podlab console" reads it, against
// the evaluated lab: every variable, local, exercise (with what the
// runtime the Env was evaluated with knows of applied objects) and
// cluster, podlab.*, path.* and the lab's functions.
func (env *Env) Console(src string) (cty.Value, hcl.Diagnostics) {
	e := env.eval
	if e == nil {
		return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Nothing to evaluate against", Detail: "The lab was not evaluated."}}
	}
	expr, diags := hclsyntax.ParseExpression([]byte(src), ConsoleFile, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	ctx := e.ctx("", nil)
	locals := map[string]cty.Value{}
	for k, v := range e.locals {
		locals[k] = v
	}
	exercises := map[string]cty.Value{}
	for name := range e.m.Exercises {
		exercises[name] = e.exerciseValue(name, nil)
	}
	clusters := map[string]cty.Value{}
	for _, name := range e.m.ClusterOrder {
		if v, ok := e.clusters[name]; ok {
			clusters[name] = v
		} else {
			clusters[name] = e.clusterValue(name, false)
		}
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)
	ctx.Variables["exercise"] = cty.ObjectVal(exercises)
	ctx.Variables["cluster"] = cty.ObjectVal(clusters)
	for _, tr := range expr.Variables() {
		if _, ok := ctx.Variables[tr.RootName()]; !ok {
			return cty.DynamicVal, hcl.Diagnostics{{
				Severity: hcl.DiagError, Summary: "Unknown reference",
				Detail:  fmt.Sprintf("%q is not something the console knows: use var., local., exercise., cluster., podlab. or path.", tr.RootName()),
				Subject: tr.SourceRange().Ptr(),
			}}
		}
	}
	v, ds := expr.Value(ctx)
	return v, append(diags, ds...)
}
