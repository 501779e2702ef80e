package engine

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestSubset(t *testing.T) {
	m := func(kv ...any) map[string]any {
		out := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name       string
		want, live any
		ok         bool
	}{
		{"equal", m("a", "x"), m("a", "x"), true},
		{"live has more", m("a", "x"), m("a", "x", "b", "y"), true},
		{"live lacks a field", m("a", "x", "b", "y"), m("a", "x"), false},
		{"different value", m("a", "x"), m("a", "y"), false},
		{"nested, live has defaults", m("spec", m("replicas", int64(1))), m("spec", m("replicas", int64(1), "strategy", m("type", "RollingUpdate"))), true},
		{"nested differs", m("spec", m("replicas", int64(1))), m("spec", m("replicas", int64(2))), false},
		{"empty map the server dropped", m("data", map[string]any{}), m(), true},
		{"empty list the server dropped", m("args", []any{}), m(), true},
		{"null the server dropped", m("x", nil), m(), true},
		{"non-empty map missing", m("data", m("a", "1")), m(), false},
		{"lists equal, elements subsets", m("c", []any{m("name", "a")}), m("c", []any{m("name", "a", "imagePullPolicy", "Always")}), true},
		{"list longer live", m("c", []any{"a"}), m("c", []any{"a", "b"}), false},
		{"list shorter live", m("c", []any{"a", "b"}), m("c", []any{"a"}), false},
		{"list order matters", m("c", []any{"a", "b"}), m("c", []any{"b", "a"}), false},
		{"int64 and float64 alike", m("port", int64(80)), m("port", float64(80)), true},
		{"int and int64 alike", m("port", 80), m("port", int64(80)), true},
		{"int32 and float64 alike", m("port", int32(80)), m("port", 80.0), true},
		{"numbers differ", m("port", int64(80)), m("port", float64(80.5)), false},
		{"string and number differ", m("port", "80"), m("port", int64(80)), false},
		{"map against a string", m("a", m("b", "c")), m("a", "c"), false},
		{"list against a map", m("a", []any{}), m("a", m()), false},
		{"booleans", m("spot", true), m("spot", true), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subset(tt.want, tt.live); got != tt.ok {
				t.Errorf("subset(%v, %v) = %v, want %v", tt.want, tt.live, got, tt.ok)
			}
		})
	}
}

func TestSameAsLive(t *testing.T) {
	obj := func(hash string, replicas int64) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": "web", "annotations": map[string]any{AnnotHash: hash}},
			"spec":     map[string]any{"replicas": replicas},
		}}
	}
	live := obj("h1", 1)
	live.Object["status"] = map[string]any{"readyReplicas": int64(1)}
	live.SetUID("u")
	if !sameAsLive(obj("h1", 1), live) {
		t.Error("an applied object with server fields is not the same as its manifest")
	}
	if sameAsLive(obj("h2", 1), live) {
		t.Error("a different manifest hash is the same")
	}
	if sameAsLive(obj("h1", 2), live) {
		t.Error("a field changed outside podlab is the same")
	}
}

func TestTrim(t *testing.T) {
	in := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{
			"name": "web", "uid": "u", "resourceVersion": "7", "generation": int64(1), "creationTimestamp": "t",
			"managedFields": []any{map[string]any{"manager": "podlab"}},
			"annotations":   map[string]any{"kubectl.kubernetes.io/last-applied-configuration": "{}"},
			"labels":        map[string]any{"app": "web"},
		},
		"spec":   map[string]any{"containers": []any{map[string]any{"name": "c"}}},
		"status": map[string]any{"podIP": "10.0.0.1"},
	}
	orig := deepCopy(in)
	got := trim(in)
	want := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "web", "labels": map[string]any{"app": "web"}},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("trim:\n%v\nwant\n%v", got, want)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Error("trim changed its argument")
	}
	// Other annotations stay.
	in["metadata"].(map[string]any)["annotations"].(map[string]any)["note"] = "x"
	if a := trim(in)["metadata"].(map[string]any)["annotations"]; !reflect.DeepEqual(a, map[string]any{"note": "x"}) {
		t.Errorf("annotations %v", a)
	}
}
