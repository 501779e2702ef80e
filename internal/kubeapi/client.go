// Package kubeapi is how podlab talks to a cluster's API: server-side
// apply and its dry run, lists by label, deletes, and waiting by watch for
// objects to become ready or to disappear. It knows nothing of labs.
package kubeapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/podlab/podlab/config/manifest"
)

// FieldManager is the server-side apply manager podlab applies as.
const FieldManager = "podlab"

// Client is a connection to one cluster.
type Client struct {
	REST      *rest.Config
	Dynamic   dynamic.Interface
	Clientset kubernetes.Interface
	Discovery discovery.CachedDiscoveryInterface
	mapper    meta.ResettableRESTMapper
	// ping asks without retrying, so an unreachable cluster says why at
	// once instead of after the retry window.
	ping *rest.Config
	// Counter, when set, counts the requests made (tests and benchmarks).
	Counter *RequestCounter
}

// Options tune a Client.
type Options struct {
	// RetryFor is how long one request keeps being retried through
	// transient failures (connection refused or reset, 429, 5xx).
	RetryFor time.Duration
	Counter  *RequestCounter
}

// New builds a client. Client-side throttling is raised well above
// client-go's defaults (5 QPS), which would make a class of 80 pods crawl;
// the API server's own priority and fairness protects it.
func New(cfg *rest.Config, opts Options) (*Client, error) {
	c := rest.CopyConfig(cfg)
	c.QPS, c.Burst = 100, 200
	c.UserAgent = "podlab"
	ping := rest.CopyConfig(c)
	if opts.RetryFor == 0 {
		opts.RetryFor = 2 * time.Minute
	}
	wrap := c.WrapTransport
	c.WrapTransport = func(rt httpRoundTripper) httpRoundTripper {
		if wrap != nil {
			rt = wrap(rt)
		}
		rt = &retryTransport{next: rt, retryFor: opts.RetryFor}
		if opts.Counter != nil {
			rt = &countingTransport{next: rt, c: opts.Counter}
		}
		return rt
	}
	dyn, err := dynamic.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	disco := memory.NewMemCacheClient(cs.Discovery())
	return &Client{
		REST: c, Dynamic: dyn, Clientset: cs, Discovery: disco, ping: ping,
		mapper:  restmapper.NewDeferredDiscoveryRESTMapper(disco),
		Counter: opts.Counter,
	}, nil
}

// Ping checks that the API server answers, within timeout, and says
// plainly what is wrong when it does not.
func (c *Client) Ping(ctx context.Context, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		pc, err := kubernetes.NewForConfig(c.ping)
		if err != nil {
			ch <- result{err: err}
			return
		}
		body, err := pc.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
		if err != nil {
			ch <- result{err: err}
			return
		}
		ch <- result{v: versionOf(body)}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return "", fmt.Errorf("cannot reach the cluster at %s: %w", c.REST.Host, Explain(r.err))
		}
		return r.v, nil
	case <-ctx.Done():
		return "", fmt.Errorf("cannot reach the cluster at %s: no answer within %s", c.REST.Host, timeout)
	}
}

func versionOf(body []byte) string {
	s := string(body)
	if i := strings.Index(s, `"gitVersion"`); i >= 0 {
		rest := s[i+len(`"gitVersion"`):]
		if j := strings.Index(rest, `"`); j >= 0 {
			rest = rest[j+1:]
			if k := strings.Index(rest, `"`); k >= 0 {
				return rest[:k]
			}
		}
	}
	return ""
}

// Mapping finds the resource of a kind, through discovery (cached). A kind
// the cluster does not serve is reported as such.
func (c *Client) Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// A CRD applied a moment ago is not in the cached discovery yet.
		c.mapper.Reset()
		m, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if meta.IsNoMatchError(err) {
		return nil, fmt.Errorf("the cluster does not serve %s in %s (kubectl api-resources lists what it serves)", gvk.Kind, gvk.GroupVersion())
	}
	return m, err
}

func (c *Client) resourceFor(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	m, err := c.Mapping(gvk)
	if err != nil {
		return nil, nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.Dynamic.Resource(m.Resource).Namespace(namespace), m, nil
	}
	return c.Dynamic.Resource(m.Resource), m, nil
}

// Namespaced tells whether a kind lives in namespaces, by the cluster's
// own word.
func (c *Client) Namespaced(gvk schema.GroupVersionKind) (bool, error) {
	m, err := c.Mapping(gvk)
	if err != nil {
		return false, err
	}
	return m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// Apply applies obj with server-side apply as podlab, taking over fields
// others set (podlab owns what it declares). With dryRun the API server
// runs admission and defaulting but stores nothing.
func (c *Client) Apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	ri, _, err := c.resourceFor(obj.GroupVersionKind(), obj.GetNamespace())
	if err != nil {
		return nil, err
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return ri.Apply(ctx, obj.GetName(), obj, opts)
}

// Get reads one object; nil without error when it does not exist.
func (c *Client) Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	ri, _, err := c.resourceFor(gvk, namespace)
	if err != nil {
		return nil, err
	}
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	if IsNotFound(err) {
		return nil, nil
	}
	return u, err
}

// List lists a kind in a namespace ("" for cluster-scoped kinds or all
// namespaces) by label selector: one request, however many objects match.
func (c *Client) List(ctx context.Context, gvk schema.GroupVersionKind, namespace, selector string) ([]unstructured.Unstructured, error) {
	ri, _, err := c.resourceFor(gvk, namespace)
	if err != nil {
		return nil, err
	}
	list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// Delete deletes an object, in the background for its dependents. A
// missing object counts as deleted. uid, when set, makes sure a newer
// object of the same name is never the one deleted.
func (c *Client) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, uid types.UID, grace *int64) error {
	ri, _, err := c.resourceFor(gvk, namespace)
	if err != nil {
		return err
	}
	bg := metav1.DeletePropagationBackground
	opts := metav1.DeleteOptions{PropagationPolicy: &bg, GracePeriodSeconds: grace}
	if uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	err = ri.Delete(ctx, name, opts)
	if IsNotFound(err) || isUIDMismatch(err) || isTerminating(err) {
		return nil
	}
	return err
}

// Explain turns transport errors into what a person can act on.
func Explain(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection refused: is the cluster running, and is this the right address? (%w)", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("timed out: %w", err)
	}
	var ne *net.DNSError
	if errors.As(err, &ne) {
		return fmt.Errorf("the host name %q does not resolve: %w", ne.Name, err)
	}
	return err
}

// Catalog lists the kinds the cluster serves, from discovery (one call,
// cached with the REST mapper's). A group that fails to answer (an
// aggregated API that is down) leaves its kinds out rather than failing.
func (c *Client) Catalog() (*manifest.Catalog, error) {
	_, lists, err := c.Discovery.ServerGroupsAndResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("listing the kinds the cluster serves: %w", Explain(err))
	}
	cat := manifest.NewCatalog()
	for _, l := range lists {
		gv, perr := schema.ParseGroupVersion(l.GroupVersion)
		if perr != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") { // a subresource
				continue
			}
			cat.Add(gv.WithKind(r.Kind))
		}
	}
	return cat, nil
}
