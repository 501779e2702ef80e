package operation

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
)

// maxWarmNodes bounds how many nodes get a probe pod before any check
// asks for one: every node of a small cluster (the pods' nodes are not
// known until they are scheduled), none of a large one, where the checks
// start the probes they need as before.
const maxWarmNodes = 8

// pipeline runs an apply's checks while the apply goes on: each
// instance's checks start as soon as every object of the instance that
// the plan changes is ready, and node-side probe pods start as soon as
// their namespace exists. The results are shown only after the apply's
// summary, so the output reads as before.
type pipeline struct {
	ctx    context.Context
	cancel context.CancelFunc
	env    *config.Env
	checks []*config.Check
	par    int
	engine.Hooks

	mu sync.Mutex
	// pending are, per instance, the addresses still to become ready.
	pending map[string]map[string]bool
	// started are the instances whose checks have started.
	started map[string]bool
	// probeNS is the change that makes the probes' namespace, if planned.
	probeNS string
	runner  *check.Runner
	// sem bounds the checks running at once, as check.Runner.Run does.
	sem     chan struct{}
	results []*check.Result
	wg      sync.WaitGroup
}

// newPipeline prepares the checks of instances (all, when nil) to run
// during the apply of p, its hooks wrapping hooks.
func (o *op) newPipeline(p *plan.Plan, instances map[string]bool, hooks engine.Hooks) *pipeline {
	ctx, cancel := context.WithCancel(o.ctx)
	pl := &pipeline{ctx: ctx, cancel: cancel, env: o.lab.Env, par: o.req.Parallelism, Hooks: hooks,
		pending: map[string]map[string]bool{}, started: map[string]bool{}}
	pl.checks, _ = o.selectChecks(instances)
	for _, c := range pl.checks {
		pl.pending[c.Instance.Address] = map[string]bool{}
	}
	pl.results = make([]*check.Result, len(pl.checks))
	pl.runner = o.newRunner(nil)
	pl.sem = make(chan struct{}, pl.runner.Parallelism)
	pl.runner.Prepare(pl.checks)
	for _, ch := range p.Changes {
		if ch.Action == plan.NoOp || ch.Action == plan.Delete || ch.Forget {
			continue
		}
		if waits, ok := pl.pending[ch.Instance]; ok {
			waits[ch.Address] = true
		}
		if ch.Kind == "Namespace" && ch.Namespace == "" && ch.Name == pl.runner.ProbeNamespaceInUse() {
			pl.probeNS = ch.Address
		}
	}
	return pl
}

// connected starts what needs only the cluster: the checks of instances
// the plan leaves as they are, and the probes when their namespace
// exists already.
func (pl *pipeline) connected(kc *kubeapi.Client) {
	pl.mu.Lock()
	pl.runner.Client = kc
	pl.mu.Unlock()
	if pl.probeNS == "" {
		pl.warm()
	}
	for in := range pl.pending {
		pl.ready(in, "")
	}
}

// ObjectDone hears an object become ready, and starts the checks of its
// instance once it was the last one they waited for.
func (pl *pipeline) ObjectDone(addr string, a plan.Action, detail string, elapsed time.Duration) {
	pl.Hooks.ObjectDone(addr, a, detail, elapsed)
	if a == plan.Delete {
		return
	}
	if addr == pl.probeNS {
		pl.warm()
	}
	var ins []string
	pl.mu.Lock()
	for in, waits := range pl.pending {
		if waits[addr] {
			ins = append(ins, in)
		}
	}
	pl.mu.Unlock()
	for _, in := range ins {
		pl.ready(in, addr)
	}
}

// ready marks addr of instance in ready and starts the instance's checks
// when nothing else is awaited.
func (pl *pipeline) ready(in, addr string) {
	pl.mu.Lock()
	waits := pl.pending[in]
	delete(waits, addr)
	if len(waits) > 0 || pl.started[in] || pl.runner.Client == nil {
		pl.mu.Unlock()
		return
	}
	pl.started[in] = true
	pl.mu.Unlock()
	for i, c := range pl.checks {
		if c.Instance.Address != in {
			continue
		}
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			select {
			case pl.sem <- struct{}{}:
				defer func() { <-pl.sem }()
			case <-pl.ctx.Done():
				// Interrupted: One answers at once, with what it saw.
			}
			pl.results[i] = pl.runner.One(pl.ctx, c)
		}()
	}
}

// warm starts a probe pod on every node of a small cluster, in the
// background, when some check is made from a node.
func (pl *pipeline) warm() {
	if !check.FromNode(pl.checks) {
		return
	}
	pl.wg.Add(1)
	go func() {
		defer pl.wg.Done()
		nodes, err := pl.runner.Client.Clientset.CoreV1().Nodes().List(pl.ctx, metav1.ListOptions{})
		if err != nil || len(nodes.Items) > maxWarmNodes {
			return
		}
		var wg sync.WaitGroup
		for _, n := range nodes.Items {
			if !nodeReady(&n) || n.Spec.Unschedulable {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				pl.runner.Warm(pl.ctx, n.Name)
			}()
		}
		wg.Wait()
	}()
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// stop abandons the checks: the apply failed or was interrupted.
func (pl *pipeline) stop() {
	pl.cancel()
	pl.wg.Wait()
}

// wait runs what has not started yet (nothing should be left once the
// apply succeeded; this is the safety net) and returns every result, in
// the lab's order.
func (pl *pipeline) wait(kc *kubeapi.Client) []*check.Result {
	pl.mu.Lock()
	if pl.runner.Client == nil {
		pl.runner.Client = kc
	}
	var left []string
	for in := range pl.pending {
		if !pl.started[in] {
			left = append(left, in)
			pl.pending[in] = map[string]bool{}
		}
	}
	pl.mu.Unlock()
	for _, in := range left {
		pl.ready(in, "")
	}
	pl.wg.Wait()
	pl.cancel()
	return pl.results
}
