package manifest

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestBuiltInCatalog(t *testing.T) {
	cat := BuiltIn()
	tests := []struct {
		apiVersion, kind string
		wantField        string // "" when the kind is known
		wantUnchecked    bool
		wantInMsg        string
	}{
		{"v1", "Pod", "", false, ""},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition", "", false, ""},
		{"apps/v1", "Deployment", "", false, ""},
		{"batch/v1", "CronJob", "", false, ""},
		{"networking.k8s.io/v1", "NetworkPolicy", "", false, ""},
		{"rbac.authorization.k8s.io/v1", "RoleBinding", "", false, ""},
		{"policy/v1", "PodDisruptionBudget", "", false, ""},
		{"apps/v1", "Deploymnet", "kind", false, `Did you mean "Deployment" (apps/v1)?`},
		{"v1", "ConfigMpa", "kind", false, `Did you mean "ConfigMap" (v1)?`},
		{"v1", "service", "kind", false, `Did you mean "Service" (v1)?`},
		{"v1", "Deployment", "apiVersion", false, "apps/v1 serves it: set apiVersion: apps/v1."},
		{"app/v1", "Deployment", "apiVersion", true, "apps/v1 serves it"},
		{"v1", "Frobnicator", "kind", false, `No API serves kind "Frobnicator" in apiVersion "v1".`},
		{"example.com/v1", "Widget", "kind", true, `No API serves kind "Widget"`},
	}
	for _, tt := range tests {
		t.Run(tt.apiVersion+"/"+tt.kind, func(t *testing.T) {
			gv, err := schema.ParseGroupVersion(tt.apiVersion)
			if err != nil {
				t.Fatal(err)
			}
			p := cat.Check(gv.WithKind(tt.kind))
			if tt.wantField == "" {
				if p != nil {
					t.Fatalf("Check = %+v, want known", p)
				}
				return
			}
			if p == nil {
				t.Fatalf("Check = nil, want a problem with %s", tt.wantField)
			}
			if p.Field != tt.wantField || p.Unchecked != tt.wantUnchecked {
				t.Errorf("Check = %+v, want field %s unchecked %v", p, tt.wantField, tt.wantUnchecked)
			}
			if !strings.Contains(p.Msg, tt.wantInMsg) {
				t.Errorf("message %q does not contain %q", p.Msg, tt.wantInMsg)
			}
			if strings.Contains(p.Msg, "Did you mean") && strings.Contains(tt.kind, "Frob") {
				t.Errorf("message %q suggests for a kind nothing is near", p.Msg)
			}
		})
	}
}

// The built-in set holds object kinds only: not lists, not request options.
func TestBuiltInCatalogObjectsOnly(t *testing.T) {
	cat := BuiltIn()
	for _, kind := range []string{"PodList", "DeleteOptions", "ListOptions", "WatchEvent", "PodExecOptions"} {
		if _, ok := cat.kinds[kind]; ok {
			t.Errorf("built-in catalog holds %s", kind)
		}
	}
	for _, kind := range []string{"Namespace", "Secret", "StatefulSet", "Job", "Ingress", "ClusterRole", "ServiceAccount"} {
		if _, ok := cat.kinds[kind]; !ok {
			t.Errorf("built-in catalog lacks %s", kind)
		}
	}
}

func TestCatalogDeclaredCRD(t *testing.T) {
	objs, errs := DecodeYAML("crd.yaml", []byte(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
`))
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	cat := NewCatalog()
	cat.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"})
	with := cat.With(objs)
	widget := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
	if p := with.Check(widget); p != nil {
		t.Errorf("a kind the lab's own CRD declares: %+v", p)
	}
	if p := with.Check(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widgte"}); p == nil || !strings.Contains(p.Msg, `"Widget" (example.com/v1)`) {
		t.Errorf("misspelt CRD kind: %+v", p)
	}
	if p := cat.Check(widget); p == nil {
		t.Error("With changed the catalog it copied")
	}
}
