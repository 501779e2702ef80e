package views

import (
	"fmt"
	"sort"
	"strings"

	"github.com/podlab/podlab/check"
)

// column is one check of the lab, across seats.
type column struct {
	Key         string // instance without the seat, and check name
	Exercise    string
	Name        string
	Description string
}

// seatGrid arranges per-seat results as seats × checks.
type seatGrid struct {
	seats   []string
	columns []column
	cells   map[string]map[string]*check.Result // seat → column key → result
}

func exerciseOf(r *check.Result) string {
	i := strings.Index(r.Instance, "exercise.")
	if i < 0 {
		return r.Instance
	}
	return strings.TrimPrefix(r.Instance[i:], "exercise.")
}

func newSeatGrid(results []*check.Result) *seatGrid {
	g := &seatGrid{cells: map[string]map[string]*check.Result{}}
	seen := map[string]bool{}
	for _, r := range results {
		ex := exerciseOf(r)
		key := ex + "\x00" + r.Name
		if !seen[key] {
			seen[key] = true
			g.columns = append(g.columns, column{Key: key, Exercise: ex, Name: r.Name, Description: r.Description})
		}
		if g.cells[r.Seat] == nil {
			g.cells[r.Seat] = map[string]*check.Result{}
			g.seats = append(g.seats, r.Seat)
		}
		g.cells[r.Seat][key] = r
	}
	return g
}

// matrix prints seats × checks compactly, a legend of the columns, and the
// failures grouped by check.
func (v *View) matrix(b *strings.Builder, env string, results []*check.Result) {
	g := newSeatGrid(results)
	fmt.Fprintf(b, "\n%s\n\n", v.T("Checks in environment %q: %d seats × %d checks", env, len(g.seats), len(g.columns)))
	header := []cell{plain(v.T("SEAT"))}
	for i := range g.columns {
		header = append(header, plain(fmt.Sprint(i+1)))
	}
	rows := [][]cell{append(header, plain(v.T("PASSED")))}
	for _, seat := range g.seats {
		row := []cell{plain(seat)}
		passed := 0
		for _, c := range g.columns {
			r := g.cells[seat][c.Key]
			switch {
			case r == nil:
				row = append(row, plain("·"))
			case r.Passed:
				row = append(row, cell{"✓", v.Green})
				passed++
			default:
				row = append(row, cell{"✗", v.Red})
			}
		}
		rows = append(rows, append(row, plain(fmt.Sprintf("%d/%d", passed, len(g.columns)))))
	}
	table(b, "  ", rows)
	b.WriteString("\n")
	for i, c := range g.columns {
		fmt.Fprintf(b, "  %d  %s: %s\n", i+1, c.Exercise, c.Name)
	}
	// Failures, grouped by check: which seats, and the first one's story.
	for i, c := range g.columns {
		var failed []string
		var first *check.Result
		for _, seat := range g.seats {
			if r := g.cells[seat][c.Key]; r != nil && !r.Passed {
				failed = append(failed, seat)
				if first == nil {
					first = r
				}
			}
		}
		if first == nil {
			continue
		}
		sort.Strings(failed)
		fmt.Fprintf(b, "\n  %s %d %s: %s %s\n", v.Red("✗"), i+1, c.Exercise, c.Name, v.T("failed for %d seat(s): %s", len(failed), strings.Join(failed, ", ")))
		fmt.Fprintf(b, "    %s\n", v.T("(seat %s)", first.Seat))
		for _, line := range v.failureLines(first) {
			fmt.Fprintf(b, "    %s\n", line)
		}
	}
}
