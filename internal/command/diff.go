package command

import (
	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/plan"
)

// runDiff shows, for a student exercise, how a seat's objects differ from
// the reference: for the instructor, to see why a check fails without
// reading the student's YAML.
func runDiff(m *Meta, args []string) int {
	a, fs, err := arguments.ParseDiff(args)
	if err != nil {
		return parseError(m, "diff", "diff -seat NAME [-exercise NAME] [-json] [-var NAME=VALUE]", fs, err)
	}
	v := m.view(a.View)
	l, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, a.State.Unlocked(), "diff")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	var instances []*config.Instance
	seatFound, exerciseFound := false, a.Exercise == ""
	for _, in := range l.Env.Instances {
		if in.Seat == nil || in.Seat.Name != a.Seat {
			continue
		}
		seatFound = true
		if a.Exercise != "" && in.Exercise.Name != a.Exercise {
			continue
		}
		exerciseFound = true
		if in.Student {
			instances = append(instances, in)
		}
	}
	switch {
	case !seatFound:
		v.Errorf("the lab has no seat %q", a.Seat)
		return ExitError
	case !exerciseFound:
		v.Errorf("the lab has no exercise %q", a.Exercise)
		return ExitError
	case len(instances) == 0:
		v.Errorf("seat %q has no student exercise (mode = \"student\") to compare: podlab applies the others itself, and podlab plan shows their drift", a.Seat)
		return ExitError
	}
	_, kc, err := operation.Connect(m.Ctx, l, mgr, m.getenv, m.Counter)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	var changes []*plan.Change
	for _, in := range instances {
		chs, err := engine.StudentDiff(m.Ctx, kc, in)
		if err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		changes = append(changes, chs...)
	}
	v.SeatDiff(a.Seat, changes)
	for _, ch := range changes {
		if ch.Action != plan.NoOp {
			// As a failing check: 2 when the seat differs.
			return ExitChecksFail
		}
	}
	return ExitOK
}
