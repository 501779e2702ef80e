package views

import (
	"fmt"
	"strings"

	"github.com/podlab/podlab/plan"
)

// SeatDiff shows how a seat's objects differ from its student exercises'
// reference, as a plan shows changes: what applying the reference would
// do to what the student made.
func (v *View) SeatDiff(seat string, changes []*plan.Change) {
	missing, differ, match := 0, 0, 0
	for _, ch := range changes {
		switch ch.Action {
		case plan.Create:
			missing++
		case plan.NoOp:
			match++
		default:
			differ++
		}
	}
	if v.JSON {
		v.Event("seat_diff", map[string]any{
			"@message": fmt.Sprintf("seat %s: %d missing, %d differ, %d match the reference.", seat, missing, differ, match),
			"seat":     seat, "changes": changes,
			"summary": map[string]int{"missing": missing, "differ": differ, "match": match},
		})
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", v.T("Seat %s against the reference (what applying the exercise's manifests would change; fields of the reference only):", seat))
	for _, ch := range changes {
		if ch.Action == plan.NoOp {
			fmt.Fprintf(&b, "\n  %s %s %q %s\n", v.Green("✓"), ch.Kind, ch.Name, v.T("matches the reference"))
			continue
		}
		v.objectChange(&b, ch)
	}
	fmt.Fprintf(&b, "\n%s\n", v.Bold(v.T("Seat %s: %d missing, %d differ, %d match the reference.", seat, missing, differ, match)))
	v.Printf("%s", b.String())
}
