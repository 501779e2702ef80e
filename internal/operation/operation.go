// Package operation runs podlab's operations on one environment: plan,
// apply, destroy and check. A command parses its arguments, loads the lab,
// opens its state and hands one Request to Run; everything between (the
// provider, the connection, refresh, the plan, the guards on it, apply,
// the lifetime, the checks and their record) happens here, in order, and
// everything shown goes through the command's View.
//
// The shape is Terraform's internal/backend/local under internal/command.
package operation

import (
	"context"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/providers/factory"
	"github.com/podlab/podlab/state"
)

// Mode is what an operation does.
type Mode int

// The operations.
const (
	// Plan says what apply would do (with Destroy, what destroy would).
	Plan Mode = iota
	// Apply plans (or takes a saved plan), asks, applies, shows the
	// outputs and runs the checks.
	Apply
	// Destroy plans the deletion of everything, asks and deletes.
	Destroy
	// Check runs the checks against what exists and records them.
	Check
)

// Request is one operation on one environment.
type Request struct {
	Mode Mode
	Lab  *Lab
	// State is the environment's state, opened (and locked, when the
	// operation writes) by the command.
	State   *state.Manager
	Version string

	// Refresh asks the cluster what it holds before planning.
	Refresh bool
	// Destroy makes a Plan operation plan a destroy.
	Destroy     bool
	RefreshOnly bool
	Replace     []string
	Target      []string
	Parallelism int
	// Saved is a saved plan to apply exactly (Apply only).
	Saved *plan.Plan

	AutoApprove  bool
	AllowOverCap bool
	// Timeout bounds an apply or destroy as a whole; CreateTimeout bounds
	// the wait for objects to become ready; GracePeriod overrides the
	// termination grace period of what is deleted.
	Timeout       time.Duration
	CreateTimeout time.Duration
	GracePeriod   *int64

	// Checks runs the checks after an apply.
	Checks bool
	// Seat limits a Check operation to one seat's checks.
	Seat string

	// Kill ends work in flight: the second interrupt. The context given
	// to Run is the first.
	Kill context.Context
	// StartSaving marks the point from which an interrupt lets the work
	// in flight finish and be recorded; it reports false when an
	// interrupt came first, and the operation then changes nothing.
	StartSaving func() bool
	// Counter counts the Kubernetes API requests made (benchmarks).
	Counter *kubeapi.RequestCounter
	// Getenv reads podlab's environment.
	Getenv func(string) string
}

// Status is how an operation ended.
type Status int

// How operations end.
const (
	OK Status = iota
	// Failed: an error was shown.
	Failed
	// ChecksFailed: every step worked and at least one check failed.
	ChecksFailed
	// Interrupted: a signal stopped the operation; state is saved.
	Interrupted
	// Cancelled: the user did not approve.
	Cancelled
)

// Result is what an operation did.
type Result struct {
	Status Status
	// Plan is the plan made (or applied).
	Plan *plan.Plan
	// Applied is what apply or destroy did, when it ran.
	Applied *engine.Result
	// Checks are the results of the checks run.
	Checks []*check.Result
}

// View is what an operation shows, in the order it happens. The human
// and JSON renderings both implement it.
type View interface {
	// Diagnostics shows warnings and errors, pointing into the lab.
	Diagnostics(diags hcl.Diagnostics)
	// Errorf shows an error that points at no file.
	Errorf(format string, args ...any)
	// Plan shows a plan.
	Plan(p *plan.Plan)
	// Confirm asks the user to approve what was shown; false cancels.
	Confirm(question string) bool
	// Cancelled says the user did not approve.
	Cancelled(m Mode)
	// Progress shows the work of an apply or destroy as it happens.
	Progress() Progress
	// Interrupted says a signal stopped the operation, and what follows.
	Interrupted(detail string)
	// ApplyFailed says an apply stopped on an error, after doing res.
	ApplyFailed(res *engine.Result)
	// Applied says an apply finished.
	Applied(p *plan.Plan, res *engine.Result)
	// Destroyed says a destroy finished.
	Destroyed(p *plan.Plan, res *engine.Result)
	// Outputs shows the outputs recorded in st.
	Outputs(st *state.State)
	// ChecksStarting says how many checks are about to run.
	ChecksStarting(n int)
	// CheckResults shows the results of the checks of environment env.
	CheckResults(env string, results []*check.Result)
}

// Progress hears what apply and destroy are doing; Close ends it.
type Progress interface {
	engine.Hooks
	Close()
}

// Run carries out one request, showing everything through v.
func Run(ctx context.Context, req *Request, v View) *Result {
	if req.Kill == nil {
		req.Kill = context.WithoutCancel(ctx)
	}
	if req.StartSaving == nil {
		req.StartSaving = func() bool { return ctx.Err() == nil }
	}
	if req.Getenv == nil {
		req.Getenv = func(string) string { return "" }
	}
	o := &op{req: req, v: v, ctx: ctx, lab: req.Lab}
	switch req.Mode {
	case Apply:
		return o.apply()
	case Destroy:
		return o.destroy()
	case Check:
		return o.check()
	default:
		return o.plan()
	}
}

// op is one running operation.
type op struct {
	req *Request
	v   View
	ctx context.Context
	lab *Lab
	// prov is the environment's provider, built once (see provider).
	prov providers.Cluster
}

func (o *op) failed(format string, args ...any) *Result {
	o.v.Errorf(format, args...)
	return &Result{Status: Failed}
}

// provider builds the environment's provider once, labelled with the
// environment's expiry when known.
func (o *op) provider(expires *time.Time) (providers.Cluster, error) {
	if o.prov != nil {
		return o.prov, nil
	}
	p, err := NewProvider(o.lab, o.req.State, expires, o.req.Getenv)
	o.prov = p
	return p, err
}

// NewProvider builds the provider of a loaded lab's environment, its
// files kept beside the environment's state.
func NewProvider(l *Lab, mgr *state.Manager, expires *time.Time, getenv func(string) string) (providers.Cluster, error) {
	return factory.New(l.Env.Cluster, providers.Options{
		Lab: l.Env.Lab.Name, Env: l.Env.Name, LabDir: l.Dir, WorkDir: l.WorkDir(mgr.Backend()),
		ExpiresAt: expires, Getenv: getenv,
	})
}

// Reevaluate evaluates the lab again with runtime values (from state and
// the cluster).
func (l *Lab) Reevaluate(rt config.Runtime) (*config.Env, hcl.Diagnostics) {
	return config.Evaluate(l.Module, config.EvalOptions{Inputs: l.Inputs, Workspace: l.Workspace, Cluster: l.Cluster, Runtime: rt})
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// Connect reaches the environment's existing cluster, for commands that
// read or hand out what is there (kubeconfig, handout, diff): its provider,
// built once, and a client on the provider's connection.
func Connect(ctx context.Context, l *Lab, mgr *state.Manager, getenv func(string) string, counter *kubeapi.RequestCounter) (providers.Cluster, *kubeapi.Client, error) {
	st := mgr.State()
	prov, err := NewProvider(l, mgr, st.ExpiresAt, getenv)
	if err != nil {
		return nil, nil, err
	}
	conn, err := prov.Connect(ctx, st.Cluster)
	if err != nil {
		return nil, nil, err
	}
	kc, err := kubeapi.New(conn.REST, kubeapi.Options{Counter: counter})
	if err != nil {
		return nil, nil, err
	}
	return prov, kc, nil
}
