package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"}, {Name: "depends_on"},
	},
}

func (m *Module) addOutput(b *hcl.Block) hcl.Diagnostics {
	diags := checkName(b, "output")
	name := b.Labels[0]
	if prev, ok := m.Outputs[name]; ok {
		return append(diags, duplicate(b, "output", name, prev.DeclRange))
	}
	content, ds := bodyContent(b.Body, outputSchema)
	diags = append(diags, ds...)
	o := &Output{Name: name, DeclRange: b.DefRange}
	if a, ok := content.Attributes["value"]; ok {
		o.Value = a.Expr
	}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, constant(a, cty.String, func(v cty.Value) { o.Description = v.AsString() })...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, constant(a, cty.Bool, func(v cty.Value) { o.Sensitive = v.True() })...)
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		trs, ds := dependsOn(a)
		diags = append(diags, ds...)
		o.DependsOn = trs
	}
	if o.Value == nil {
		return diags
	}
	m.Outputs[name] = o
	m.OutputOrder = append(m.OutputOrder, name)
	return diags
}

func (m *Module) addLocals(b *hcl.Block) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for _, a := range sortedAttrs(attrs) {
		if prev, ok := m.Locals[a.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value",
				Detail:   "A local value named \"" + a.Name + "\" was already defined at " + prev.DeclRange.String() + ". Local names must be unique in a lab.",
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		m.Locals[a.Name] = &Local{Name: a.Name, Expr: a.Expr, DeclRange: a.Range}
		m.LocalOrder = append(m.LocalOrder, a.Name)
	}
	return diags
}

// dependsOn reads a depends_on list of references such as [exercise.web].
func dependsOn(a *hcl.Attribute) ([]hcl.Traversal, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(a.Expr)
	var out []hcl.Traversal
	for _, e := range exprs {
		tr, ds := hcl.AbsTraversalForExpr(e)
		if ds.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid depends_on reference",
				Detail:   "depends_on lists references to other blocks, such as [exercise.web], without quotes.",
				Subject:  e.Range().Ptr(),
			})
			continue
		}
		out = append(out, tr)
	}
	return out, diags
}
