package operation

import (
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/state"
)

// ProgressView is a View that also shows the seats' progress across
// gradings (time to first pass, stuck seats) after a check's results.
// It is optional, so views that have nothing to say of it need not
// change.
type ProgressView interface {
	CheckProgress(env string, progress []*state.Progress, stuckAfter time.Duration, now time.Time)
}

// ShowProgress shows the recorded progress (state.Progress, which every
// recorded check result adds to) of the checks a run just graded, when
// the view can and the lab has seats: progress is a class's question.
func ShowProgress(v View, l *Lab, st *state.State, results []*check.Result) {
	pv, ok := v.(ProgressView)
	if !ok || l.Env == nil || len(l.Env.Lab.Seats) == 0 || len(results) == 0 {
		return
	}
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.Address] = true
	}
	var shown []*state.Progress
	for _, p := range st.Progress {
		if ran[p.Address] {
			shown = append(shown, p)
		}
	}
	pv.CheckProgress(l.Env.Name, shown, l.Env.Lab.StuckAfter, time.Now())
}
