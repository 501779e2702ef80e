package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlab/podlab/internal/kubeapi"
)

var (
	namespaceGVK = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	podGVK       = schema.GroupVersionKind{Version: "v1", Kind: "Pod"}
)

// Refresh reads what the cluster holds of this environment: every object
// carrying its env label, keyed by the address podlab stamped on it. It
// lists each kind once across the cluster by that label; where RBAC allows
// only some namespaces (a kubeconfig limited to the class's namespaces), it
// lists the kind in each namespace the configuration, the state or the
// cluster's labelled namespaces name. Never one request per object.
//
// A namespace the configuration names that exists without this
// environment's label (made by someone else, or "default") is returned
// under the configuration's address, so the plan uses it without taking it
// over: podlab never labels or deletes a namespace it did not create.
func (e *Engine) Refresh(ctx context.Context, kc *kubeapi.Client, parallelism int) (map[string]*unstructured.Unstructured, error) {
	return e.refresh(ctx, kc, parallelism, true)
}

// refresh reads the environment's objects; with foreign, also the
// configuration's namespaces that exist but are not the environment's.
func (e *Engine) refresh(ctx context.Context, kc *kubeapi.Client, parallelism int, foreign bool) (map[string]*unstructured.Unstructured, error) {
	sel := EnvSelector(e.Env.Lab.Name, e.Env.Name)
	live := map[string]*unstructured.Unstructured{}
	var mu sync.Mutex
	add := func(addr string, u *unstructured.Unstructured) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := live[addr]; addr != "" && !dup {
			live[addr] = u
		}
	}
	addAll := func(items []unstructured.Unstructured) {
		for i := range items {
			add(items[i].GetAnnotations()[AnnotAddress], &items[i])
		}
	}
	nsList, err := kc.List(ctx, namespaceGVK, "", sel)
	nsListed := err == nil
	if err != nil && !kubeapi.IsForbidden(err) {
		return nil, fmt.Errorf("refresh: list namespaces: %w", kubeapi.Explain(err))
	}
	addAll(nsList)

	// Without the right to list namespaces, the configuration's and the
	// state's are all podlab can look in.
	namespaces := map[string]bool{}
	kinds := map[schema.GroupVersionKind]bool{}
	for _, u := range nsList {
		namespaces[u.GetName()] = true
	}
	nsAddrs := map[string][]string{} // namespaces to read one by one → the configuration's addresses for them
	for name, addrs := range e.namespacesWanted() {
		namespaces[name] = true
		for _, addr := range addrs {
			if live[addr] == nil && (foreign || !nsListed) {
				nsAddrs[name] = append(nsAddrs[name], addr)
			}
		}
	}
	for _, in := range e.Env.Instances {
		for _, o := range in.Objects {
			kinds[o.GVK()] = true
		}
	}
	if e.Env.NeedsProbes() {
		// Checks' probe pods, to delete on destroy.
		namespaces[e.Env.ProbeNamespace()] = true
		kinds[podGVK] = true
	}
	for _, o := range e.Prior.Objects {
		gvk := schema.FromAPIVersionAndKind(o.APIVersion, o.Kind)
		if o.Namespace != "" {
			namespaces[o.Namespace] = true
		}
		if gvk == namespaceGVK && !nsListed {
			if _, ok := nsAddrs[o.Name]; !ok {
				nsAddrs[o.Name] = nil
			}
		}
		kinds[gvk] = true
	}
	delete(kinds, namespaceGVK)

	type job struct {
		gvk  schema.GroupVersionKind
		ns   string
		name string // a namespace read by name
	}
	var jobs []job
	for name := range nsAddrs {
		jobs = append(jobs, job{gvk: namespaceGVK, name: name})
	}
	for gvk := range kinds {
		namespaced, err := kc.Namespaced(gvk)
		if err != nil {
			// A kind the cluster does not serve has nothing to find; apply
			// will report it against the object that needs it.
			continue
		}
		if !namespaced {
			jobs = append(jobs, job{gvk: gvk})
			continue
		}
		items, err := kc.List(ctx, gvk, "", sel)
		if err == nil {
			addAll(items)
			continue
		}
		if !kubeapi.IsForbidden(err) {
			return nil, fmt.Errorf("refresh: list %s: %w", gvk.Kind, kubeapi.Explain(err))
		}
		for ns := range namespaces {
			jobs = append(jobs, job{gvk: gvk, ns: ns})
		}
	}
	sort.Slice(jobs, func(i, j int) bool {
		a, b := jobs[i], jobs[j]
		return a.ns+a.name+a.gvk.String() < b.ns+b.name+b.gvk.String()
	})
	envID := EnvID(e.Env.Lab.Name, e.Env.Name)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(parallelism, 1))
	for _, j := range jobs {
		g.Go(func() error {
			if j.name != "" {
				u, err := kc.Get(gctx, j.gvk, "", j.name)
				switch {
				case err != nil && !kubeapi.IsForbidden(err):
					return fmt.Errorf("refresh: read namespace %q: %w", j.name, kubeapi.Explain(err))
				case u == nil:
					// Absent, or out of sight, which is as good: applying
					// it will say what RBAC refuses.
				case u.GetLabels()[LabelEnv] == envID:
					add(u.GetAnnotations()[AnnotAddress], u)
				case foreign:
					for _, addr := range nsAddrs[j.name] {
						add(addr, u)
					}
				}
				return nil
			}
			items, err := kc.List(gctx, j.gvk, j.ns, sel)
			if kubeapi.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("refresh: list %s in %q: %w", j.gvk.Kind, j.ns, kubeapi.Explain(err))
			}
			addAll(items)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return live, nil
}

// namespacesWanted are the namespaces the configuration asks podlab for
// (the exercises', the seats' own, the probes'), with their addresses.
func (e *Engine) namespacesWanted() map[string][]string {
	out := map[string][]string{}
	for _, in := range e.Env.Instances {
		out[in.Namespace] = append(out[in.Namespace], NamespaceAddress(in))
	}
	for _, seat := range e.Env.Lab.Seats {
		name := e.Env.SeatNamespace(seat)
		out[name] = append(out[name], seatNamespaceAddress(e.Env, seat))
	}
	if name := e.probesNamespaceName(); name != "" {
		out[name] = append(out[name], probesNamespaceAddress(name))
	}
	return out
}

// foreignNamespace reports a live object that refresh found under the
// configuration's address but that is not this environment's.
func (e *Engine) foreignNamespace(live *unstructured.Unstructured) bool {
	return live.GetLabels()[LabelEnv] != EnvID(e.Env.Lab.Name, e.Env.Name)
}
