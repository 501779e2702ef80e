package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"}, {Name: "nullable"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

func (m *Module) addVariable(b *hcl.Block) hcl.Diagnostics {
	diags := checkName(b, "variable")
	name := b.Labels[0]
	if prev, ok := m.Variables[name]; ok {
		return append(diags, duplicate(b, "variable", name, prev.DeclRange))
	}
	v := &Variable{Name: name, Type: cty.DynamicPseudoType, Default: cty.NilVal, Nullable: true, DeclRange: b.DefRange}
	content, ds := bodyContent(b.Body, variableSchema)
	diags = append(diags, ds...)

	if a, ok := content.Attributes["type"]; ok {
		ty, defaults, ds := typeexpr.TypeConstraintWithDefaults(a.Expr)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			v.Type, v.Defaults = ty, defaults
		}
	}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, constant(a, cty.String, func(c cty.Value) { v.Description = c.AsString() })...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, constant(a, cty.Bool, func(c cty.Value) { v.Sensitive = c.True() })...)
	}
	if a, ok := content.Attributes["nullable"]; ok {
		diags = append(diags, constant(a, cty.Bool, func(c cty.Value) { v.Nullable = c.True() })...)
	}
	if a, ok := content.Attributes["default"]; ok {
		diags = append(diags, constant(a, cty.DynamicPseudoType, func(c cty.Value) {
			if v.Defaults != nil {
				c = v.Defaults.Apply(c)
			}
			conv, err := convert.Convert(c, v.Type)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail: fmt.Sprintf("The default of variable %q does not fit its type %s: %s.",
						name, typeexpr.TypeString(v.Type), err),
					Subject: a.Expr.Range().Ptr(),
				})
				return
			}
			if conv.IsNull() && !v.Nullable {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("Variable %q is not nullable, so its default cannot be null.", name),
					Subject:  a.Expr.Range().Ptr(),
				})
				return
			}
			v.Default = conv
		})...)
	}
	for _, vb := range content.Blocks {
		vc, ds := bodyContent(vb.Body, validationSchema)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		val := &Validation{Condition: vc.Attributes["condition"].Expr, ErrorMessage: vc.Attributes["error_message"].Expr, DeclRange: vb.DefRange}
		diags = append(diags, checkSelfOnly(name, val.Condition)...)
		diags = append(diags, checkSelfOnly(name, val.ErrorMessage)...)
		v.Validations = append(v.Validations, val)
	}
	m.Variables[name] = v
	m.VariableOrder = append(m.VariableOrder, name)
	return diags
}

// checkSelfOnly keeps a validation about its own variable: other values are
// not known when variables are checked.
func checkSelfOnly(name string, expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		ref, ds := parseRef(tr)
		if ds.HasErrors() {
			diags = append(diags, ds...)
			continue
		}
		if ref.Kind != RefVar || ref.Name != name {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference in variable validation",
				Detail:   fmt.Sprintf("A validation of variable %q may refer only to var.%s, not to %s.", name, name, ref),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
	}
	return diags
}

// constant evaluates an attribute that must not refer to anything and, when
// it converts to ty, hands the value to set.
func constant(a *hcl.Attribute, ty cty.Type, set func(cty.Value)) hcl.Diagnostics {
	if vars := a.Expr.Variables(); len(vars) > 0 {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Variables not allowed",
			Detail:   fmt.Sprintf("The %s argument must be a literal value; it cannot refer to %s.", a.Name, traversalString(vars[0])),
			Subject:  vars[0].SourceRange().Ptr(),
		}}
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	conv, err := convert.Convert(v, ty)
	if err != nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", a.Name),
			Detail:   fmt.Sprintf("The %s argument must be %s: %s.", a.Name, ty.FriendlyName(), err),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	if conv.IsNull() && ty != cty.DynamicPseudoType {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s", a.Name),
			Detail:   fmt.Sprintf("The %s argument cannot be null.", a.Name),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	set(conv)
	return diags
}
