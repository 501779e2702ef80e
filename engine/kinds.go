package engine

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/config/manifest"
)

// CheckKinds checks every object's apiVersion and kind against cat. With
// live set, cat is the cluster's discovery and a kind it does not serve is
// an error (apply would fail on it); otherwise cat is the built-in set and
// an unknown kind only earns a warning, since the cluster may serve it (a
// CRD). Kinds of CRDs the environment itself declares count as known.
func CheckKinds(env *config.Env, cat *manifest.Catalog, live bool) hcl.Diagnostics {
	var all []*manifest.Object
	for _, in := range env.Instances {
		for _, o := range in.Objects {
			all = append(all, o.Object)
		}
	}
	cat = cat.With(all)
	var diags hcl.Diagnostics
	for _, in := range env.Instances {
		for _, o := range in.Objects {
			p := cat.Check(o.GVK())
			if p == nil {
				continue
			}
			sev, summary := hcl.DiagError, "Unknown kind"
			switch {
			case p.Field == "apiVersion":
				summary = "Wrong apiVersion"
			case !live && p.Unchecked:
				// A group podlab does not know (a CRD's): the kind may
				// well be right, and only the cluster can tell.
				summary = "Unchecked kind"
				p.Msg = fmt.Sprintf("Kind %q of apiVersion %q is not built into podlab (a custom resource?); plan checks it once the cluster answers.", o.GVK().Kind, o.GVK().GroupVersion().String())
			}
			if !live {
				sev = hcl.DiagWarning
			}
			detail := fmt.Sprintf("%s: %s", o.Address, p.Msg)
			if !live && !p.Unchecked {
				detail += " (Checked against the kinds built into podlab; the cluster has the final word at plan time.)"
			} else if live && p.Field == "kind" {
				detail += " (kubectl api-resources lists what the cluster serves.)"
			}
			r, _ := env.FieldRange(o, p.Field)
			diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Subject: r.Ptr()})
		}
	}
	return diags
}
