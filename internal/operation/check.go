package operation

import (
	"context"
	"errors"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

// check is the Check operation: run the checks of what is applied.
func (o *op) check() *Result {
	if len(o.req.State.State().Objects) == 0 {
		return o.failed("nothing is applied in environment %q: run podlab apply first", o.lab.Env.Name)
	}
	return o.runChecks(nil, nil, nil)
}

// selectChecks are the environment's checks: one seat's, with Seat; only
// those of instances, when set. seatFound is false for a Seat the lab
// does not have.
func (o *op) selectChecks(instances map[string]bool) (checks []*config.Check, seatFound bool) {
	seat := o.req.Seat
	seatFound = seat == ""
	for _, in := range o.lab.Env.Instances {
		if seat != "" && (in.Seat == nil || in.Seat.Name != seat) {
			continue
		}
		if instances != nil && !instances[in.Address] {
			continue
		}
		seatFound = true
		checks = append(checks, in.Checks...)
	}
	return checks, seatFound
}

// runChecks runs the selected checks (see selectChecks), records each
// result in state, and shows them. kc, when set, is the client an apply
// just used; pl, when set, has been running the checks during the apply.
func (o *op) runChecks(kc *kubeapi.Client, instances map[string]bool, pl *pipeline) *Result {
	req, env := o.req, o.lab.Env
	checks, seatFound := o.selectChecks(instances)
	if !seatFound {
		return o.failed("the lab has no seat %q", req.Seat)
	}
	if len(checks) == 0 {
		if pl != nil {
			pl.stop()
		}
		o.v.CheckResults(env.Name, nil)
		return &Result{}
	}
	prior := req.State.State()
	if kc == nil {
		if _, err := o.provider(prior.ExpiresAt); err != nil {
			return o.failed("%s", err)
		}
		var err error
		kc, err = o.connect(prior)
		if errors.Is(err, providers.ErrNotCreated) {
			return o.failed("the cluster of environment %q does not exist: run podlab apply first", env.Name)
		}
		if err != nil {
			return o.failed("%s", err)
		}
	}
	if !req.StartSaving() {
		return &Result{Status: Interrupted}
	}
	o.v.ChecksStarting(len(checks))
	var results []*check.Result
	if pl != nil {
		results = pl.wait(kc)
	} else {
		results = o.newRunner(kc).Run(o.ctx, checks)
	}
	o.recordChecks(results)
	o.v.CheckResults(env.Name, results)
	out := &Result{Checks: results}
	for _, r := range results {
		if !r.Passed {
			out.Status = ChecksFailed
		}
	}
	if o.ctx.Err() != nil {
		out.Status = Interrupted
	}
	return out
}

// newRunner is a check runner for the environment, on the cluster kc
// reaches.
func (o *op) newRunner(kc *kubeapi.Client) *check.Runner {
	env := o.lab.Env
	return &check.Runner{
		Client: kc, ProbeImage: env.Lab.ProbeImage, ProbeNamespace: env.ProbeNamespace(),
		Parallelism: max(o.req.Parallelism, 1), Labels: engine.EnvLabels(env),
	}
}

// recordChecks saves check results in state; a failure to save is shown,
// and the results stand.
func (o *op) recordChecks(results []*check.Result) {
	err := o.req.State.Update(context.WithoutCancel(o.ctx), func(s *state.State) {
		for _, r := range results {
			s.SetCheck(&state.CheckResult{
				Address: r.Address, Instance: r.Instance, Seat: r.Seat, Name: r.Name, Kind: r.Kind,
				Passed: r.Passed, Message: r.Message(), Duration: r.Duration, At: r.At,
			})
		}
	})
	if err != nil {
		o.v.Errorf("%s", err)
	}
}
