package kubeapi

import (
	"context"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

var podGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// PodWaiter waits for many pods at once through one watch: a single
// informer over every pod carrying a label selector, across namespaces.
// A class of 80 pods then costs one list and one watch, not 80 of each.
type PodWaiter struct {
	informer cache.SharedIndexInformer
	stop     chan struct{}

	mu      sync.Mutex
	changed map[string]chan struct{} // namespace/name → closed on each change
}

// NewPodWaiter starts watching the pods selector matches in every
// namespace. It fails (so the caller waits pod by pod) where RBAC forbids
// listing pods across the cluster.
func (c *Client) NewPodWaiter(ctx context.Context, selector string) (*PodWaiter, error) {
	if _, err := c.Dynamic.Resource(podGVR).List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 1}); err != nil {
		return nil, err
	}
	// A plain informer over a list-watch of the dynamic client, as
	// dynamicinformer builds one: that package would link every typed
	// informer and lister of client-go (120 packages) into podlab.
	pods := c.Dynamic.Resource(podGVR).Namespace(metav1.NamespaceAll)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = selector
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = selector
			return pods.Watch(ctx, o)
		},
	}
	informer := cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})
	w := &PodWaiter{informer: informer, stop: make(chan struct{}), changed: map[string]chan struct{}{}}
	notify := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if u, ok := obj.(*unstructured.Unstructured); ok {
			w.signal(u.GetNamespace() + "/" + u.GetName())
		}
	}
	_, err := w.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    notify,
		UpdateFunc: func(_, obj any) { notify(obj) },
		DeleteFunc: notify,
	})
	if err != nil {
		return nil, err
	}
	go w.informer.Run(w.stop)
	if !cache.WaitForCacheSync(ctx.Done(), w.informer.HasSynced) {
		close(w.stop)
		return nil, fmt.Errorf("watch pods: %w", ctx.Err())
	}
	return w, nil
}

func (w *PodWaiter) signal(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch, ok := w.changed[key]; ok {
		close(ch)
	}
	w.changed[key] = make(chan struct{})
}

func (w *PodWaiter) next(key string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ok := w.changed[key]
	if !ok {
		ch = make(chan struct{})
		w.changed[key] = ch
	}
	return ch
}

// Wait blocks until the pod (of that uid) meets the readiness rule,
// reporting each status change; it fails when the pod will not become
// ready or disappears. On failure it returns the pod as last seen, if
// any, to explain why.
func (w *PodWaiter) Wait(ctx context.Context, namespace, name string, uid types.UID, report func(string)) (*unstructured.Unstructured, error) {
	key := namespace + "/" + name
	last := ""
	var seen *unstructured.Unstructured
	for {
		changed := w.next(key)
		obj, exists, err := w.informer.GetStore().GetByKey(key)
		if err != nil {
			return nil, err
		}
		if exists {
			u := obj.(*unstructured.Unstructured)
			if uid == "" || u.GetUID() == uid {
				seen = u
				r := ReadinessOf(u)
				if r.Status != last && report != nil {
					report(r.Status)
					last = r.Status
				}
				if r.Fatal != nil {
					return u, r.Fatal
				}
				if r.Ready {
					return u, nil
				}
			}
		} else if seen != nil {
			return nil, fmt.Errorf("pod %s was deleted while podlab waited for it", name)
		}
		select {
		case <-ctx.Done():
			// The pod as last seen says why it is not ready.
			return seen, ctx.Err()
		case <-changed:
		}
	}
}

// Stop ends the watch.
func (w *PodWaiter) Stop() { close(w.stop) }
