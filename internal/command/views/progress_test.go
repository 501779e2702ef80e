package views

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/state"
)

// classProgress: kim passed both checks (the last 4m after the start);
// lee passed one and has failed the other for 15 minutes.
func classProgress(t0 time.Time) []*state.Progress {
	s := state.New("lab", "env")
	rec := func(seat, name string, at time.Duration, passed bool, msg string) {
		s.SetCheck(&state.CheckResult{Address: `seat["` + seat + `"].exercise.pod.check["` + name + `"]`, Instance: `seat["` + seat + `"].exercise.pod`, Seat: seat, Name: name,
			Passed: passed, Message: msg, At: t0.Add(at)})
	}
	for _, seat := range []string{"kim", "lee"} {
		rec(seat, "running", 0, false, "expected: Running\nseen:     no pod my-nginx-pod")
		rec(seat, "curl", 0, false, "=cmd|' /C calc'!A0")
	}
	rec("kim", "running", 2*time.Minute, true, "")
	rec("kim", "curl", 4*time.Minute, true, "")
	rec("lee", "running", 3*time.Minute, true, "")
	rec("lee", "curl", 5*time.Minute, false, "expected: exit code 0\nseen:     exit code 7")
	return s.Progress
}

func TestCheckProgress(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	now := t0.Add(15 * time.Minute)
	var out bytes.Buffer
	o := &Operation{View: &View{Out: &out, Err: &out, Width: 100}}
	o.CheckProgress("gke", classProgress(t0), 10*time.Minute, now)
	for _, want := range []string{
		"Progress (stuck: a check failing for more than 10m00s):",
		"kim    2/2    4m00s",
		"lee    1/2    3m00s", "pod: curl (failing 15m00s)",
		"1 of 2 seats stuck.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "kim    2/2    4m00s    pod") {
		t.Errorf("kim is shown stuck:\n%s", out.String())
	}
	// Under the threshold nobody is stuck.
	out.Reset()
	o.CheckProgress("gke", classProgress(t0), 30*time.Minute, now)
	if strings.Contains(out.String(), "seats stuck.") || strings.Contains(out.String(), "(failing") {
		t.Errorf("a seat is stuck under the threshold:\n%s", out.String())
	}
	out.Reset()
	o.JSON = true
	o.CheckProgress("gke", classProgress(t0), 10*time.Minute, now)
	if !strings.Contains(out.String(), `"type":"check_progress"`) || !strings.Contains(out.String(), `"failing_for_ns":900000000000`) {
		t.Errorf("progress -json: %s", out.String())
	}
}

func TestStatusProgress(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	now := t0.Add(15 * time.Minute)
	p := classProgress(t0)
	done, median := SeatsDone(p)
	row := StatusRow{Environment: "gke", Cluster: "gke", Seats: 2, SeatsDone: done, MedianDone: median,
		Stuck: StuckSeats(p, 10*time.Minute, now)}
	var out bytes.Buffer
	v := &View{Out: &out, Err: &out}
	v.Status("pod-basics", []StatusRow{row}, now)
	for _, want := range []string{"PROGRESS", "1 done (median 4m00s); stuck: lee"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}

func TestProgressCSV(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "grades.csv")
	if err := WriteCSV(path, ProgressRows("gke", classProgress(t0), 10*time.Minute, t0.Add(15*time.Minute))); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || strings.Join(recs[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	byAddr := map[string][]string{}
	for _, r := range recs[1:] {
		byAddr[r[col["seat"]]+"/"+r[col["check"]]] = r
	}
	kim, lee := byAddr["kim/curl"], byAddr["lee/curl"]
	if kim[col["time_to_first_pass_seconds"]] != "240" || kim[col["stuck"]] != "false" || kim[col["first_pass"]] != "2026-12-08T09:04:00Z" {
		t.Errorf("kim/curl: %v", kim)
	}
	if lee[col["time_to_first_pass_seconds"]] != "" || lee[col["stuck"]] != "true" || lee[col["failing_for_seconds"]] != "900" ||
		lee[col["attempts"]] != "2" || !strings.Contains(lee[col["last_failure"]], "exit code 7") {
		t.Errorf("lee/curl: %v", lee)
	}
	if got := kim[col["changes"]]; got != "2026-12-08T09:00:00Z fail; 2026-12-08T09:04:00Z pass" {
		t.Errorf("kim/curl changes %q", got)
	}
	// A failure quoting what a student typed is not a formula.
	if got := byAddr["kim/curl"][col["last_failure"]]; !strings.HasPrefix(got, "'=") {
		t.Errorf("last failure %q is not defused", got)
	}
}
