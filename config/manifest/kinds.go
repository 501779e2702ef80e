package manifest

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/agext/levenshtein"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// Catalog is the set of kinds an API serves, each with the group versions
// that serve it: a cluster's discovery, or the built-in kinds of client-go's
// scheme when no cluster can be asked.
type Catalog struct {
	kinds map[string][]schema.GroupVersion
	// groups are the API groups the catalog speaks for; a kind of another
	// group (a CRD's) is not known to be wrong, only unchecked.
	groups map[string]bool
}

// NewCatalog starts an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{kinds: map[string][]schema.GroupVersion{}, groups: map[string]bool{}}
}

// Add records that gv serves kind.
func (c *Catalog) Add(gvk schema.GroupVersionKind) {
	gv := gvk.GroupVersion()
	c.groups[gv.Group] = true
	for _, have := range c.kinds[gvk.Kind] {
		if have == gv {
			return
		}
	}
	c.kinds[gvk.Kind] = append(c.kinds[gvk.Kind], gv)
}

// With returns a copy of c that also knows the kinds of the
// CustomResourceDefinitions among objs.
func (c *Catalog) With(objs []*Object) *Catalog {
	out := NewCatalog()
	for k, gvs := range c.kinds {
		out.kinds[k] = append([]schema.GroupVersion(nil), gvs...)
	}
	for g := range c.groups {
		out.groups[g] = true
	}
	out.AddDeclared(objs)
	return out
}

// AddDeclared records the kinds of the CustomResourceDefinitions among
// objs: a plan that creates a CRD and objects of its kind is right even
// though no API serves that kind yet.
func (c *Catalog) AddDeclared(objs []*Object) {
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() != (schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}) {
			continue
		}
		group, _, _ := unstructuredString(o.Object, "spec", "group")
		kind, _, _ := unstructuredString(o.Object, "spec", "names", "kind")
		spec, _ := o.Object["spec"].(map[string]any)
		versions, _ := spec["versions"].([]any)
		for _, v := range versions {
			if m, ok := v.(map[string]any); ok {
				if name, ok := m["name"].(string); ok && kind != "" {
					c.Add(schema.GroupVersionKind{Group: group, Version: name, Kind: kind})
				}
			}
		}
	}
}

func unstructuredString(obj map[string]any, path ...string) (string, bool, error) {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, nil
		}
		cur = m[p]
	}
	s, ok := cur.(string)
	return s, ok, nil
}

// KindProblem says what is wrong with an object's apiVersion and kind.
type KindProblem struct {
	// Field is "kind" or "apiVersion": where in the manifest to point.
	Field string
	// Unchecked is set for a kind of a group the catalog does not speak
	// for (a CRD's): it may well be right.
	Unchecked bool
	Msg       string
}

// Check looks gvk up; nil means the catalog serves it.
func (c *Catalog) Check(gvk schema.GroupVersionKind) *KindProblem {
	gv := gvk.GroupVersion()
	served := c.kinds[gvk.Kind]
	for _, have := range served {
		if have == gv {
			return nil
		}
	}
	if len(served) > 0 {
		return &KindProblem{Field: "apiVersion", Unchecked: !c.groups[gv.Group], Msg: fmt.Sprintf(
			"apiVersion %q does not serve kind %q; %s serves it: set apiVersion: %s.",
			gv.String(), gvk.Kind, served[0].String(), served[0].String())}
	}
	msg := fmt.Sprintf("No API serves kind %q in apiVersion %q.", gvk.Kind, gv.String())
	if s, sgv := c.Suggest(gvk.Kind); s != "" {
		msg += fmt.Sprintf(" Did you mean %q (%s)?", s, sgv)
	}
	return &KindProblem{Field: "kind", Unchecked: !c.groups[gv.Group], Msg: msg}
}

// Suggest returns the known kind nearest to kind, ignoring case, when it is
// near enough to be a likely misspelling, and the group version serving it.
func (c *Catalog) Suggest(kind string) (string, string) {
	names := make([]string, 0, len(c.kinds))
	for k := range c.kinds {
		names = append(names, k)
	}
	sort.Strings(names) // ties go the same way every run
	best, bestDist := "", 3
	for _, k := range names {
		if d := levenshtein.Distance(strings.ToLower(kind), strings.ToLower(k), nil); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return "", ""
	}
	return best, c.kinds[best][0].String()
}

// BuiltIn is the catalog of the kinds client-go's scheme knows: those of
// the Kubernetes release podlab is built with. Only kinds of objects
// (types with metadata) count, not lists or request options.
func BuiltIn() *Catalog {
	builtInOnce.Do(loadBuiltIn)
	return builtIn
}

var (
	builtIn     *Catalog
	builtInOnce sync.Once
)

func loadBuiltIn() {
	c := NewCatalog()
	gvks := make([]schema.GroupVersionKind, 0, 1024)
	stable := map[schema.GroupKind]bool{}
	for gvk, t := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == "__internal" || strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		if f, ok := t.FieldByName("ObjectMeta"); !ok || !f.Anonymous {
			continue
		}
		gvks = append(gvks, gvk)
		if versionRank(gvk.Version) == 0 {
			stable[gvk.GroupKind()] = true
		}
	}
	// The preferred (GA) version first, so a suggestion names it.
	sort.Slice(gvks, func(i, j int) bool {
		a, b := gvks[i], gvks[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return versionRank(a.Version) < versionRank(b.Version) ||
			versionRank(a.Version) == versionRank(b.Version) && a.Version > b.Version
	})
	for _, gvk := range gvks {
		// The scheme still decodes versions long since removed from
		// serving (apps/v1beta1, extensions): a kind with a stable
		// version is known in its stable versions only.
		if gvk.Group == "extensions" || stable[gvk.GroupKind()] && versionRank(gvk.Version) > 0 {
			continue
		}
		c.Add(gvk)
	}
	// Every API server serves these too, but their types live in their
	// own modules (apiextensions-apiserver, kube-aggregator), not in
	// client-go's scheme; two kinds do not justify those dependencies.
	c.Add(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
	c.Add(schema.GroupVersionKind{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"})
	builtIn = c
}

// versionRank orders stable versions before beta before alpha.
func versionRank(v string) int {
	switch {
	case strings.Contains(v, "alpha"):
		return 2
	case strings.Contains(v, "beta"):
		return 1
	}
	return 0
}
