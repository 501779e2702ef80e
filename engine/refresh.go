package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlab/podlab/providers/kubernetes"
)

var namespaceGVK = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}

// Refresh reads what the cluster holds of this environment: every object
// carrying its env label, keyed by the address podlab stamped on it. It
// lists each kind once across the cluster by that label; where RBAC allows
// only some namespaces (a student's kubeconfig), it lists the kind in each
// namespace the configuration, the state or the cluster's labelled
// namespaces name. Never one request per object.
func (e *Engine) Refresh(ctx context.Context, kc *kubernetes.Client, parallelism int) (map[string]*unstructured.Unstructured, error) {
	sel := EnvSelector(e.Env.Lab.Name, e.Env.Name)
	live := map[string]*unstructured.Unstructured{}
	var mu sync.Mutex
	add := func(items []unstructured.Unstructured) {
		mu.Lock()
		defer mu.Unlock()
		for i := range items {
			u := &items[i]
			addr := u.GetAnnotations()[AnnotAddress]
			if addr == "" {
				continue
			}
			if _, dup := live[addr]; !dup {
				live[addr] = u
			}
		}
	}
	nsList, err := kc.List(ctx, namespaceGVK, "", sel)
	if err != nil && !kubernetes.IsForbidden(err) {
		return nil, fmt.Errorf("refresh: list namespaces: %w", kubernetes.Explain(err))
	}
	// Without the right to list namespaces, the configuration's and the
	// state's are all podlab can look in.
	add(nsList)

	namespaces := map[string]bool{}
	kinds := map[schema.GroupVersionKind]bool{}
	for _, u := range nsList {
		namespaces[u.GetName()] = true
	}
	for _, in := range e.Env.Instances {
		namespaces[in.Namespace] = true
		for _, o := range in.Objects {
			kinds[o.GVK()] = true
		}
	}
	for _, o := range e.Prior.Objects {
		if o.Namespace != "" {
			namespaces[o.Namespace] = true
		}
		kinds[schema.FromAPIVersionAndKind(o.APIVersion, o.Kind)] = true
	}
	delete(kinds, namespaceGVK)

	type job struct {
		gvk schema.GroupVersionKind
		ns  string
	}
	var jobs []job
	for gvk := range kinds {
		namespaced, err := kc.Namespaced(gvk)
		if err != nil {
			// A kind the cluster does not serve has nothing to find; apply
			// will report it against the object that needs it.
			continue
		}
		if !namespaced {
			jobs = append(jobs, job{gvk, ""})
			continue
		}
		items, err := kc.List(ctx, gvk, "", sel)
		if err == nil {
			add(items)
			continue
		}
		if !kubernetes.IsForbidden(err) {
			return nil, fmt.Errorf("refresh: list %s: %w", gvk.Kind, kubernetes.Explain(err))
		}
		for ns := range namespaces {
			jobs = append(jobs, job{gvk, ns})
		}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].ns+jobs[i].gvk.String() < jobs[j].ns+jobs[j].gvk.String() })
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(parallelism, 1))
	for _, j := range jobs {
		g.Go(func() error {
			items, err := kc.List(gctx, j.gvk, j.ns, sel)
			if kubernetes.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("refresh: list %s in %q: %w", j.gvk.Kind, j.ns, kubernetes.Explain(err))
			}
			add(items)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return live, nil
}
