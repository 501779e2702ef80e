package command

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/state"
)

func runStatus(m *Meta, args []string) int {
	a, fs, err := arguments.ParseStatus(args)
	if err != nil {
		return parseError(m, "status", "status [-json]", fs, err)
	}
	v := m.view(a.View)
	dir := m.dir(a.Common)
	b, envs, ok := m.environments(v, dir)
	if !ok {
		return ExitError
	}
	now := time.Now()
	type row struct {
		Environment string     `json:"environment"`
		Cluster     string     `json:"cluster"`
		Objects     int        `json:"objects"`
		Seats       int        `json:"seats"`
		Passed      int        `json:"checks_passed"`
		Failed      int        `json:"checks_failed"`
		ExpiresAt   *time.Time `json:"expires_at,omitempty"`
		Expired     bool       `json:"expired"`
		Error       string     `json:"error,omitempty"`
	}
	var rows []row
	for _, env := range envs {
		r := row{Environment: env}
		st, err := b.Read(m.Ctx, env)
		if err != nil || st == nil {
			r.Error = fmt.Sprint(err)
			rows = append(rows, r)
			continue
		}
		if st.Cluster != nil {
			r.Cluster = st.Cluster.Kind
			if st.Cluster.Created {
				r.Cluster += " (created by podlab)"
			}
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
		r.ExpiresAt = st.ExpiresAt
		r.Expired = expired(st, now)
		rows = append(rows, r)
	}
	if a.JSON {
		out, _ := json.MarshalIndent(rows, "", "  ")
		fmt.Fprintln(m.Stdout, string(out))
		return ExitOK
	}
	if len(rows) == 0 {
		fmt.Fprintf(m.Stdout, "No environment of lab %s has state yet.\n", dir)
		return ExitOK
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 3, ' ', 0)
	fmt.Fprintf(tw, "ENVIRONMENT\tCLUSTER\tOBJECTS\tSEATS\tCHECKS\tTIME LEFT\n")
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t(unreadable state: %s)\n", r.Environment, r.Error)
			continue
		}
		checks := "-"
		if r.Passed+r.Failed > 0 {
			checks = fmt.Sprintf("%d/%d passed", r.Passed, r.Passed+r.Failed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", r.Environment, orDash(r.Cluster), r.Objects, r.Seats, checks, timeLeft(v, r.ExpiresAt, now))
	}
	tw.Flush()
	return ExitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func expired(st *state.State, now time.Time) bool {
	return st.ExpiresAt != nil && now.After(*st.ExpiresAt) && !st.Empty()
}

func timeLeft(v *views.View, exp *time.Time, now time.Time) string {
	switch {
	case exp == nil:
		return "no limit"
	case now.After(*exp):
		return v.Red(fmt.Sprintf("expired %s ago", views.Duration(now.Sub(*exp).Round(time.Second))))
	}
	return fmt.Sprintf("%s (until %s)", views.Duration(exp.Sub(now).Round(time.Second)), exp.Local().Format("15:04"))
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
		cluster, ws, _ := strings.Cut(env, "@")
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

// environments lists the environments of the lab in dir that have state,
// without evaluating the lab (whose variables choose only one of them).
func (m *Meta) environments(v *views.View, dir string) (state.Backend, []string, bool) {
	mod, diags := config.Load(dir)
	if diags.HasErrors() {
		v.Diagnostics(diags, mod.Files)
		return nil, nil, false
	}
	b, err := m.backend(&loaded{dir: dir, module: mod})
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
