package views

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// StatusRow is one environment as podlab status shows it.
type StatusRow struct {
	Environment string     `json:"environment"`
	Cluster     string     `json:"cluster"`
	Created     bool       `json:"cluster_created"`
	Objects     int        `json:"objects"`
	Seats       int        `json:"seats"`
	Passed      int        `json:"checks_passed"`
	Failed      int        `json:"checks_failed"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	Expired     bool       `json:"expired"`
	Error       string     `json:"error,omitempty"`
}

// Status shows every environment of a lab: a table, or with -json one
// object per line (nothing when no environment has state).
func (v *View) Status(lab string, rows []StatusRow, now time.Time) {
	if v.JSON {
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, r := range rows {
			b, err := json.Marshal(r)
			if err != nil {
				b, _ = json.Marshal(map[string]string{"environment": r.Environment, "error": err.Error()})
			}
			v.Out.Write(append(b, '\n'))
		}
		return
	}
	if len(rows) == 0 {
		v.Printf("%s\n", v.T("No environment of lab %s has state yet.", lab))
		return
	}
	lines := [][]cell{{
		plain(v.T("ENVIRONMENT")), plain(v.T("CLUSTER")), plain(v.T("OBJECTS")), plain(v.T("SEATS")),
		plain(v.T("CHECKS")), plain(v.T("TIME LEFT")),
	}}
	for _, r := range rows {
		if r.Error != "" {
			lines = append(lines, []cell{plain(r.Environment), plain(v.T("(unreadable state: %s)", r.Error))})
			continue
		}
		cluster := "-"
		if r.Cluster != "" {
			cluster = r.Cluster
			if r.Created {
				cluster += v.T(" (created by podlab)")
			}
		}
		checks := "-"
		if r.Passed+r.Failed > 0 {
			checks = v.T("%d/%d passed", r.Passed, r.Passed+r.Failed)
		}
		lines = append(lines, []cell{plain(r.Environment), plain(cluster), plain(fmt.Sprint(r.Objects)),
			plain(fmt.Sprint(r.Seats)), plain(checks), v.timeLeft(r.ExpiresAt, now)})
	}
	var b strings.Builder
	table(&b, "", lines)
	v.Printf("%s", b.String())
}

func (v *View) timeLeft(exp *time.Time, now time.Time) cell {
	switch {
	case exp == nil:
		return plain(v.T("no limit"))
	case now.After(*exp):
		return cell{v.T("expired %s ago", Duration(now.Sub(*exp).Round(time.Second))), v.Red}
	}
	return plain(v.T("%s (until %s)", Duration(exp.Sub(now).Round(time.Second)), exp.Local().Format("15:04")))
}
