package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// Backend types.
const (
	BackendLocal = "local"
	BackendGCS   = "gcs"
)

// LocalBackend keeps state in files under the lab directory.
type LocalBackend struct {
	Path string `cty:"path"`
}

// GCSBackend keeps state in a Cloud Storage bucket.
type GCSBackend struct {
	Bucket string `cty:"bucket"`
	Prefix string `cty:"prefix"`
}

var backendSpecs = map[string]hcldec.Spec{
	BackendLocal: hcldec.ObjectSpec{"path": str("path", ".podlab")},
	BackendGCS: hcldec.ObjectSpec{
		"bucket": required("bucket", cty.String),
		"prefix": str("prefix", "podlab"),
	},
}

func (m *Module) addBackend(b *hcl.Block) hcl.Diagnostics {
	if m.Backend != nil {
		return hcl.Diagnostics{duplicate(b, "backend block", "", m.Backend.DeclRange)}
	}
	typ := b.Labels[0]
	spec, ok := backendSpecs[typ]
	if !ok {
		detail := fmt.Sprintf("There is no backend %q; podlab has \"local\" and \"gcs\".", typ)
		if s := suggest(typ, keys(backendSpecs)); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown backend type", Detail: detail, Subject: b.LabelRanges[0].Ptr()}}
	}
	diags := checkShape(b.Body, spec)
	// State must be found before variables are known, as in Terraform.
	for _, tr := range bodyTraversals(b.Body) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Variables not allowed in a backend",
			Detail:   "A backend's settings must be literal values: podlab reads them before it knows the variables.",
			Subject:  tr.SourceRange().Ptr(),
		})
	}
	m.Backend = &Backend{Type: typ, Body: b.Body, DeclRange: b.DefRange}
	return diags
}

// BackendSpec is the schema of a backend type's block.
func BackendSpec(typ string) hcldec.Spec { return backendSpecs[typ] }
