package engine

import (
	"context"
	"fmt"
	"reflect"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
)

// StudentDiff compares what a seat's student made in a student exercise
// with the exercise's manifests (the reference), object by object, as a
// plan shows changes: a missing object is a create, one that differs an
// update (or a replace, for a Pod's spec) with the fields that differ.
// Only the reference's fields count: the API server is asked (a
// server-side apply dry run, which stores nothing) what the student's
// object would be with the reference applied over it, so the server's
// defaults and the fields the reference does not set never show. Where
// the server refuses even that (a pod's immutable fields), the reference's
// fields are laid over the live object instead.
func StudentDiff(ctx context.Context, kc *kubeapi.Client, in *config.Instance) ([]*plan.Change, error) {
	var out []*plan.Change
	for _, o := range in.Objects {
		want := o.Unstructured.DeepCopy()
		namespaced, err := kc.Namespaced(want.GroupVersionKind())
		if err != nil {
			return nil, err
		}
		if namespaced && want.GetNamespace() == "" {
			want.SetNamespace(in.Namespace)
		}
		ch := &plan.Change{
			Address: o.Address, Instance: in.Address, APIVersion: want.GetAPIVersion(), Kind: want.GetKind(),
			Namespace: want.GetNamespace(), Name: want.GetName(),
		}
		if in.Seat != nil {
			ch.Seat = in.Seat.Name
		}
		live, err := kc.Get(ctx, want.GroupVersionKind(), want.GetNamespace(), want.GetName())
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", o.Address, kubeapi.Explain(err))
		}
		if live == nil {
			ch.Action, ch.Reason, ch.After = plan.Create, "the student has not made it (not under this name, kind or namespace)", trim(want.Object)
			out = append(out, ch)
			continue
		}
		d, err := KubeDiffer{Client: kc}.Diff(ctx, want, live)
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", o.Address, err)
		}
		if d.Reason == "the API server cannot change it in place" {
			d.After = overlay(trim(live.Object), trim(want.Object))
			if reflect.DeepEqual(d.Before, d.After) {
				d.Action = plan.NoOp
			}
		}
		ch.Action, ch.Before, ch.After, ch.ForcesReplacement = d.Action, d.Before, d.After, d.ForcesReplacement
		switch d.Action {
		case plan.NoOp:
			ch.Reason = "it matches the reference"
		case plan.Replace:
			ch.Reason = "it differs from the reference in fields only a new object can change"
		default:
			ch.Reason = "it differs from the reference"
		}
		out = append(out, ch)
	}
	return out, nil
}

// overlay lays want's fields over have: maps merge key by key, lists
// item by item, anything else is want's.
func overlay(have, want any) map[string]any {
	return overlayValue(deepCopy(have), want).(map[string]any)
}

func overlayValue(have, want any) any {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return deepCopy(w)
		}
		for k, v := range w {
			h[k] = overlayValue(h[k], v)
		}
		return h
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return deepCopy(w)
		}
		for i := range w {
			h[i] = overlayValue(h[i], w[i])
		}
		return h
	}
	return want
}
