package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// RefKind is what a reference in an expression refers to.
type RefKind int

// The kinds of reference an expression can make.
const (
	RefVar RefKind = iota
	RefLocal
	RefExercise
	RefCluster
	RefEach
	RefCount
	RefSeat
	RefPath
	RefPodlab
)

var refRoots = map[string]RefKind{
	"var": RefVar, "local": RefLocal, "exercise": RefExercise, "cluster": RefCluster,
	"each": RefEach, "count": RefCount, "seat": RefSeat, "path": RefPath, "podlab": RefPodlab,
}

// fixed attributes of the references that are not blocks.
var refAttrs = map[RefKind][]string{
	RefEach:   {"key", "value"},
	RefCount:  {"index"},
	RefSeat:   {"name", "index"},
	RefPath:   {"lab", "cwd"},
	RefPodlab: {"lab", "environment", "workspace"},
}

// Ref is one reference found in an expression.
type Ref struct {
	Kind  RefKind
	Root  string
	Name  string
	Range hcl.Range
}

func (r Ref) String() string { return r.Root + "." + r.Name }

// Node names the graph node a reference depends on, or "" when it depends
// on no block (each, count, seat, path, podlab).
func (r Ref) Node() string {
	switch r.Kind {
	case RefVar, RefLocal, RefExercise, RefCluster:
		return r.String()
	}
	return ""
}

func parseRef(tr hcl.Traversal) (Ref, hcl.Diagnostics) {
	root := tr.RootName()
	kind, ok := refRoots[root]
	if !ok {
		detail := fmt.Sprintf("There is no value named %q. A reference starts with one of: %s.", root, strings.Join(rootNames(), ", "))
		if s := suggest(root, rootNames()); s != "" {
			detail = fmt.Sprintf("There is no value named %q. Did you mean %q?", root, s)
		}
		return Ref{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown reference",
			Detail:   detail,
			Subject:  tr.SourceRange().Ptr(),
		}}
	}
	ref := Ref{Kind: kind, Root: root, Range: tr.SourceRange()}
	if len(tr) < 2 {
		return ref, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incomplete reference",
			Detail:   fmt.Sprintf("%q must be followed by an attribute name, as in %s.", root, example(kind)),
			Subject:  tr.SourceRange().Ptr(),
		}}
	}
	attr, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return ref, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference",
			Detail:   fmt.Sprintf("%q must be followed by .NAME, as in %s.", root, example(kind)),
			Subject:  tr.SourceRange().Ptr(),
		}}
	}
	ref.Name = attr.Name
	ref.Range = hcl.RangeBetween(tr[0].SourceRange(), tr[1].SourceRange())
	if fixed, ok := refAttrs[kind]; ok && !contains(fixed, attr.Name) {
		detail := fmt.Sprintf("%s has the attributes %s.", root, strings.Join(fixed, ", "))
		if s := suggest(attr.Name, fixed); s != "" {
			detail += fmt.Sprintf(" Did you mean %s.%s?", root, s)
		}
		return ref, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Unsupported attribute %s.%s", root, attr.Name),
			Detail:   detail,
			Subject:  ref.Range.Ptr(),
		}}
	}
	return ref, nil
}

func example(k RefKind) string {
	switch k {
	case RefVar:
		return "var.target"
	case RefLocal:
		return "local.name"
	case RefExercise:
		return `exercise.nginx_pod.pods["my-nginx-pod"].ip`
	case RefCluster:
		return "cluster.gke.endpoint"
	}
	for root, rk := range refRoots {
		if rk == k {
			return root + "." + refAttrs[k][0]
		}
	}
	return ""
}

func rootNames() []string {
	names := make([]string, 0, len(refRoots))
	for n := range refRoots {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// bodyTraversals lists every reference made anywhere in a body, nested
// blocks included. Expressions report only their free variables, so names
// bound by for expressions are not mistaken for references.
func bodyTraversals(body hcl.Body) []hcl.Traversal {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []hcl.Traversal
	for _, a := range sb.Attributes {
		out = append(out, a.Expr.Variables()...)
	}
	for _, b := range sb.Blocks {
		out = append(out, bodyTraversals(b.Body)...)
	}
	return out
}

func traversalString(tr hcl.Traversal) string {
	var sb strings.Builder
	for i, s := range tr {
		switch t := s.(type) {
		case hcl.TraverseRoot:
			sb.WriteString(t.Name)
		case hcl.TraverseAttr:
			sb.WriteString("." + t.Name)
		case hcl.TraverseIndex:
			sb.WriteString("[" + t.Key.GoString() + "]")
		default:
			if i == 0 {
				sb.WriteString("?")
			}
		}
	}
	return sb.String()
}
