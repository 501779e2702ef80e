package command

import (
	"context"
	"errors"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/kubeapi"
	"github.com/podlab/podlab/providers"
	"github.com/podlab/podlab/state"
)

func runCheck(m *Meta, args []string) int {
	a, fs, err := arguments.ParseCheck(args)
	if err != nil {
		return parseError(m, "check", "check [-var NAME=VALUE] [-junit FILE] [-json] [-seat NAME]", fs, err)
	}
	v := m.view(a.View)
	l, diags := m.load(m.dir(a.Common), a.Vars, a.Workspace, false)
	v.Diagnostics(diags, l.files)
	if diags.HasErrors() {
		return ExitError
	}
	mgr, err := m.openState(l, a.State, "check")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	if len(mgr.State().Objects) == 0 {
		v.Errorf("nothing is applied in environment %q: run podlab apply first", l.env.Name)
		return ExitError
	}
	return m.runChecks(v, l, mgr, checkRequest{parallelism: a.Parallelism, junit: a.JUnit, seat: a.Seat, report: a.Report})
}

type checkRequest struct {
	parallelism int
	junit       string
	report      string
	seat        string
	// instances, when set, limits the checks to these instances: those a
	// targeted apply kept.
	instances map[string]bool
	client    *kubeapi.Client
}

// runChecks runs the environment's checks, records each result in state,
// and shows them; it exits 2 when one fails.
func (m *Meta) runChecks(v *views.View, l *loaded, mgr *state.Manager, req checkRequest) int {
	var checks []*config.Check
	seatFound := req.seat == ""
	for _, in := range l.env.Instances {
		if req.seat != "" && (in.Seat == nil || in.Seat.Name != req.seat) {
			continue
		}
		if req.instances != nil && !req.instances[in.Address] {
			continue
		}
		seatFound = true
		checks = append(checks, in.Checks...)
	}
	if !seatFound {
		v.Errorf("the lab has no seat %q", req.seat)
		return ExitError
	}
	if len(checks) == 0 {
		v.CheckResults(l.env.Name, nil)
		return ExitOK
	}
	kc := req.client
	if kc == nil {
		prov, err := m.provider(l)
		if err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		kc, err = m.connect(prov, mgr.State(), nil)
		if errors.Is(err, providers.ErrNotCreated) {
			v.Errorf("the cluster of environment %q does not exist: run podlab apply first", l.env.Name)
			return ExitError
		}
		if err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
	}
	if !m.startSaving() {
		return ExitInterrupted
	}
	v.Printf("\n%s\n", v.T("Running %d checks...", len(checks)))
	runner := &check.Runner{
		Client: kc, ProbeImage: l.env.Lab.ProbeImage, ProbeNamespace: l.env.ProbeNamespace(), Parallelism: req.parallelism,
		Labels: map[string]string{engine.LabelEnv: engine.EnvID(l.env.Lab.Name, l.env.Name), engine.LabelManagedBy: "podlab"},
	}
	results := runner.Run(m.Ctx, checks)
	err := mgr.Update(context.WithoutCancel(m.Ctx), func(s *state.State) {
		for _, r := range results {
			s.SetCheck(&state.CheckResult{
				Address: r.Address, Instance: r.Instance, Seat: r.Seat, Name: r.Name, Kind: r.Kind,
				Passed: r.Passed, Message: r.Message(), Duration: r.Duration, At: r.At,
			})
		}
	})
	if err != nil {
		v.Errorf("%s", err)
	}
	v.CheckResults(l.env.Name, results)
	if req.junit != "" {
		if err := views.WriteJUnit(req.junit, l.env.Name, results); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("Wrote JUnit results to %s.\n", req.junit)
	}
	if req.report != "" {
		if err := views.WriteReport(req.report, l.env.Lab.Name, l.env.Name, results, v.Language()); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("Wrote the grading report to %s.\n", req.report)
	}
	if m.Ctx.Err() != nil {
		return ExitInterrupted
	}
	for _, r := range results {
		if !r.Passed {
			return ExitChecksFail
		}
	}
	return ExitOK
}
