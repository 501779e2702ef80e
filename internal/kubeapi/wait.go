package kubeapi

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// listWatchOne watches a single object by name: one LIST then a WATCH, both
// filtered by the API server, so waiting on many objects costs no more per
// object than waiting on one.
func (c *Client) listWatchOne(gvk schema.GroupVersionKind, namespace, name string) (*cache.ListWatch, error) {
	ri, _, err := c.resourceFor(gvk, namespace)
	if err != nil {
		return nil, err
	}
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return ri.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return ri.Watch(ctx, o)
		},
	}, nil
}

// WaitReady waits by watch until the object meets its kind's readiness
// rule (see ReadinessOf), reporting each status change. It fails at once
// when the object will not become ready, or when it disappears; on
// failure it returns the object as last seen, if any, to explain why.
func (c *Client) WaitReady(ctx context.Context, obj *unstructured.Unstructured, report func(status string)) (*unstructured.Unstructured, error) {
	if r := ReadinessOf(obj); r.Ready && obj.GetResourceVersion() != "" && !needsStatus(obj) {
		return obj, nil
	}
	lw, err := c.listWatchOne(obj.GroupVersionKind(), obj.GetNamespace(), obj.GetName())
	if err != nil {
		return nil, err
	}
	last := ""
	var final *unstructured.Unstructured
	_, err = watchtools.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, nil, func(ev watch.Event) (bool, error) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		if !ok {
			return false, nil
		}
		if obj.GetUID() != "" && u.GetUID() != obj.GetUID() {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("%s %s was deleted while podlab waited for it", obj.GetKind(), obj.GetName())
		}
		r := ReadinessOf(u)
		if r.Status != last && report != nil {
			report(r.Status)
			last = r.Status
		}
		final = u
		if r.Fatal != nil {
			return false, r.Fatal
		}
		return r.Ready, nil
	})
	if err != nil {
		if ctx.Err() != nil && final != nil {
			return final, fmt.Errorf("still %s: %w", ReadinessOf(final).Status, ctx.Err())
		}
		return final, err
	}
	return final, nil
}

// needsStatus: kinds whose readiness is in their status, which the object
// as applied does not have yet.
func needsStatus(u *unstructured.Unstructured) bool {
	switch u.GroupVersionKind().GroupKind().String() {
	case "Pod", "Deployment.apps", "ReplicaSet.apps", "StatefulSet.apps", "DaemonSet.apps", "Job.batch", "ResourceQuota":
		return true
	}
	return false
}

// WaitGone waits by watch until the object (of that uid, when given) no
// longer exists.
func (c *Client) WaitGone(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, uid types.UID) error {
	lw, err := c.listWatchOne(gvk, namespace, name)
	if err != nil {
		return err
	}
	precondition := func(store cache.Store) (bool, error) {
		for _, o := range store.List() {
			u := o.(*unstructured.Unstructured)
			if uid == "" || u.GetUID() == uid {
				return false, nil
			}
		}
		return true, nil
	}
	_, err = watchtools.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, precondition, func(ev watch.Event) (bool, error) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		if !ok {
			return false, nil
		}
		if uid != "" && u.GetUID() != uid {
			// The old object is gone and a new one took its name.
			return true, nil
		}
		return ev.Type == watch.Deleted, nil
	})
	return err
}

// WaitServiceAccount waits until a namespace's service account exists:
// pods are refused before the controller manager has made it.
func (c *Client) WaitServiceAccount(ctx context.Context, namespace, name string) error {
	gvk := schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}
	lw, err := c.listWatchOne(gvk, namespace, name)
	if err != nil {
		return err
	}
	precondition := func(store cache.Store) (bool, error) { return len(store.List()) > 0, nil }
	_, err = watchtools.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, precondition, func(ev watch.Event) (bool, error) {
		return ev.Type == watch.Added || ev.Type == watch.Modified, nil
	})
	return err
}

// Elapsed rounds a duration for messages.
func Elapsed(since time.Time) time.Duration { return time.Since(since).Round(100 * time.Millisecond) }
