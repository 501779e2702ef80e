package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
)

func (m *Module) addCluster(b *hcl.Block) hcl.Diagnostics {
	diags := checkName(b, "cluster")
	name := b.Labels[0]
	if prev, ok := m.Clusters[name]; ok {
		return append(diags, duplicate(b, "cluster", name, prev.DeclRange))
	}
	content, ds := bodyContent(b.Body, clusterSchema())
	diags = append(diags, ds...)
	if len(content.Blocks) == 0 && ds.HasErrors() {
		// A misspelt kind was reported, with a suggestion, just now.
		return diags
	}
	if len(content.Blocks) != 1 {
		subject := b.DefRange
		if len(content.Blocks) > 1 {
			subject = content.Blocks[1].DefRange
		}
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "A cluster block needs exactly one kind",
			Detail: fmt.Sprintf("cluster %q must hold exactly one of the blocks %s; it holds %d.",
				name, orList(clusterKindNames()), len(content.Blocks)),
			Subject: subject.Ptr(),
		})
	}
	kb := content.Blocks[0]
	c := &Cluster{Name: name, Kind: kb.Type, Body: kb.Body, DeclRange: b.DefRange, KindRange: kb.DefRange}
	diags = append(diags, checkClusterShape(kb.Body, clusterKinds[kb.Type].Spec)...)
	m.Clusters[name] = c
	m.ClusterOrder = append(m.ClusterOrder, name)
	return diags
}

// checkShape reports unknown, missing and repeated attributes and blocks of
// a body without evaluating anything, so that validate finds them even when
// values are unknown.
func checkShape(body hcl.Body, spec hcldec.Spec) hcl.Diagnostics {
	return checkShapeOf(body, spec, false)
}

// checkClusterShape is checkShape for a cluster block, whose nested blocks
// may also be written as dynamic blocks, as in Terraform.
func checkClusterShape(body hcl.Body, spec hcldec.Spec) hcl.Diagnostics {
	return checkShapeOf(body, spec, true)
}

func checkShapeOf(body hcl.Body, spec hcldec.Spec, dynamic bool) hcl.Diagnostics {
	schema := hcldec.ImpliedSchema(spec)
	nested := nestedSpecs(spec)
	if dynamic && len(nested) > 0 {
		schema = &hcl.BodySchema{Attributes: schema.Attributes,
			Blocks: append(append([]hcl.BlockHeaderSchema{}, schema.Blocks...), hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})}
	}
	content, diags := bodyContent(body, schema)
	if content == nil {
		return diags
	}
	for _, b := range content.Blocks {
		if b.Type == "dynamic" {
			diags = append(diags, checkDynamic(b, nested)...)
		} else if ns, ok := nested[b.Type]; ok {
			diags = append(diags, checkShapeOf(b.Body, ns, dynamic)...)
		}
	}
	return diags
}

// nestedSpecs are the specs of a body's nested blocks, by block type.
func nestedSpecs(spec hcldec.Spec) map[string]hcldec.Spec {
	out := map[string]hcldec.Spec{}
	obj, ok := spec.(hcldec.ObjectSpec)
	if !ok {
		return out
	}
	for _, s := range obj {
		switch ns := s.(type) {
		case *hcldec.BlockSpec:
			out[ns.TypeName] = ns.Nested
		case *hcldec.BlockMapSpec:
			out[ns.TypeName] = ns.Nested
		case *hcldec.BlockListSpec:
			out[ns.TypeName] = ns.Nested
		}
	}
	return out
}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// checkDynamic checks a dynamic block: that it generates a block the body
// has, and that its content has that block's shape.
func checkDynamic(b *hcl.Block, nested map[string]hcldec.Spec) hcl.Diagnostics {
	ns, ok := nested[b.Labels[0]]
	if !ok {
		detail := fmt.Sprintf("A dynamic block here can generate %s blocks, not %q.", strings.Join(keys(nested), " or "), b.Labels[0])
		if s := suggest(b.Labels[0], keys(nested)); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported dynamic block type", Detail: detail, Subject: b.LabelRanges[0].Ptr()}}
	}
	content, diags := bodyContent(b.Body, dynamicSchema)
	if content == nil {
		return diags
	}
	if len(content.Blocks) != 1 {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "A dynamic block needs one content block",
			Detail:  fmt.Sprintf("dynamic %q must hold exactly one content block, the %s block to generate for each element of for_each; it holds %d.", b.Labels[0], b.Labels[0], len(content.Blocks)),
			Subject: b.DefRange.Ptr(),
		})
	}
	return append(diags, checkShapeOf(content.Blocks[0].Body, ns, true)...)
}
