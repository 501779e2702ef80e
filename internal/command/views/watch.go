package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/state"
)

var _ operation.WatchView = (*Operation)(nil)

// WatchStarted says what check -watch follows.
func (o *Operation) WatchStarted(env string, seats, checks int, interval time.Duration) {
	if o.JSON {
		o.Event("watch_start", map[string]any{"@message": fmt.Sprintf("Watching %d checks.", checks),
			"environment": env, "seats": seats, "checks": checks, "interval_seconds": interval.Seconds()})
		return
	}
	o.Printf("%s\n", o.T("Watching %d checks of %d seat(s) in environment %q: graded again when a seat's pods change, failing checks every %s. Ctrl-C stops.",
		checks, seats, env, Duration(interval)))
}

// WatchRound shows a round of grading. On a terminal the matrix (or
// table) and the progress are redrawn in place; elsewhere each changed
// result is one line, so a log reads as a history.
func (o *Operation) WatchRound(env string, latest []*check.Result, progress []*state.Progress, changed []*check.Result, stuckAfter time.Duration, now time.Time) {
	if o.JSON {
		for _, r := range changed {
			o.Event("watch_change", map[string]any{
				"@message": fmt.Sprintf("%s: %s", r.Address, map[bool]string{true: "PASS", false: "FAIL"}[r.Passed]),
				"check": map[string]any{"address": r.Address, "seat": r.Seat, "exercise": r.Exercise, "name": r.Name,
					"passed": r.Passed, "expected": r.Expected, "seen": r.Seen, "try": r.Try},
			})
		}
		return
	}
	if !o.Terminal {
		for _, r := range changed {
			mark, word := o.Green("✓"), o.T("PASS")
			if !r.Passed {
				mark, word = o.Red("✗"), o.T("FAIL")
			}
			line := fmt.Sprintf("%s %s %s %s", now.Local().Format("15:04:05"), mark, word, r.Address)
			if r.Passed {
				if p := progressOf(progress, r.Address); p != nil {
					if d, ok := p.TimeToFirstPass(); ok {
						line += " " + o.T("(first pass after %s)", Duration(d.Round(time.Second)))
					}
				}
			} else {
				line += ": " + firstLine(r.Seen)
			}
			o.Printf("%s\n", line)
		}
		return
	}
	// In place: home the cursor, clear, draw.
	var b strings.Builder
	b.WriteString("\x1b[H\x1b[2J")
	inner := &Operation{View: &View{Out: &b, Err: &b, Color: o.Color, Width: o.Width, printer: o.printer, lang: o.lang}}
	inner.CheckResults(env, latest)
	ran := map[string]bool{}
	for _, r := range latest {
		ran[r.Address] = true
	}
	var shown []*state.Progress
	for _, p := range progress {
		if ran[p.Address] {
			shown = append(shown, p)
		}
	}
	inner.CheckProgress(env, shown, stuckAfter, now)
	fmt.Fprintf(&b, "\n%s\n", o.T("Updated %s; Ctrl-C stops.", now.Local().Format("15:04:05")))
	o.Printf("%s", b.String())
}

// WatchStopped says the watch ended.
func (o *Operation) WatchStopped(env string) {
	if o.JSON {
		o.Event("watch_stop", map[string]any{"@message": "Stopped watching.", "environment": env})
		return
	}
	o.Printf("\n%s\n", o.T("Stopped watching environment %q; every result is saved in its state.", env))
}

func progressOf(progress []*state.Progress, address string) *state.Progress {
	for _, p := range progress {
		if p.Address == address {
			return p
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
