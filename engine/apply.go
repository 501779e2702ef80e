package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// ApplyOptions are what apply needs besides the plan.
type ApplyOptions struct {
	Provider    providers.Cluster
	State       *state.Manager
	Parallelism int
	Hooks       Hooks
	// Kill ends in-flight API calls: the second interrupt. The context
	// given to Apply is the first: it stops new work and waiting.
	Kill context.Context
	// ReadyTimeout bounds the wait for one object to be deleted, or for
	// an old one to go before it is created again.
	ReadyTimeout time.Duration
	// CreateTimeout, when set (apply's -create-timeout), bounds the wait
	// for every object to become ready, whatever the lab says; otherwise
	// each exercise's create_timeout does (see createTimeout).
	CreateTimeout time.Duration
	// Reevaluate evaluates the lab again with values from state, for
	// deferred manifests and for outputs; nil skips both.
	Reevaluate func(rt config.Runtime) (*config.Env, hcl.Diagnostics)
	Counter    *kubeapi.RequestCounter
	// GracePeriod, when set, overrides the termination grace period of
	// what destroy deletes.
	GracePeriod *int64
	// Connected, when set, hears the client apply reached the cluster
	// with, before any object is applied: work that overlaps the apply
	// (the checks, started as their objects become ready) starts there.
	Connected func(kc *kubeapi.Client)
	// ClusterDeleteWipes is set when deleting the cluster deletes every
	// object in it (providers.Description.DeleteWipesObjects): a destroy
	// that deletes the cluster then only forgets the objects.
	ClusterDeleteWipes bool
}

// Result tells what an apply did.
type Result struct {
	Added, Changed, Destroyed int
	Interrupted               bool
	Conn                      *providers.Connection
	Client                    *kubeapi.Client
}

// Apply carries out a plan: the cluster first (created if need be, then
// connected to), then every object in dependency order, at most
// Parallelism API calls at a time, recording each in state as soon as it
// changes. It stops starting work when ctx ends and abandons work in
// flight when opts.Kill ends; state is saved either way.
func (e *Engine) Apply(ctx context.Context, p *plan.Plan, opts ApplyOptions) (*Result, hcl.Diagnostics) {
	if opts.Hooks == nil {
		opts.Hooks = NoHooks{}
	}
	if opts.Kill == nil {
		opts.Kill = context.WithoutCancel(ctx)
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 5 * time.Minute
	}
	res := &Result{}
	conn, kc, diags := e.connect(ctx, p, opts)
	if diags.HasErrors() {
		res.Interrupted = ctx.Err() != nil
		return res, diags
	}
	if kc == nil {
		// Destroying, and the cluster is already gone (deleted outside
		// podlab): so is everything in it.
		return res, e.forgetAll(ctx, p, opts.State)
	}
	res.Conn, res.Client = conn, kc
	if opts.Connected != nil {
		opts.Connected(kc)
	}
	if !p.Destroy && !p.RefreshOnly {
		if err := e.RecordLifetime(ctx, opts.State); err != nil {
			return res, errDiag("Failed to save state", err)
		}
	}
	r := &run{e: e, p: p, opts: opts, kc: kc, ctx: ctx, sem: make(chan struct{}, max(opts.Parallelism, 1))}
	diags = append(diags, r.execute()...)
	res.Added, res.Changed, res.Destroyed = r.added, r.changed, r.destroyed
	res.Interrupted = ctx.Err() != nil
	if !p.Destroy && opts.Reevaluate != nil && !res.Interrupted {
		diags = append(diags, e.saveOutputs(ctx, opts)...)
	}
	return res, diags
}

// connect brings the cluster into being when the plan says so and
// returns a client for it.
func (e *Engine) connect(ctx context.Context, p *plan.Plan, opts ApplyOptions) (*providers.Connection, *kubeapi.Client, hcl.Diagnostics) {
	prior := opts.State.State().Cluster
	rec := func(update func(c *state.Cluster)) error {
		return opts.State.Update(ctx, func(s *state.State) {
			if s.Cluster == nil {
				s.Cluster = &state.Cluster{Name: e.Env.Cluster.Name, Kind: e.Env.Cluster.Kind}
			}
			update(s.Cluster)
			s.Cluster.UpdatedAt = time.Now().UTC()
		})
	}
	var conn *providers.Connection
	var err error
	if p.Destroy || p.RefreshOnly {
		// Neither creates a cluster.
		conn, err = opts.Provider.Connect(ctx, prior)
		if errors.Is(err, providers.ErrNotCreated) && p.Destroy {
			return nil, nil, nil
		}
	} else {
		conn, err = opts.Provider.Ensure(ctx, prior, rec, opts.Hooks)
	}
	if err != nil {
		return nil, nil, errDiag(fmt.Sprintf("Could not bring up cluster %q", e.Env.Cluster.Name), err)
	}
	kc, err := kubeapi.New(conn.REST, kubeapi.Options{Counter: opts.Counter})
	if err != nil {
		return nil, nil, errDiag("Cannot reach the cluster", err)
	}
	if _, err := kc.Ping(ctx, 30*time.Second); err != nil {
		return nil, nil, errDiag(fmt.Sprintf("Cannot reach cluster %q", e.Env.Cluster.Name),
			fmt.Errorf("%w. Nothing was changed", err))
	}
	return conn, kc, nil
}

func errDiag(summary string, err error) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: err.Error()}}
}

// run is one apply's worth of tasks.
type run struct {
	e    *Engine
	p    *plan.Plan
	opts ApplyOptions
	kc   *kubeapi.Client
	ctx  context.Context
	sem  chan struct{}

	mu                        sync.Mutex
	diags                     hcl.Diagnostics
	added, changed, destroyed int

	// pods waits for every pod through one watch, once one is needed.
	podsOnce sync.Once
	pods     *kubeapi.PodWaiter
}

type task struct {
	ch   *plan.Change
	deps []*task
	done chan struct{}
	ok   bool
}

// execute builds the task graph and runs it: creations and updates in
// dependency order, then deletions in reverse dependency order.
func (r *run) execute() hcl.Diagnostics {
	tasks := r.graph()
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func(t *task) {
			defer wg.Done()
			defer close(t.done)
			for _, d := range t.deps {
				<-d.done
				if !d.ok {
					return
				}
			}
			if r.ctx.Err() != nil {
				return
			}
			t.ok = r.do(t.ch)
		}(t)
	}
	wg.Wait()
	if r.pods != nil {
		r.pods.Stop()
	}
	return r.diags
}

func (r *run) graph() []*task {
	byAddr := map[string]*task{}
	var creates, deletes []*task
	for _, ch := range r.p.Changes {
		if ch.Action == plan.NoOp && !ch.Adopt && !ch.Forget {
			continue
		}
		t := &task{ch: ch, done: make(chan struct{})}
		if ch.Action == plan.Delete || ch.Forget {
			deletes = append(deletes, t)
		} else {
			creates = append(creates, t)
			byAddr[ch.Address] = t
		}
	}
	for _, t := range creates {
		for _, d := range t.ch.DependsOn {
			if dt, ok := byAddr[d]; ok {
				t.deps = append(t.deps, dt)
			}
		}
	}
	// A deletion waits for every creation (a replacement may reuse a name)
	// and for the deletion of whatever depends on its object: objects
	// before their namespace, higher-ranked kinds before lower.
	delByAddr := map[string]*task{}
	for _, t := range deletes {
		delByAddr[t.ch.Address] = t
	}
	for _, t := range deletes {
		t.deps = append(t.deps, creates...)
		for _, o := range deletes {
			if o == t {
				continue
			}
			if dependsOnAddr(o.ch, t.ch.Address) || deletedBefore(o.ch, t.ch) {
				t.deps = append(t.deps, o)
			}
		}
	}
	return append(creates, deletes...)
}

func dependsOnAddr(ch *plan.Change, addr string) bool {
	for _, d := range ch.DependsOn {
		if d == addr {
			return true
		}
	}
	return false
}

// deletedBefore: within a namespace, o goes before t when t is the
// namespace itself or o's kind ranks higher (pods before config maps).
func deletedBefore(o, t *plan.Change) bool {
	if t.Kind == "Namespace" && t.Namespace == "" {
		return o.Namespace == t.Name
	}
	return o.Namespace != "" && o.Namespace == t.Namespace && rank(o.Kind) > rank(t.Kind)
}

func (r *run) acquire() bool {
	select {
	case r.sem <- struct{}{}:
		return true
	case <-r.ctx.Done():
		return false
	}
}

func (r *run) release() { <-r.sem }

func (r *run) fail(ch *plan.Change, action plan.Action, start time.Time, err error) bool {
	if r.ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Interrupted: not a failure of the object; the next plan resumes.
		r.opts.Hooks.ObjectFailed(ch.Address, action, ErrInterrupted, time.Since(start))
		return false
	}
	r.opts.Hooks.ObjectFailed(ch.Address, action, err, time.Since(start))
	r.mu.Lock()
	r.diags = append(r.diags, r.e.objectDiag(ch, action, err))
	r.mu.Unlock()
	return false
}

// do carries out one change and reports whether it succeeded.
func (r *run) do(ch *plan.Change) bool {
	start := time.Now()
	switch {
	case ch.Forget:
		return r.record(ch, func(s *state.State) { s.RemoveObject(ch.Address) }) == nil
	case ch.Adopt && ch.Action == plan.NoOp:
		return r.adopt(ch)
	case ch.Deferred:
		return r.deferred(ch, start)
	}
	r.opts.Hooks.ObjectStart(ch.Address, ch.Action)
	switch ch.Action {
	case plan.Delete:
		if err := r.remove(ch, types.UID(ch.UID)); err != nil {
			return r.fail(ch, ch.Action, start, err)
		}
		r.count(&r.destroyed)
		r.opts.Hooks.ObjectDone(ch.Address, ch.Action, "", time.Since(start))
		return true
	case plan.Replace:
		if err := r.remove(ch, types.UID(ch.UID)); err != nil {
			return r.fail(ch, ch.Action, start, err)
		}
		r.count(&r.destroyed)
	}
	obj := &unstructured.Unstructured{}
	if err := json.Unmarshal(ch.Manifest, &obj.Object); err != nil {
		return r.fail(ch, ch.Action, start, fmt.Errorf("the plan's manifest does not decode: %w", err))
	}
	ready, err := r.applyObject(ch, obj, start)
	if err != nil {
		return r.fail(ch, ch.Action, start, err)
	}
	switch ch.Action {
	case plan.Update:
		r.count(&r.changed)
	default:
		r.count(&r.added)
	}
	r.opts.Hooks.ObjectDone(ch.Address, ch.Action, readyDetail(ready), time.Since(start))
	return true
}

func (r *run) count(n *int) {
	r.mu.Lock()
	*n++
	r.mu.Unlock()
}

// applyObject applies one object, records it, and waits for it to be
// ready, recording what outputs need (a pod's IP) once it is.
func (r *run) applyObject(ch *plan.Change, obj *unstructured.Unstructured, start time.Time) (*unstructured.Unstructured, error) {
	gvk := obj.GroupVersionKind()
	if ch.Terminating {
		wctx, cancel := context.WithTimeout(r.ctx, r.opts.ReadyTimeout)
		err := r.kc.WaitGone(wctx, gvk, obj.GetNamespace(), obj.GetName(), types.UID(ch.UID))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("waiting for the old %s to go: %w", gvk.Kind, err)
		}
	}
	if !r.acquire() {
		return nil, context.Canceled
	}
	applied, err := r.kc.Apply(r.opts.Kill, obj, false)
	for attempt := 0; err != nil && kubeapi.IsMissingServiceAccount(err) && attempt < 5; attempt++ {
		r.release()
		r.opts.Hooks.ObjectStatus(ch.Address, ch.Action, "waiting for the namespace's service account", time.Since(start))
		wctx, cancel := context.WithTimeout(r.ctx, time.Minute)
		werr := r.kc.WaitServiceAccount(wctx, obj.GetNamespace(), "default")
		cancel()
		if werr != nil {
			return nil, fmt.Errorf("the namespace's default service account did not appear: %w", werr)
		}
		if !r.acquire() {
			return nil, context.Canceled
		}
		applied, err = r.kc.Apply(r.opts.Kill, obj, false)
	}
	r.release()
	if err != nil {
		return nil, err
	}
	if err := r.record(ch, func(s *state.State) { s.SetObject(stateObject(ch, applied, nil)) }); err != nil {
		return nil, err
	}
	timeout := r.createTimeout(ch)
	wctx, cancel := context.WithTimeout(r.ctx, timeout)
	defer cancel()
	report := func(status string) { r.opts.Hooks.ObjectStatus(ch.Address, ch.Action, status, time.Since(start)) }
	if ch.ExerciseNamespace {
		// A namespace is ready for pods once its default service account
		// exists.
		if err := r.kc.WaitServiceAccount(wctx, obj.GetName(), "default"); err != nil {
			return nil, fmt.Errorf("the namespace's default service account did not appear: %w", err)
		}
		return applied, nil
	}
	var ready *unstructured.Unstructured
	isPod := applied.GetAPIVersion() == "v1" && applied.GetKind() == "Pod"
	if isPod {
		report = r.watchWarnings(wctx, applied, report)
	}
	if w := r.podWaiter(); w != nil && isPod {
		ready, err = w.Wait(wctx, applied.GetNamespace(), applied.GetName(), applied.GetUID(), report)
	} else {
		ready, err = r.kc.WaitReady(wctx, applied, report)
	}
	if err != nil {
		if r.ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted while waiting for it to be ready: %w", context.Canceled)
		}
		return nil, r.notReady(ready, timeout, wctx.Err() != nil, err)
	}
	if attrs := observedAttributes(ready); len(attrs) > 0 {
		if err := r.record(ch, func(s *state.State) { s.SetObject(stateObject(ch, ready, attrs)) }); err != nil {
			return nil, err
		}
	}
	return ready, nil
}

// podWaiter is the run's shared watch on the environment's pods, or nil
// where RBAC allows only watching pod by pod.
func (r *run) podWaiter() *kubeapi.PodWaiter {
	r.podsOnce.Do(func() {
		w, err := r.kc.NewPodWaiter(r.ctx, EnvSelector(r.e.Env.Lab.Name, r.e.Env.Name))
		if err == nil {
			r.pods = w
		}
	})
	return r.pods
}

// remove deletes an object and waits, by watch, until it is gone.
func (r *run) remove(ch *plan.Change, uid types.UID) error {
	gvk := schema.FromAPIVersionAndKind(ch.APIVersion, ch.Kind)
	if !r.acquire() {
		return context.Canceled
	}
	err := r.kc.Delete(r.opts.Kill, gvk, ch.Namespace, ch.Name, uid, r.opts.GracePeriod)
	r.release()
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(r.ctx, r.opts.ReadyTimeout)
	defer cancel()
	if err := r.kc.WaitGone(wctx, gvk, ch.Namespace, ch.Name, uid); err != nil {
		return fmt.Errorf("deleted, but still there: %w", err)
	}
	return r.record(ch, func(s *state.State) { s.RemoveObject(ch.Address) })
}

func (r *run) adopt(ch *plan.Change) bool {
	obj := &unstructured.Unstructured{}
	_ = json.Unmarshal(ch.Manifest, &obj.Object)
	obj.SetUID(types.UID(ch.UID))
	return r.record(ch, func(s *state.State) { s.SetObject(stateObject(ch, obj, nil)) }) == nil
}

// record saves a state change. State is written even after an interrupt.
func (r *run) record(ch *plan.Change, fn func(*state.State)) error {
	if err := r.opts.State.Update(context.WithoutCancel(r.ctx), fn); err != nil {
		r.mu.Lock()
		r.diags = append(r.diags, errDiag("Failed to save state", fmt.Errorf("%s: %w", ch.Address, err))...)
		r.mu.Unlock()
		return err
	}
	return nil
}

func stateObject(ch *plan.Change, u *unstructured.Unstructured, attrs map[string]string) *state.Object {
	return &state.Object{
		Address: ch.Address, Instance: ch.Instance, Seat: ch.Seat,
		APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(),
		UID: string(u.GetUID()), ExerciseNamespace: ch.ExerciseNamespace, ManifestHash: ch.ManifestHash,
		Attributes: attrs, Dependencies: ch.DependsOn,
	}
}

// observedAttributes keeps what outputs may use.
func observedAttributes(u *unstructured.Unstructured) map[string]string {
	if u.GetAPIVersion() != "v1" || u.GetKind() != "Pod" {
		return nil
	}
	attrs := map[string]string{}
	if ip, _, _ := unstructured.NestedString(u.Object, "status", "podIP"); ip != "" {
		attrs["ip"] = ip
	}
	if n, _, _ := unstructured.NestedString(u.Object, "spec", "nodeName"); n != "" {
		attrs["node"] = n
	}
	if ph, _, _ := unstructured.NestedString(u.Object, "status", "phase"); ph != "" {
		attrs["phase"] = ph
	}
	return attrs
}

func readyDetail(u *unstructured.Unstructured) string {
	if u == nil {
		return ""
	}
	if a := observedAttributes(u); a["ip"] != "" {
		return fmt.Sprintf("ready, %s on %s", a["ip"], a["node"])
	}
	return ""
}

// saveOutputs evaluates the outputs with what apply learned and keeps them
// in state.
func (e *Engine) saveOutputs(ctx context.Context, opts ApplyOptions) hcl.Diagnostics {
	env, diags := opts.Reevaluate(StateRuntime{State: opts.State.State()})
	if diags.HasErrors() || env == nil {
		return diags
	}
	outs, err := outputsForState(env)
	if err != nil {
		return append(diags, errDiag("Failed to record outputs", err)...)
	}
	if err := opts.State.Update(context.WithoutCancel(ctx), func(s *state.State) { s.Outputs = outs }); err != nil {
		return append(diags, errDiag("Failed to save state", err)...)
	}
	return diags
}

// RecordLifetime notes when the environment was first applied and, from
// the lab's ttl, when it expires (a changed ttl moves the expiry).
func (e *Engine) RecordLifetime(ctx context.Context, mgr *state.Manager) error {
	st := mgr.State()
	created, expires := e.Lifetime(st)
	if st.CreatedAt != nil && timesEqual(st.ExpiresAt, expires) {
		return nil
	}
	return mgr.Update(context.WithoutCancel(ctx), func(s *state.State) {
		s.CreatedAt, s.ExpiresAt = created, expires
	})
}

func timesEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// Lifetime is when the environment was first applied (now, if it has
// not been yet) and when it expires by the lab's ttl (nil without one).
func (e *Engine) Lifetime(st *state.State) (created, expires *time.Time) {
	created = st.CreatedAt
	if created == nil {
		now := e.started
		if now.IsZero() {
			now = time.Now().UTC().Truncate(time.Second)
		}
		created = &now
	}
	if e.Env.Lab.TTL > 0 {
		t := created.Add(e.Env.Lab.TTL)
		expires = &t
	}
	return created, expires
}

// forgetAll removes the plan's objects from state without asking any
// cluster: used when the cluster itself is gone or about to be wiped.
func (e *Engine) forgetAll(ctx context.Context, p *plan.Plan, mgr *state.Manager) hcl.Diagnostics {
	err := mgr.Update(context.WithoutCancel(ctx), func(s *state.State) {
		for _, ch := range p.Changes {
			s.RemoveObject(ch.Address)
		}
	})
	if err != nil {
		return errDiag("Failed to save state", err)
	}
	return nil
}
