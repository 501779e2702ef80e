package views

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/internal/golden"
	"github.com/podlab/podlab/internal/i18n"
	"github.com/podlab/podlab/plan"
)

// classResults: two seats, three checks each; lee fails one.
func classResults() []*check.Result {
	var out []*check.Result
	for _, seat := range []string{"kim", "lee"} {
		for _, c := range []struct{ ex, name, kind string }{
			{"nginx_pod", "running", "ready"}, {"nginx_pod", "pod IP answers", "http"}, {"sidecar", "curl localhost", "exec"},
		} {
			r := &check.Result{
				Address:  `seat["` + seat + `"].exercise.` + c.ex + `.check["` + c.name + `"]`,
				Instance: `seat["` + seat + `"].exercise.` + c.ex, Exercise: c.ex, Seat: seat, Name: c.name, Kind: c.kind,
				Passed: true, Duration: 120 * time.Millisecond, At: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
			}
			if seat == "lee" && c.name == "curl localhost" {
				r.Passed = false
				r.Expected, r.Seen = `exit code 0, stdout contains "Welcome"`, "exit code 7"
				r.Try = "kubectl exec -n ns my-nginx-pod -- curl -s localhost"
			}
			out = append(out, r)
		}
	}
	return out
}

func TestGoldenSeatMatrix(t *testing.T) {
	var out bytes.Buffer
	v := &View{Out: &out, Err: &out, Width: 100}
	v.CheckResults("gke", classResults())
	golden.Check(t, filepath.Join("testdata", "matrix.txt"), out.Bytes())
	for _, want := range []string{"2 seats × 3 checks", "3/3", "2/3", "failed for 1 seat(s): lee", "6 checks: 5 passed, 1 failed."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the matrix lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReportIsSelfContained(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteReport(path, "pod-basics", "gke", classResults(), i18n.English); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		"<title>pod-basics — grading report, gke</title>",
		`<td class="seat">kim</td>`, `<td class="seat">lee</td>`,
		`<th colspan="2">nginx_pod</th>`, `<th colspan="1">sidecar</th>`,
		"<td>2/3</td>", "<td>3/3</td>", `<b>5</b> passed`, `<b>1</b> of 2 seat(s) passed everything`,
		"expected: exit code 0, stdout contains &#34;Welcome&#34;", "@media print",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<link", "src=", "http://", "https://"} {
		if strings.Contains(html, bad) {
			t.Errorf("the report is not self-contained: it has %q", bad)
		}
	}
}

// Alike seats are shown once; -verbose shows each.
func TestPlanCollapsesAlikeSeats(t *testing.T) {
	p := &plan.Plan{Lab: "l", Environment: "e", Refreshed: true}
	for _, seat := range []string{"kim", "lee", "park"} {
		p.Changes = append(p.Changes, &plan.Change{
			Address: `seat["` + seat + `"].exercise.a.Pod.web`, Instance: `seat["` + seat + `"].exercise.a`, Seat: seat,
			Action: plan.Create, APIVersion: "v1", Kind: "Pod", Namespace: "l-" + seat + "-a", Name: "web",
		})
	}
	var out bytes.Buffer
	v := &View{Out: &out, Err: &out}
	v.Plan(p)
	if !strings.Contains(out.String(), "# 3 seats × 1 objects alike: kim, lee, park") || strings.Count(out.String(), "will be created") != 1 {
		t.Errorf("alike seats not collapsed:\n%s", out.String())
	}
	out.Reset()
	v.Verbose = true
	v.Plan(p)
	if strings.Count(out.String(), "will be created") != 3 {
		t.Errorf("-verbose should show every seat:\n%s", out.String())
	}
	// A seat that differs is shown on its own.
	p.Changes[2].Action = plan.Update
	out.Reset()
	v.Verbose = false
	v.Plan(p)
	if !strings.Contains(out.String(), "# 2 seats × 1 objects alike: kim, lee") || !strings.Contains(out.String(), `seat["park"].exercise.a.Pod.web will be updated`) {
		t.Errorf("differing seat:\n%s", out.String())
	}
}

// A namespace podlab makes shows the Pod Security levels it will enforce
// and warn of, and nothing else.
func TestPlanShowsPodSecurity(t *testing.T) {
	ns := func(name string, labels map[string]any) *plan.Change {
		return &plan.Change{
			Address: "exercise.a.Namespace." + name, Instance: "exercise.a", Action: plan.Create, APIVersion: "v1", Kind: "Namespace", Name: name,
			ExerciseNamespace: true,
			After:             map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name, "labels": labels}},
		}
	}
	p := &plan.Plan{Lab: "l", Environment: "e", Refreshed: true, Changes: []*plan.Change{
		ns("l-a", map[string]any{"podlab.dev/lab": "l", "pod-security.kubernetes.io/enforce": "baseline",
			"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted"}),
		ns("l-plain", map[string]any{"podlab.dev/lab": "l"}),
	}}
	var out bytes.Buffer
	(&View{Out: &out, Err: &out}).Plan(p)
	want := "  + Namespace \"l-a\"\n      + Pod Security: enforce baseline, warn restricted, audit restricted\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("the plan lacks\n%s\nin:\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "  + Namespace \"l-plain\"\n\n") {
		t.Errorf("a namespace without Pod Security labels should show its name alone:\n%s", out.String())
	}
}
