package command

import (
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/state"
)

func runDestroy(m *Meta, args []string) int {
	a, fs, err := arguments.ParseDestroy(args)
	if err != nil {
		return parseError(m, "destroy", "destroy [-auto-approve] [-var NAME=VALUE] [-timeout DURATION]", fs, err)
	}
	if a.JSON && !a.AutoApprove {
		m.view(a.View).Errorf("podlab destroy -json cannot ask for confirmation: add -auto-approve")
		return ExitError
	}
	if a.Expired {
		return m.destroyExpired(a)
	}
	return m.destroyEnv(m.view(a.View), a, m.dir(a.Common), "", a.Workspace)
}

// destroyEnv destroys one environment: the one the variables choose, or
// the named cluster block's.
func (m *Meta) destroyEnv(v *views.View, a *arguments.Destroy, dir, cluster, workspace string) int {
	l, mgr, ok := m.open(v, dir, a.Vars, config.EvalOptions{Workspace: workspace, Cluster: cluster}, a.State, "destroy")
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	res := operation.Run(m.Ctx, m.request(operation.Destroy, l, mgr, &operation.Request{
		Refresh: true, Target: a.Target, Parallelism: a.Parallelism, AutoApprove: a.AutoApprove,
		Timeout: a.Timeout, GracePeriod: a.GracePeriodSeconds(),
	}), m.operationView(v, l))
	return exitCode(res.Status)
}

// destroyExpired destroys every environment of the lab whose time limit
// has passed, each as podlab destroy would; run again after an
// interruption, it carries on where it stopped.
func (m *Meta) destroyExpired(a *arguments.Destroy) int {
	v := m.view(a.View)
	dir := m.dir(a.Common)
	b, envs, ok := m.environments(v, dir)
	if !ok {
		return ExitError
	}
	now := time.Now()
	code, found := ExitOK, 0
	for _, env := range envs {
		st, err := b.Read(m.Ctx, env)
		if err != nil {
			v.Errorf("environment %q: %s", env, err)
			code = ExitError
			continue
		}
		if st == nil || !expired(st, now) {
			continue
		}
		found++
		cluster, ws := config.SplitEnvName(env)
		v.Printf("\nEnvironment %q expired at %s: destroying it.\n", env, st.ExpiresAt.Local().Format(time.DateTime))
		if c := m.destroyEnv(v, a, dir, cluster, ws); c != ExitOK {
			code = c
			if c == ExitInterrupted {
				return c
			}
		}
	}
	if found == 0 {
		v.Printf("No environment of this lab has expired.\n")
	}
	return code
}

func expired(st *state.State, now time.Time) bool {
	return st.ExpiresAt != nil && now.After(*st.ExpiresAt) && !st.Empty()
}
