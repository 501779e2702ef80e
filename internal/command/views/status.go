package views

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// StatusRow is one environment as podlab status shows it.
type StatusRow struct {
	Environment string `json:"environment"`
	Cluster     string `json:"cluster"`
	Created     bool   `json:"cluster_created"`
	Objects     int    `json:"objects"`
	Seats       int    `json:"seats"`
	Passed      int    `json:"checks_passed"`
	Failed      int    `json:"checks_failed"`
	// SeatsDone are the seats that passed every check at least once, and
	// MedianDone the median of how long they took; Stuck the seats with
	// a check failing for longer than stuck_after. All from the progress
	// record, which destroy keeps.
	SeatsDone  int           `json:"seats_done"`
	MedianDone time.Duration `json:"median_time_to_done_ns,omitempty"`
	Stuck      []string      `json:"stuck_seats,omitempty"`
	ExpiresAt  *time.Time    `json:"expires_at,omitempty"`
	Expired    bool          `json:"expired"`
	Error      string        `json:"error,omitempty"`
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
	// The progress column only for a class with a record to show.
	progress := false
	for _, r := range rows {
		progress = progress || r.SeatsDone > 0 || len(r.Stuck) > 0
	}
	header := []cell{
		plain(v.T("ENVIRONMENT")), plain(v.T("CLUSTER")), plain(v.T("OBJECTS")), plain(v.T("SEATS")),
		plain(v.T("CHECKS")), plain(v.T("TIME LEFT")),
	}
	if progress {
		header = append(header[:5:5], plain(v.T("PROGRESS")), header[5])
	}
	lines := [][]cell{header}
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
		line := []cell{plain(r.Environment), plain(cluster), plain(fmt.Sprint(r.Objects)), plain(fmt.Sprint(r.Seats)), plain(checks)}
		if progress {
			line = append(line, v.progressCell(r))
		}
		lines = append(lines, append(line, v.timeLeft(r.ExpiresAt, now)))
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

// progressCell says how many seats finished (and their median time) and
// which are stuck.
func (v *View) progressCell(r StatusRow) cell {
	var parts []string
	if r.SeatsDone > 0 {
		parts = append(parts, v.T("%d done (median %s)", r.SeatsDone, Duration(r.MedianDone.Round(time.Second))))
	}
	if len(r.Stuck) > 0 {
		shown := r.Stuck
		if len(shown) > 5 {
			shown = append(shown[:5:5], "…")
		}
		parts = append(parts, v.T("stuck: %s", strings.Join(shown, ", ")))
		return cell{strings.Join(parts, "; "), v.Red}
	}
	if len(parts) == 0 {
		return plain("-")
	}
	return plain(strings.Join(parts, "; "))
}
