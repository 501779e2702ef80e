package command

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/state"
)

func runStatus(m *Meta, args []string) int {
	a, fs, err := arguments.ParseStatus(args)
	if err != nil {
		return parseError(m, "status", "status [-var NAME=VALUE] [-workspace NAME] [-json]", fs, err)
	}
	v := m.view(a.View)
	dir := m.dir(a.Common)
	if err := config.ValidateWorkspace(a.Workspace); err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	// Loaded as validate loads it: status reads every environment's state,
	// so variables only one environment needs (a GKE project) may be
	// unset; the lab's name and language still come from its own code.
	l, ok := m.loadLab(v, dir, a.Vars, config.EvalOptions{Workspace: a.Workspace, Validate: true})
	if !ok {
		return ExitError
	}
	b, envs, ok := m.environmentsOf(v, l)
	if !ok {
		return ExitError
	}
	now := time.Now()
	stuckAfter, _ := time.ParseDuration(config.DefaultStuckAfter)
	if l.Env != nil {
		stuckAfter = l.Env.Lab.StuckAfter
	}
	var rows []views.StatusRow
	var csvRows [][]string
	for _, env := range envs {
		if !inWorkspace(env, a.Workspace) {
			continue
		}
		r := views.StatusRow{Environment: env}
		st, err := b.Read(m.Ctx, env)
		if err != nil || st == nil {
			r.Error = fmt.Sprint(err)
			rows = append(rows, r)
			continue
		}
		if st.Cluster != nil {
			r.Cluster, r.Created = st.Cluster.Kind, st.Cluster.Created
		}
		r.Objects = len(st.Objects)
		seats := map[string]bool{}
		for _, o := range st.Objects {
			if o.Seat != "" {
				seats[o.Seat] = true
			}
		}
		r.Seats = len(seats)
		for _, c := range st.Checks {
			if c.Passed {
				r.Passed++
			} else {
				r.Failed++
			}
		}
		r.Stuck = views.StuckSeats(st.Progress, stuckAfter, now)
		r.SeatsDone, r.MedianDone = views.SeatsDone(st.Progress)
		csvRows = append(csvRows, views.ProgressRows(env, st.Progress, stuckAfter, now)...)
		r.ExpiresAt = st.ExpiresAt
		r.Expired = expired(st, now)
		rows = append(rows, r)
	}
	name := filepath.Base(dir)
	if abs, err := filepath.Abs(dir); err == nil {
		name = filepath.Base(abs)
	}
	if l.Env != nil && l.Env.Lab.Name != "" {
		name = l.Env.Lab.Name
	}
	v.Status(name, rows, now)
	if a.CSV != "" {
		if err := views.WriteCSV(a.CSV, csvRows); err != nil {
			v.Errorf("%s", err)
			return ExitError
		}
		if !a.JSON {
			v.Printf("Wrote the progress of %d checks to %s.\n", len(csvRows), a.CSV)
		}
	}
	return ExitOK
}

// inWorkspace tells whether the environment env ("gke", "gke@fall") is of
// the workspace -workspace names; with none, every environment is.
func inWorkspace(env, workspace string) bool {
	if workspace == "" {
		return true
	}
	_, ws := config.SplitEnvName(env)
	return ws == workspace
}

// environments lists the environments of the lab in dir that have state,
// without evaluating the lab (whose variables choose only one of them).
func (m *Meta) environments(v *views.View, dir string) (state.Backend, []string, bool) {
	mod, diags := config.Load(dir)
	if diags.HasErrors() {
		v.Diagnostics(diags, mod.Files)
		return nil, nil, false
	}
	return m.environmentsOf(v, &operation.Lab{Dir: dir, Module: mod})
}

// environmentsOf lists the environments of a loaded lab that have state.
func (m *Meta) environmentsOf(v *views.View, l *operation.Lab) (state.Backend, []string, bool) {
	b, err := m.backend(l)
	if err != nil {
		v.Errorf("%s", err)
		return nil, nil, false
	}
	envs, err := b.Environments(m.Ctx)
	if err != nil {
		v.Errorf("%s", err)
		return nil, nil, false
	}
	return b, envs, true
}
