package kubeapi

import (
	"context"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// WatchedResources are what a namespace watch follows: the pods, what
// the students make and what the checks look at.
var WatchedResources = []schema.GroupVersionResource{podGVR}

// NamespaceWatch follows the pods of a set of namespaces through one
// informer (a list and a watch) per namespace and says which namespace
// changed. The cost at rest is the watches' renewal (client-go's
// reflector re-opens a watch every 5 to 10 minutes): it grows with the
// namespaces, never with the checks.
type NamespaceWatch struct {
	stop chan struct{}
	once sync.Once
}

// WatchNamespaces starts watching namespaces' pods; onChange hears the
// namespace of every add, change and deletion after the initial list.
// It waits for the first lists until ctx ends.
func (c *Client) WatchNamespaces(ctx context.Context, namespaces []string, onChange func(namespace string)) (*NamespaceWatch, error) {
	w := &NamespaceWatch{stop: make(chan struct{})}
	var synced []cache.InformerSynced
	for _, ns := range namespaces {
		for _, gvr := range WatchedResources {
			res := c.Dynamic.Resource(gvr).Namespace(ns)
			lw := &cache.ListWatch{
				ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
					return res.List(ctx, o)
				},
				WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
					return res.Watch(ctx, o)
				},
			}
			inf := cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})
			var ready sync.Once
			live := false
			var mu sync.Mutex
			notify := func(any) {
				mu.Lock()
				l := live
				mu.Unlock()
				if l {
					onChange(ns)
				}
			}
			if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
				AddFunc: notify,
				UpdateFunc: func(old, obj any) {
					// A relist (a watch renewed after its resource
					// version was compacted away) repeats every object
					// unchanged: that is no change to grade.
					if o, ok := old.(*unstructured.Unstructured); ok {
						if n, ok := obj.(*unstructured.Unstructured); ok && o.GetResourceVersion() == n.GetResourceVersion() {
							return
						}
					}
					notify(obj)
				},
				DeleteFunc: notify,
			}); err != nil {
				w.Stop()
				return nil, err
			}
			go inf.Run(w.stop)
			synced = append(synced, func() bool {
				if !inf.HasSynced() {
					return false
				}
				ready.Do(func() { mu.Lock(); live = true; mu.Unlock() })
				return true
			})
		}
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		w.Stop()
		return nil, fmt.Errorf("watch the seats' namespaces: %w", context.Cause(ctx))
	}
	return w, nil
}

// Stop ends the watches.
func (w *NamespaceWatch) Stop() { w.once.Do(func() { close(w.stop) }) }
