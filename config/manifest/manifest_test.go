package manifest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/runtime/schema"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

const twoDocs = `# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:latest
    ports:
    - containerPort: 80
  - name: sidecar
    image: busybox
    args: [sleep, "3600"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    spec:
      terminationGracePeriodSeconds: 1.5
`

func TestDecodeYAML(t *testing.T) {
	objs, errs := DecodeYAML("/lab/pods.yaml", []byte(twoDocs))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(objs) != 2 {
		t.Fatalf("%d objects", len(objs))
	}
	pod, dep := objs[0], objs[1]
	if pod.GVK() != (schema.GroupVersionKind{Version: "v1", Kind: "Pod"}) || pod.GetName() != "web" {
		t.Errorf("first object: %v %s", pod.GVK(), pod.GetName())
	}
	if want := (Source{Filename: "/lab/pods.yaml", Doc: 0, Line: 2, Column: 1}); pod.Source != want {
		t.Errorf("pod source %+v, want %+v", pod.Source, want)
	}
	if want := (Source{Filename: "/lab/pods.yaml", Doc: 1, Line: 18, Column: 1}); dep.Source != want {
		t.Errorf("deployment source %+v, want %+v", dep.Source, want)
	}
	// Integers are int64 and other numbers float64, as the API machinery
	// expects of unstructured objects.
	if r := dep.Object["spec"].(map[string]any)["replicas"]; r != int64(3) {
		t.Errorf("replicas %#v", r)
	}
	port := pod.Object["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["ports"].([]any)[0].(map[string]any)["containerPort"]
	if port != int64(80) {
		t.Errorf("containerPort %#v", port)
	}
	grace := dep.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["terminationGracePeriodSeconds"]
	if grace != 1.5 {
		t.Errorf("terminationGracePeriodSeconds %#v", grace)
	}
	// "3600" stays a string.
	if a := pod.Object["spec"].(map[string]any)["containers"].([]any)[1].(map[string]any)["args"]; !reflect.DeepEqual(a, []any{"sleep", "3600"}) {
		t.Errorf("args %#v", a)
	}
}

func TestFieldPos(t *testing.T) {
	objs, errs := DecodeYAML("pods.yaml", []byte(twoDocs))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	pod, dep := objs[0], objs[1]
	tests := []struct {
		obj  *Object
		path string
		pos  Pos
		ok   bool
	}{
		{pod, "apiVersion", Pos{2, 1}, true},
		{pod, "metadata", Pos{4, 1}, true},
		{pod, "metadata.name", Pos{5, 3}, true},
		{pod, "metadata.labels.app", Pos{7, 5}, true},
		{pod, "spec.containers", Pos{9, 3}, true},
		{pod, "spec.containers[0]", Pos{10, 5}, true},
		{pod, "spec.containers[1].image", Pos{15, 5}, true},
		{pod, "spec.containers[0].ports[0].containerPort", Pos{13, 7}, true},
		{pod, "spec.containers[1].args[1]", Pos{16, 19}, true},
		// Not written: the nearest written ancestor.
		{pod, "spec.containers[1].resources.limits", Pos{14, 5}, true},
		{pod, "metadata.namespace", Pos{4, 1}, true},
		{pod, "status.podIP", Pos{}, false},
		// Each document has its own positions.
		{dep, "metadata.name", Pos{21, 3}, true},
		{dep, "spec.replicas", Pos{23, 3}, true},
	}
	for _, tt := range tests {
		pos, ok := tt.obj.FieldPos(tt.path)
		if pos != tt.pos || ok != tt.ok {
			t.Errorf("%s %s: %v %v, want %v %v", tt.obj.GetName(), tt.path, pos, ok, tt.pos, tt.ok)
		}
	}
	// An object made from an HCL value has no positions.
	o, err := FromValue(cty.ObjectVal(map[string]cty.Value{
		"apiVersion": cty.StringVal("v1"), "kind": cty.StringVal("ConfigMap"),
		"metadata": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("c")}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.FieldPos("metadata.name"); ok {
		t.Error("an object from HCL has a position")
	}
}

func TestListAndAnchors(t *testing.T) {
	src := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: first
  data: &data
    a: "1"
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: second
  data: *data
`
	objs, errs := DecodeYAML("list.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(objs) != 2 || objs[0].GetName() != "first" || objs[1].GetName() != "second" {
		t.Fatalf("items: %v", objs)
	}
	if pos, ok := objs[1].FieldPos("metadata.name"); !ok || pos != (Pos{13, 5}) {
		t.Errorf("second item's metadata.name at %v %v", pos, ok)
	}
	if d := objs[1].Object["data"]; !reflect.DeepEqual(d, map[string]any{"a": "1"}) {
		t.Errorf("alias data %#v", d)
	}
}

func TestDecodeYAMLErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
		n    int // objects decoded besides the error
	}{
		// libyaml's scanner errors.
		{"mapping in a scalar", "apiVersion: v1\nkind: Pod\n  name: x\n", 3, "invalid YAML: mapping values are not allowed in this context", 0},
		{"tab", "apiVersion: v1\n\tkind: Pod\n", 2, "found a tab character that violates indentation", 0},
		{"unterminated quote", "apiVersion: v1\nkind: 'Pod\nmetadata: {}\n", 2, "found unexpected end of stream", 0},
		// libyaml's parser errors, which yaml.v3 numbers from 0.
		{"dedented key", "metadata:\n  labels:\n    - a\n   name: x\n", 2, "did not find expected key", 0},
		{"unclosed flow sequence", "apiVersion: v1\nargs: [a, b\nkind: Pod\n", 2, "did not find expected ',' or ']'", 0},
		{"error in a later document", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n---\nkind: [\n", 6, "did not find expected node content", 1},
		// Errors yaml.v3 finds when decoding.
		{"duplicate key", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n", 5, `invalid YAML: mapping key "name" already defined at line 4`, 0},
		{"non-string key", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n1: x\n", 1, "mapping key 1 is not a string", 0},
		{"not a mapping", "- a\n- b\n", 1, "a manifest document must be a mapping", 0},
		{"scalar", "just text\n", 1, "a manifest document must be a mapping", 0},
		// What podlab requires of an object, placed at the field.
		{"no apiVersion", "kind: Pod\nmetadata:\n  name: a\n", 1, "the object has no apiVersion", 0},
		{"bad apiVersion", "apiVersion: a/b/c\nkind: Pod\nmetadata:\n  name: a\n", 1, `apiVersion "a/b/c" is not a group/version`, 0},
		{"no kind", "apiVersion: v1\nmetadata:\n  name: a\n", 1, "the object has no kind", 0},
		{"no metadata", "apiVersion: v1\nkind: Pod\n", 1, "the Pod has no metadata.name", 0},
		{"no name", "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {}\n", 3, "the Pod has no metadata.name", 0},
		{"generateName", "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: a-\n", 4, "metadata.generateName is not supported", 0},
		{"invalid name", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: My_Pod\n", 4, `metadata.name "My_Pod" is not a valid Kubernetes name`, 0},
		{"name is a number", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 42\n", 3, "the Pod has no metadata.name", 0},
		{"invalid list item", "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata:\n    name: a\n", 4, "the object has no apiVersion", 0},
		{"second document bad, first kept", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n", 8, "has no metadata.name", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, errs := DecodeYAML("m.yaml", []byte(tt.src))
			if len(errs) != 1 {
				t.Fatalf("%d errors: %v", len(errs), errs)
			}
			e := errs[0]
			if e.Pos.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("error at line %d: %q; want line %d: %q", e.Pos.Line, e.Msg, tt.line, tt.msg)
			}
			if e.Source.Filename != "m.yaml" {
				t.Errorf("error in %q", e.Source.Filename)
			}
			if !strings.HasPrefix(e.Error(), "m.yaml:") {
				t.Errorf("Error() = %q", e.Error())
			}
			if len(objs) != tt.n {
				t.Errorf("%d objects decoded, want %d", len(objs), tt.n)
			}
		})
	}
}

func TestDecodeYAMLEmpty(t *testing.T) {
	for _, src := range []string{"", "\n", "# only a comment\n", "---\n---\n", "~\n"} {
		objs, errs := DecodeYAML("e.yaml", []byte(src))
		if len(objs) != 0 || len(errs) != 0 {
			t.Errorf("%q: %v %v", src, objs, errs)
		}
	}
}

func TestFromValue(t *testing.T) {
	obj := func(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }
	md := obj(map[string]cty.Value{"name": cty.StringVal("cm")})
	tests := []struct {
		name string
		v    cty.Value
		err  string
	}{
		{"object", obj(map[string]cty.Value{"apiVersion": cty.StringVal("v1"), "kind": cty.StringVal("ConfigMap"), "metadata": md,
			"data": obj(map[string]cty.Value{"n": cty.NumberIntVal(3)})}), ""},
		{"map", cty.MapVal(map[string]cty.Value{"apiVersion": cty.StringVal("v1"), "kind": cty.StringVal("Namespace"), "metadata": cty.StringVal("x")}), "has no metadata.name"},
		{"not an object", cty.StringVal("x"), "a manifest must be a YAML string or an object"},
		{"no kind", obj(map[string]cty.Value{"apiVersion": cty.StringVal("v1"), "metadata": md}), "the object has no kind"},
		{"no apiVersion", obj(map[string]cty.Value{"kind": cty.StringVal("Pod"), "metadata": md}), "the object has no apiVersion"},
		{"generateName", obj(map[string]cty.Value{"apiVersion": cty.StringVal("v1"), "kind": cty.StringVal("Pod"),
			"metadata": obj(map[string]cty.Value{"generateName": cty.StringVal("a-")})}), "generateName is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := FromValue(tt.v)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if n := o.Object["data"].(map[string]any)["n"]; n != int64(3) {
					t.Errorf("number %#v, want int64(3)", n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
}

func TestClusterScoped(t *testing.T) {
	tests := []struct {
		gvk  schema.GroupVersionKind
		want bool
	}{
		{schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, true},
		{schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolume"}, true},
		{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, true},
		{schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}, true},
		{schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, false},
		{schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}, false},
		// The group matters: a ClusterRole of another group is not RBAC's.
		{schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "ClusterRole"}, false},
	}
	for _, tt := range tests {
		if got := ClusterScoped(tt.gvk); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.gvk, got, tt.want)
		}
	}
}
