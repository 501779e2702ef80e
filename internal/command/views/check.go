package views

import (
	"fmt"
	"strings"

	"github.com/podlab/podlab/check"
)

// CheckResults shows the results as a table, then each failure with what
// was expected, what was seen and a command to look for oneself.
func (v *View) CheckResults(env string, results []*check.Result) {
	passed, failed := tally(results)
	if v.JSON {
		for _, r := range results {
			v.Event("check_result", map[string]any{
				"@level":   map[bool]string{true: "info", false: "error"}[r.Passed],
				"@message": fmt.Sprintf("%s: %s", r.Address, map[bool]string{true: "PASS", false: "FAIL"}[r.Passed]),
				"check": map[string]any{
					"address": r.Address, "instance": r.Instance, "exercise": r.Exercise, "seat": r.Seat, "name": r.Name,
					"kind": r.Kind, "passed": r.Passed, "expected": r.Expected, "seen": r.Seen, "try": r.Try,
					"duration_seconds": r.Duration.Seconds(), "attempts": r.Attempts,
				},
			})
		}
		v.Event("check_summary", map[string]any{"@message": fmt.Sprintf("%d checks: %d passed, %d failed.", len(results), passed, failed),
			"checks": map[string]any{"total": len(results), "passed": passed, "failed": failed}})
		return
	}
	if len(results) == 0 {
		v.Printf("\n%s\n", v.T("The lab has no checks."))
		return
	}
	var b strings.Builder
	seatList := map[string]bool{}
	for _, r := range results {
		if r.Seat != "" {
			seatList[r.Seat] = true
		}
	}
	if len(seatList) > 1 {
		v.matrix(&b, env, results)
		fmt.Fprintf(&b, "\n%s\n", v.Bold(summaryLine(v, len(results), passed, failed)))
		v.Printf("%s", b.String())
		return
	}
	fmt.Fprintf(&b, "\n%s\n\n", v.T("Checks in environment %q:", env))
	seats := len(seatList) > 0
	header := []cell{plain(v.T("EXERCISE")), plain(v.T("CHECK")), plain(v.T("RESULT")), plain(v.T("TIME"))}
	if seats {
		header = append([]cell{plain(v.T("SEAT"))}, header...)
	}
	rows := [][]cell{header}
	for _, r := range results {
		res := cell{v.T("PASS"), v.Green}
		if !r.Passed {
			res = cell{v.T("FAIL"), v.Red}
		}
		row := []cell{plain(exerciseOf(r)), plain(r.Name), res, plain(Duration(r.Duration))}
		if seats {
			row = append([]cell{plain(r.Seat)}, row...)
		}
		rows = append(rows, row)
	}
	table(&b, "  ", rows)
	if failed > 0 {
		fmt.Fprintf(&b, "\n%s\n", v.Bold(v.T("Failures:")))
		for _, r := range results {
			if r.Passed {
				continue
			}
			fmt.Fprintf(&b, "\n  %s %s\n", v.Red("✗"), v.Bold(r.Address))
			for _, line := range v.failureLines(r) {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	fmt.Fprintf(&b, "\n%s\n", v.Bold(summaryLine(v, len(results), passed, failed)))
	v.Printf("%s", b.String())
}

func summaryLine(v *View, total, passed, failed int) string {
	summary := v.T("%d checks: %d passed, %d failed.", total, passed, failed)
	if failed == 0 {
		return v.Green(summary)
	}
	return v.Red(summary)
}

func tally(results []*check.Result) (passed, failed int) {
	for _, r := range results {
		if r.Passed {
			passed++
		} else {
			failed++
		}
	}
	return
}

// failureLines explain a failed check in the view's language: the check's
// own description, then failureDetail.
func (v *View) failureLines(r *check.Result) []string {
	var out []string
	if r.Description != "" {
		out = append(out, r.Description)
	}
	return append(out, strings.Split(v.failureDetail(r), "\n")...)
}

// failureDetail is what was expected, what was seen and what to try, with
// the labels padded to one display width (a Korean label takes two
// columns a syllable).
func (v *View) failureDetail(r *check.Result) string {
	labels := []string{v.T("expected:"), v.T("seen:"), v.T("try:")}
	w := 0
	for _, l := range labels {
		w = max(w, Width(l))
	}
	out := []string{PadRight(labels[0], w+1) + r.Expected, PadRight(labels[1], w+1) + r.Seen}
	if r.Try != "" {
		out = append(out, PadRight(labels[2], w+1)+r.Try)
	}
	return strings.Join(out, "\n")
}
