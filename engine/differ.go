package engine

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
)

// KubeDiffer compares as kubectl diff does: it asks the API server what
// the object would become (a server-side apply dry run) and compares that
// with the live object, so defaults the server fills in never show as
// changes.
type KubeDiffer struct {
	Client *kubeapi.Client
}

// Diff works out how applying want would change live.
func (d KubeDiffer) Diff(ctx context.Context, want, live *unstructured.Unstructured) (*Diff, error) {
	dry, err := d.Client.Apply(ctx, want, true)
	if err != nil {
		if kubeapi.IsImmutable(err) {
			return &Diff{
				Action:            plan.Replace,
				Reason:            "the API server cannot change it in place",
				Before:            trim(live.Object),
				After:             trim(want.Object),
				ForcesReplacement: changedPaths(want.Object, live.Object, ""),
			}, nil
		}
		return nil, kubeapi.Explain(err)
	}
	before, after := trim(live.Object), trim(dry.Object)
	if reflect.DeepEqual(before, after) {
		return &Diff{Action: plan.NoOp}, nil
	}
	diff := &Diff{Action: plan.Update, Before: before, After: after, Reason: "it differs from the configuration"}
	if live.GetAnnotations()[AnnotHash] == want.GetAnnotations()[AnnotHash] {
		diff.Reason = "it was changed outside podlab"
	}
	if forces := podSpecChanges(want, before, after); len(forces) > 0 {
		diff.Action = plan.Replace
		diff.ForcesReplacement = forces
		diff.Reason = "a Pod's spec changes only by replacing the pod"
	}
	return diff, nil
}

// podSpecChanges lists changed fields under a bare Pod's spec. Kubernetes
// allows a few of them in place (an image), but only by restarting the
// container, which leaves the pod with a restart count the lesson does not
// expect; podlab replaces the pod instead, so every pod it leaves is fresh.
func podSpecChanges(want *unstructured.Unstructured, before, after map[string]any) []string {
	if want.GetAPIVersion() != "v1" || want.GetKind() != "Pod" {
		return nil
	}
	return changedPaths(after["spec"], before["spec"], "spec")
}

// changedPaths lists the paths of want's leaves whose values live does not
// have.
func changedPaths(want, live any, prefix string) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		l, _ := live.(map[string]any)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if prefix == "" && (k == "status" || k == "metadata") {
				continue
			}
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			var lv any
			if l != nil {
				lv = l[k]
			}
			out = append(out, changedPaths(w[k], lv, p)...)
		}
	case []any:
		l, _ := live.([]any)
		for i := range w {
			var lv any
			if i < len(l) {
				lv = l[i]
			}
			out = append(out, changedPaths(w[i], lv, fmt.Sprintf("%s[%d]", prefix, i))...)
		}
		if len(l) > len(w) {
			out = append(out, prefix)
		}
	default:
		if !subset(want, live) {
			out = append(out, prefix)
		}
	}
	return dedupePrefix(out)
}

func dedupePrefix(paths []string) []string {
	var out []string
	for _, p := range paths {
		if len(out) > 0 && (p == out[len(out)-1] || strings.HasPrefix(p, out[len(out)-1]+".")) {
			continue
		}
		out = append(out, p)
	}
	return out
}
