package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// Destroy carries out a destroy plan: every object deleted in reverse
// dependency order and awaited until gone, exercise namespaces last; then
// a label query proves that nothing of the environment is left (state may
// have lost track of something after a crash), deleting what is; then the
// cluster itself, when podlab created it.
func (e *Engine) Destroy(ctx context.Context, p *plan.Plan, opts ApplyOptions) (*Result, hcl.Diagnostics) {
	if len(p.Targets) > 0 {
		// A targeted destroy deletes what it planned and nothing more: no
		// sweep by label for the rest of the environment, and the state
		// keeps everything else.
		return e.Apply(ctx, p, opts)
	}
	var res *Result
	var diags hcl.Diagnostics
	if p.Cluster != nil && p.Cluster.Action == plan.Delete && opts.ClusterDeleteWipes {
		// kubeadm reset wipes the cluster's etcd with every object in it:
		// deleting them one by one first would only wait on grace periods.
		res, diags = &Result{}, e.forgetAll(ctx, p, opts.State)
	} else {
		res, diags = e.Apply(ctx, p, opts)
	}
	if diags.HasErrors() || res.Interrupted {
		return res, diags
	}
	if res.Client != nil {
		for round := 0; ; round++ {
			left, err := e.Leftovers(ctx, res.Client, opts.Parallelism)
			if err != nil {
				return res, append(diags, errDiag("Cannot check that the environment is gone", err)...)
			}
			if len(left) == 0 {
				break
			}
			if round == 2 {
				return res, append(diags, errDiag("Objects of the environment are still there",
					fmt.Errorf("after destroy, the cluster still has: %s", describe(left)))...)
			}
			more := &plan.Plan{Destroy: true}
			for _, u := range left {
				more.Changes = append(more.Changes, liveDelete(u.GetAnnotations()[AnnotAddress], &u, "found by label after the planned deletions"))
			}
			sortDeletes(more.Changes)
			r := &run{e: e, p: more, opts: opts, kc: res.Client, ctx: ctx, sem: make(chan struct{}, max(opts.Parallelism, 1))}
			diags = append(diags, r.execute()...)
			res.Destroyed += r.destroyed
			if diags.HasErrors() {
				return res, diags
			}
		}
	}
	if p.Cluster != nil && p.Cluster.Action == plan.Delete {
		rec := func(update func(c *state.Cluster)) error {
			return opts.State.Update(context.WithoutCancel(ctx), func(s *state.State) {
				if s.Cluster == nil {
					s.Cluster = &state.Cluster{Name: e.Env.Cluster.Name, Kind: e.Env.Cluster.Kind}
				}
				update(s.Cluster)
				s.Cluster.UpdatedAt = time.Now().UTC()
			})
		}
		start := time.Now()
		opts.Hooks.ObjectStart("cluster."+p.Cluster.Name, plan.Delete)
		if err := opts.Provider.Destroy(ctx, opts.State.State().Cluster, rec, opts.Hooks); err != nil {
			opts.Hooks.ObjectFailed("cluster."+p.Cluster.Name, plan.Delete, err, time.Since(start))
			return res, append(diags, errDiag(fmt.Sprintf("Failed to destroy cluster %q", p.Cluster.Name), err)...)
		}
		opts.Hooks.ObjectDone("cluster."+p.Cluster.Name, plan.Delete, "", time.Since(start))
		res.Destroyed++
	}
	err := opts.State.Update(context.WithoutCancel(ctx), func(s *state.State) {
		s.Objects = nil
		s.Outputs = nil
		s.Checks = nil
		if s.Cluster != nil && (s.Cluster.Created || s.Cluster.Kind == "kubeconfig") {
			s.Cluster = nil
		}
	})
	if err != nil {
		diags = append(diags, errDiag("Failed to save state", err)...)
	}
	return res, diags
}

// Leftovers lists what the cluster still holds with this environment's
// label: its namespaces, and objects of every kind it ever applied, in any
// namespace it may read.
func (e *Engine) Leftovers(ctx context.Context, kc *kubeapi.Client, parallelism int) ([]unstructured.Unstructured, error) {
	live, err := e.refresh(ctx, kc, parallelism, false)
	if err != nil {
		return nil, err
	}
	out := make([]unstructured.Unstructured, 0, len(live))
	for _, u := range live {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].GetKind()+out[i].GetNamespace()+out[i].GetName() < out[j].GetKind()+out[j].GetNamespace()+out[j].GetName()
	})
	return out, nil
}

func describe(objs []unstructured.Unstructured) string {
	var parts []string
	for _, u := range objs {
		s := u.GetKind() + " " + u.GetName()
		if u.GetNamespace() != "" {
			s += " in " + u.GetNamespace()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
