package config

import (
	"errors"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"
)

// ClusterKind is a kind of cluster block (gke, kubeadm, kubeconfig). Its
// provider describes the block and checks its values; the language loads,
// evaluates and decodes it without knowing any kind itself.
type ClusterKind struct {
	// Name is the block's type, written inside a cluster block.
	Name string
	// Spec is the block's schema, with its defaults.
	Spec hcldec.Spec
	// Decode turns the block's value into the provider's settings and
	// checks them, each problem reported at its attribute.
	Decode func(b *KindBlock) (any, hcl.Diagnostics)
}

// KindBlock is a cluster block's kind block, evaluated.
type KindBlock struct {
	// Cluster is the cluster block's name.
	Cluster string
	Value   cty.Value
	Body    hcl.Body
	Spec    hcldec.Spec
	// Workspace is the workspace evaluated for ("" or "default" for none).
	Workspace string
}

// clusterKinds are the registered kinds, by name.
var clusterKinds = map[string]ClusterKind{}

// RegisterClusterKind makes a kind of cluster block known to the
// language. Providers register theirs when their package is initialised.
func RegisterClusterKind(k ClusterKind) { clusterKinds[k.Name] = k }

func clusterKindNames() []string {
	names := make([]string, 0, len(clusterKinds))
	for n := range clusterKinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func clusterSchema() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, n := range clusterKindNames() {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: n})
	}
	return s
}

// orList writes names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Into converts the block's value into target, a struct with cty tags,
// reporting a failure at the attribute it concerns.
func (b *KindBlock) Into(target any) hcl.Diagnostics {
	err := gocty.FromCtyValue(b.Value, target)
	if err == nil {
		return nil
	}
	attr := ""
	var pe cty.PathError
	if errors.As(err, &pe) && len(pe.Path) > 0 {
		if ga, ok := pe.Path[0].(cty.GetAttrStep); ok {
			attr = ga.Name
		}
	}
	return hcl.Diagnostics{b.AttrError(attr, "Invalid value", err.Error()+".")}
}

// AttrError is an error about one attribute of the block, pointing at it
// (at the block, when the attribute is not written).
func (b *KindBlock) AttrError(attr, summary, detail string) *hcl.Diagnostic {
	return attrDiagnostic(b.Body, b.Spec, attr, summary, detail)
}

// Spec builders for providers' blocks: an attribute with a default, or a
// required one.
var (
	// RequiredAttr is an attribute that must be set.
	RequiredAttr = required
	// StringAttr is an optional string.
	StringAttr = str
	// BoolAttr is an optional bool.
	BoolAttr = boolean
	// NumberAttr is an optional whole number.
	NumberAttr = number
	// StringsAttr is an optional list of strings, empty by default.
	StringsAttr = strings_
	// StringMapAttr is an optional map of strings, empty by default.
	StringMapAttr = stringMap
)
