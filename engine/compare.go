package engine

import (
	"reflect"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// sameAsLive tells, without asking the API server, that applying want
// would change nothing: the live object carries the hash of this very
// manifest and still holds every value the manifest sets. Anything else
// (a changed configuration, a label edited outside podlab, a value the API
// server normalises) falls through to a server-side dry run.
func sameAsLive(want, live *unstructured.Unstructured) bool {
	if live.GetAnnotations()[AnnotHash] != want.GetAnnotations()[AnnotHash] {
		return false
	}
	return subset(want.Object, live.Object)
}

// subset reports whether every field set in want has the same value in
// live. Lists must match element for element, since a list is one value.
func subset(want, live any) bool {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			lv, ok := l[k]
			if !ok {
				if isEmpty(wv) {
					continue
				}
				return false
			}
			if !subset(wv, lv) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(w) {
			return false
		}
		for i := range w {
			if !subset(w[i], l[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(normalizeNumber(want), normalizeNumber(live))
	}
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

func normalizeNumber(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	}
	return v
}

// managedMeta are the fields the API server or controllers own; they are
// never part of a difference worth showing.
var managedMeta = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}

// trim copies an object without server-managed metadata and status, for
// showing.
func trim(obj map[string]any) map[string]any {
	out := deepCopy(obj).(map[string]any)
	delete(out, "status")
	if md, ok := out["metadata"].(map[string]any); ok {
		for _, k := range managedMeta {
			delete(md, k)
		}
		if a, ok := md["annotations"].(map[string]any); ok {
			delete(a, "kubectl.kubernetes.io/last-applied-configuration")
			if len(a) == 0 {
				delete(md, "annotations")
			}
		}
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
