package views

import (
	"fmt"
	"strings"
	"text/tabwriter"

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
		v.Printf("\nThe lab has no checks.\n")
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
	fmt.Fprintf(&b, "\nChecks in environment %q:\n\n", env)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	seats := len(seatList) > 0
	if seats {
		fmt.Fprintf(tw, "  SEAT\tEXERCISE\tCHECK\tRESULT\tTIME\n")
	} else {
		fmt.Fprintf(tw, "  EXERCISE\tCHECK\tRESULT\tTIME\n")
	}
	for _, r := range results {
		res := v.Green("PASS")
		if !r.Passed {
			res = v.Red("FAIL")
		}
		ex := strings.TrimPrefix(r.Instance, "exercise.")
		if seats {
			ex = strings.TrimPrefix(r.Instance[strings.Index(r.Instance, "exercise."):], "exercise.")
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.Seat, ex, r.Name, res, Duration(r.Duration))
		} else {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", ex, r.Name, res, Duration(r.Duration))
		}
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(&b, "\n%s\n", v.Bold("Failures:"))
		for _, r := range results {
			if r.Passed {
				continue
			}
			fmt.Fprintf(&b, "\n  %s %s\n", v.Red("✗"), v.Bold(r.Address))
			for _, line := range strings.Split(r.Message(), "\n") {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	fmt.Fprintf(&b, "\n%s\n", v.Bold(summaryLine(v, len(results), passed, failed)))
	v.Printf("%s", b.String())
}

func summaryLine(v *View, total, passed, failed int) string {
	summary := fmt.Sprintf("%d checks: %d passed, %d failed.", total, passed, failed)
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
