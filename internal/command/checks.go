package command

import (
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/operation"
)

func runCheck(m *Meta, args []string) int {
	a, fs, err := arguments.ParseCheck(args)
	if err != nil {
		return parseError(m, "check", "check [-var NAME=VALUE] [-junit FILE] [-json] [-seat NAME]", fs, err)
	}
	v := m.view(a.View)
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State, "check")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	ov := m.operationView(v, l)
	req := m.request(operation.Check, l, mgr, &operation.Request{
		Parallelism: a.Parallelism, Seat: a.Seat,
	})
	var res *operation.Result
	if a.Watch {
		res = operation.Watch(m.Ctx, req, operation.WatchOptions{Interval: a.WatchInterval}, ov)
	} else {
		res = operation.Run(m.Ctx, req, ov)
		operation.ShowProgress(ov, l, mgr.State(), res.Checks)
	}
	if res.Status == operation.Failed || len(res.Checks) == 0 {
		return exitCode(res.Status)
	}
	if a.JUnit != "" {
		if err := views.WriteJUnit(a.JUnit, l.Env.Name, res.Checks); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("Wrote JUnit results to %s.\n", a.JUnit)
	}
	if a.Report != "" {
		if err := views.WriteReport(a.Report, l.Env.Lab.Name, l.Env.Name, res.Checks, v.Language()); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("Wrote the grading report to %s.\n", a.Report)
	}
	if a.CSV != "" {
		st := mgr.State()
		if err := views.WriteCSV(a.CSV, views.ProgressRows(l.Env.Name, st.Progress, l.Env.Lab.StuckAfter, time.Now())); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		v.Printf("Wrote the progress of %d checks to %s.\n", len(st.Progress), a.CSV)
	}
	return exitCode(res.Status)
}
