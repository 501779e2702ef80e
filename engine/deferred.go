package engine

import (
	"fmt"
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
)

// deferred applies an instance whose manifests were not known at plan
// time: now that its dependencies are applied, the lab is evaluated again
// with their values from state, and its objects are applied.
func (r *run) deferred(ch *plan.Change, start time.Time) bool {
	r.opts.Hooks.ObjectStart(ch.Address, plan.Create)
	if r.opts.Reevaluate == nil {
		return r.fail(ch, plan.Create, start, fmt.Errorf("its manifests depend on values known only after apply, and this apply cannot evaluate them"))
	}
	env, diags := r.opts.Reevaluate(StateRuntime{State: r.opts.State.State()})
	if diags.HasErrors() {
		r.mu.Lock()
		r.diags = append(r.diags, diags...)
		r.mu.Unlock()
		return false
	}
	in := env.Instance(ch.Instance)
	if in == nil || in.Deferred {
		return r.fail(ch, plan.Create, start, fmt.Errorf("its manifests are still unknown after the objects they depend on were applied"))
	}
	sub := &Engine{Env: &config.Env{Module: env.Module, Name: env.Name, Lab: env.Lab, Instances: []*config.Instance{in}, Files: env.Files}}
	for _, d := range sub.buildDesired() {
		if d.ExerciseNamespace {
			continue
		}
		oc := newChange(d)
		oc.Action = plan.Create
		r.opts.Hooks.ObjectStart(oc.Address, plan.Create)
		ready, err := r.applyObject(oc, d.Object, start)
		if err != nil {
			return r.fail(oc, plan.Create, start, err)
		}
		r.count(&r.added)
		r.opts.Hooks.ObjectDone(oc.Address, plan.Create, readyDetail(ready), time.Since(start))
	}
	r.opts.Hooks.ObjectDone(ch.Address, plan.Create, "", time.Since(start))
	return true
}
