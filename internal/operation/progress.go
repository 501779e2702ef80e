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

// showProgress shows the recorded progress of the checks just run, when
// the view can and the lab has seats (progress is a class's question).
func (o *op) showProgress(results []*check.Result) {
	pv, ok := o.v.(ProgressView)
	if !ok || len(o.lab.Env.Lab.Seats) == 0 {
		return
	}
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.Address] = true
	}
	var shown []*state.Progress
	for _, p := range o.req.State.State().Progress {
		if ran[p.Address] {
			shown = append(shown, p)
		}
	}
	pv.CheckProgress(o.lab.Env.Name, shown, o.lab.Env.Lab.StuckAfter, time.Now())
}
