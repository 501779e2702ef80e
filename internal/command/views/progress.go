package views

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/podlab/podlab/state"
)

// SeatProgress sums up one seat's record across gradings.
type SeatProgress struct {
	Seat   string `json:"seat"`
	Passed int    `json:"passed"`
	Checks int    `json:"checks"`
	// FirstPass is the time from the seat's first grading until the last
	// of its passed checks first passed (its time to first pass, as far
	// as it got).
	FirstPass time.Duration `json:"time_to_first_pass_ns"`
	// Stuck are the checks failing for longer than stuck_after, with how
	// long each has failed.
	Stuck []StuckCheck `json:"stuck,omitempty"`
}

// StuckCheck is one check a seat is stuck on.
type StuckCheck struct {
	Exercise   string        `json:"exercise"`
	Name       string        `json:"name"`
	FailingFor time.Duration `json:"failing_for_ns"`
	Failure    string        `json:"last_failure,omitempty"`
}

// SummarizeProgress sums up progress by seat, in seat order of first
// appearance (the state's address order).
func SummarizeProgress(progress []*state.Progress, stuckAfter time.Duration, now time.Time) []SeatProgress {
	var out []SeatProgress
	index := map[string]int{}
	for _, p := range progress {
		i, ok := index[p.Seat]
		if !ok {
			i = len(out)
			index[p.Seat] = i
			out = append(out, SeatProgress{Seat: p.Seat})
		}
		sp := &out[i]
		sp.Checks++
		if p.Passed {
			sp.Passed++
		}
		if d, ok := p.TimeToFirstPass(); ok && d > sp.FirstPass {
			sp.FirstPass = d
		}
		if p.Stuck(now, stuckAfter) {
			sp.Stuck = append(sp.Stuck, StuckCheck{Exercise: p.Exercise, Name: p.Name, FailingFor: p.FailingFor(now), Failure: p.LastFailure})
		}
	}
	return out
}

// CheckProgress shows, after a class's check results, each seat's time to
// first pass and the seats stuck (a check failing for longer than
// stuck_after).
func (o *Operation) CheckProgress(env string, progress []*state.Progress, stuckAfter time.Duration, now time.Time) {
	seats := SummarizeProgress(progress, stuckAfter, now)
	if o.JSON {
		o.Event("check_progress", map[string]any{
			"@message":    fmt.Sprintf("%d seats, %d stuck.", len(seats), stuckCount(seats)),
			"environment": env, "stuck_after_seconds": stuckAfter.Seconds(), "seats": seats,
		})
		return
	}
	if len(seats) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n\n", o.T("Progress (stuck: a check failing for more than %s):", Duration(stuckAfter)))
	rows := [][]cell{{plain(o.T("SEAT")), plain(o.T("DONE")), plain(o.T("TIME TO FIRST PASS")), plain(o.T("STUCK ON"))}}
	for _, s := range seats {
		first := "-"
		if s.Passed > 0 || s.FirstPass > 0 {
			first = Duration(s.FirstPass.Round(time.Second))
		}
		var stuck []string
		for _, c := range s.Stuck {
			stuck = append(stuck, o.T("%s: %s (failing %s)", c.Exercise, c.Name, Duration(c.FailingFor.Round(time.Second))))
		}
		stuckCell := plain("")
		if len(stuck) > 0 {
			stuckCell = cell{strings.Join(stuck, ", "), o.Red}
		}
		rows = append(rows, []cell{plain(s.Seat), plain(fmt.Sprintf("%d/%d", s.Passed, s.Checks)), plain(first), stuckCell})
	}
	table(&b, "  ", rows)
	if n := stuckCount(seats); n > 0 {
		fmt.Fprintf(&b, "\n%s\n", o.Bold(o.T("%d of %d seats stuck.", n, len(seats))))
	}
	o.Printf("%s", b.String())
}

func stuckCount(seats []SeatProgress) int {
	n := 0
	for _, s := range seats {
		if len(s.Stuck) > 0 {
			n++
		}
	}
	return n
}

// StuckSeats lists the seats stuck at now, sorted.
func StuckSeats(progress []*state.Progress, stuckAfter time.Duration, now time.Time) []string {
	var out []string
	for _, s := range SummarizeProgress(progress, stuckAfter, now) {
		if len(s.Stuck) > 0 {
			out = append(out, s.Seat)
		}
	}
	sort.Strings(out)
	return out
}

// CSVHeader is the header row of the progress CSV.
var CSVHeader = []string{
	"environment", "seat", "exercise", "check", "address", "passed", "since", "first_pass",
	"time_to_first_pass_seconds", "attempts", "failures", "stuck", "failing_for_seconds",
	"last_failure_at", "last_failure", "changes",
}

// ProgressRows are the CSV rows of one environment's progress: one per
// seat and check. Times are RFC 3339 in UTC, durations whole seconds,
// changes "TIME pass|fail" separated by "; ".
func ProgressRows(env string, progress []*state.Progress, stuckAfter time.Duration, now time.Time) [][]string {
	rfc := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	var rows [][]string
	for _, p := range progress {
		ttfp := ""
		if d, ok := p.TimeToFirstPass(); ok {
			ttfp = strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10)
		}
		failing := ""
		if !p.Passed {
			failing = strconv.FormatInt(int64(p.FailingFor(now).Round(time.Second)/time.Second), 10)
		}
		var changes []string
		if p.Dropped > 0 {
			changes = append(changes, fmt.Sprintf("(%d older changes dropped)", p.Dropped))
		}
		for _, c := range p.Changes {
			changes = append(changes, c.At.UTC().Format(time.RFC3339)+" "+map[bool]string{true: "pass", false: "fail"}[c.Passed])
		}
		since := p.Since
		rows = append(rows, []string{
			env, p.Seat, p.Exercise, p.Name, p.Address, strconv.FormatBool(p.Passed), rfc(&since), rfc(p.FirstPass),
			ttfp, strconv.Itoa(p.Attempts), strconv.Itoa(p.Failures), strconv.FormatBool(p.Stuck(now, stuckAfter)), failing,
			rfc(p.LastFailureAt), csvSafe(p.LastFailure), strings.Join(changes, "; "),
		})
	}
	return rows
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (a failure
// message quotes what a student typed).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes rows under CSVHeader to path atomically (a temporary
// file renamed over it), so a spreadsheet open on the old file never reads
// half of the new.
func WriteCSV(path string, rows [][]string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".progress-*.csv")
	if err != nil {
		return fmt.Errorf("write progress CSV: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := csv.NewWriter(tmp)
	_ = w.Write(CSVHeader)
	_ = w.WriteAll(rows)
	if err := w.Error(); err != nil {
		tmp.Close()
		return fmt.Errorf("write progress CSV %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write progress CSV %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write progress CSV %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write progress CSV %s: %w", path, err)
	}
	return nil
}

// SeatsDone counts the seats that have passed every check at least once,
// and the median of their time to first pass of the last of them (how
// long a seat took to finish).
func SeatsDone(progress []*state.Progress) (int, time.Duration) {
	var times []time.Duration
	for _, s := range SummarizeProgress(progress, 0, time.Time{}) {
		if s.Seat == "" {
			continue
		}
		all := true
		for _, p := range progress {
			if p.Seat == s.Seat && p.FirstPass == nil {
				all = false
				break
			}
		}
		if all {
			times = append(times, s.FirstPass)
		}
	}
	if len(times) == 0 {
		return 0, 0
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return len(times), times[len(times)/2]
}
