package command

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/podlab/podlab/plan"
)

// show of a saved plan prints exactly what plan printed when it saved it.
func TestShowSavedPlan(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	tests := []struct {
		name string
		args []string
	}{
		{"a new GKE environment", []string{"-var", "target=gke"}},
		{"a class, targeted", []string{"-var", "target=gke", "-var", `students=["kim","lee"]`, "-target", `seat["kim"]`}},
		{"a destroy plan", []string{"-destroy", "-refresh=false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planned := run(t, lab, nil, append([]string{"plan", "-out", "p.plan"}, tt.args...)...)
			if planned.code != ExitOK {
				t.Fatalf("plan: %d\n%s%s", planned.code, planned.stdout, planned.stderr)
			}
			want, _, ok := strings.Cut(planned.stdout, "\nSaved the plan to p.plan.")
			if !ok {
				t.Fatalf("plan did not save:\n%s", planned.stdout)
			}
			shown := run(t, lab, nil, "show", "p.plan")
			if shown.code != ExitOK {
				t.Fatalf("show: %d\n%s", shown.code, shown.stderr)
			}
			if shown.stdout != want {
				t.Errorf("show differs from the plan.\nshow:\n%s\nplan:\n%s", shown.stdout, want)
			}
			if shown.stderr != planned.stderr {
				t.Errorf("warnings differ.\nshow:\n%s\nplan:\n%s", shown.stderr, planned.stderr)
			}
			js := run(t, lab, nil, "show", "-json", "p.plan")
			var p plan.Plan
			if js.code != ExitOK || strings.Count(strings.TrimSpace(js.stdout), "\n") != 0 || json.Unmarshal([]byte(js.stdout), &p) != nil {
				t.Fatalf("show -json: %d, not one JSON object on one line:\n%s", js.code, js.stdout)
			}
			if p.Lab != "pod-basics" || p.Destroy != strings.Contains(tt.name, "destroy") || strings.Join(p.Targets, ",") != strings.Join(targets(tt.args), ",") {
				t.Errorf("show -json: lab %q, destroy %v, targets %q", p.Lab, p.Destroy, p.Targets)
			}
		})
	}
	if r := run(t, lab, nil, "show", "nope.plan"); r.code != ExitError || !strings.Contains(r.stderr, "nope.plan") {
		t.Errorf("show of a missing plan: %d %s", r.code, r.stderr)
	}
	if r := run(t, lab, nil, "show"); r.code != ExitOK || !strings.Contains(r.stdout, `The state of environment "kubeconfig" is empty`) {
		t.Errorf("show of an empty state: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, lab, nil, "show", "-json"); r.code != ExitOK || !strings.HasPrefix(r.stdout, `{"format_version"`) {
		t.Errorf("show -json of the state: %d %s%s", r.code, r.stdout, r.stderr)
	}
}

func targets(args []string) []string {
	var out []string
	for i, a := range args {
		if a == "-target" {
			out = append(out, args[i+1])
		}
	}
	return out
}
