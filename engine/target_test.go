package engine

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

func targetLab() map[string]string {
	return map[string]string{
		"lab.podlab.hcl": `
variable "students" {
  type    = list(string)
  default = ["kim", "lee", "new"]
}
lab {
  name  = "Demo Lab"
  seats = var.students
}
cluster "local" {
  kubeconfig {}
}
exercise "app" {
  manifests = [file("app.yaml")]
}
exercise "db" {
  manifests  = [{ apiVersion = "v1", kind = "ConfigMap", metadata = { name = "db" } }]
  depends_on = [exercise.app]
}
`,
		"app.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
	}
}

// priorOf records every change of p as applied, except those of the seats
// in skip.
func priorOf(p *plan.Plan, skip ...string) *state.State {
	st := state.New("Demo Lab", "local")
	st.Lineage = "l"
	for _, ch := range p.Changes {
		if contains(skip, ch.Seat) {
			continue
		}
		st.SetObject(&state.Object{Address: ch.Address, Instance: ch.Instance, Seat: ch.Seat, APIVersion: ch.APIVersion, Kind: ch.Kind,
			Namespace: ch.Namespace, Name: ch.Name, ManifestHash: ch.ManifestHash, ExerciseNamespace: ch.ExerciseNamespace,
			UID: "uid-" + ch.Address, Dependencies: ch.DependsOn})
	}
	return st
}

func TestPlanTarget(t *testing.T) {
	ctx := context.Background()
	all := New(env(t, targetLab()), nil, "test")
	first, err := all.Plan(ctx, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// kim and lee were applied; "new" was added to the list since.
	prior := priorOf(first, "new")
	withoutLee := env(t, targetLab(), `students=["kim","new"]`)

	tests := []struct {
		name    string
		env     bool // the configuration without lee
		destroy bool
		target  []string
		replace []string
		want    []string // "action address" of every change that is not a no-op
		noop    []string // addresses that must be in the plan as no-ops
		err     string
	}{
		{
			name:   "a new seat: its namespaces, access and exercises",
			target: []string{`seat["new"]`},
			want: []string{
				`create seat["new"].access.Namespace.demo-lab-new`,
				`create seat["new"].access.ServiceAccount.student`,
				`create seat["new"].exercise.app.LimitRange.podlab-seat-limits`,
				`create seat["new"].exercise.app.Namespace.demo-lab-new-app`,
				`create seat["new"].exercise.app.Pod.web`,
				`create seat["new"].exercise.app.ResourceQuota.podlab-seat-quota`,
				`create seat["new"].exercise.app.Role.podlab-student`,
				`create seat["new"].exercise.app.RoleBinding.podlab-student`,
				`create seat["new"].exercise.app.Service.web`,
				`create seat["new"].exercise.db.ConfigMap.db`,
				`create seat["new"].exercise.db.LimitRange.podlab-seat-limits`,
				`create seat["new"].exercise.db.Namespace.demo-lab-new-db`,
				`create seat["new"].exercise.db.ResourceQuota.podlab-seat-quota`,
				`create seat["new"].exercise.db.Role.podlab-student`,
				`create seat["new"].exercise.db.RoleBinding.podlab-student`,
			},
		},
		{
			name:   "one object: its namespace and the seat's access come along",
			target: []string{`seat["new"].exercise.app.Pod.web`},
			want: []string{
				// A pod waits for the services of its exercise.
				`create seat["new"].access.Namespace.demo-lab-new`,
				`create seat["new"].access.ServiceAccount.student`,
				`create seat["new"].exercise.app.LimitRange.podlab-seat-limits`,
				`create seat["new"].exercise.app.Namespace.demo-lab-new-app`,
				`create seat["new"].exercise.app.Pod.web`,
				`create seat["new"].exercise.app.ResourceQuota.podlab-seat-quota`,
				`create seat["new"].exercise.app.Role.podlab-student`,
				`create seat["new"].exercise.app.RoleBinding.podlab-student`,
				`create seat["new"].exercise.app.Service.web`,
			},
		},
		{
			name:   "depends_on: the exercise it names comes along",
			target: []string{`seat["kim"].exercise.db.ConfigMap.db`},
			noop:   []string{`seat["kim"].exercise.app.Pod.web`, `seat["kim"].exercise.db.Namespace.demo-lab-kim-db`},
		},
		{
			name:    "with -replace",
			target:  []string{`seat["kim"]`},
			replace: []string{`seat["kim"].exercise.app.Pod.web`},
			want:    []string{`replace seat["kim"].exercise.app.Pod.web`},
			noop:    []string{`seat["kim"].exercise.app.Service.web`},
		},
		{
			name:    "-replace outside the targets names nothing",
			target:  []string{`seat["kim"]`},
			replace: []string{`seat["lee"].exercise.app.Pod.web`},
			err:     `-replace seat["lee"].exercise.app.Pod.web: no object`,
		},
		{
			name:   "a seat left the list: only its objects are deleted",
			env:    true,
			target: []string{`seat["lee"]`},
			want: []string{
				`delete seat["lee"].access.Namespace.demo-lab-lee`,
				`delete seat["lee"].access.ServiceAccount.student`,
				`delete seat["lee"].exercise.app.LimitRange.podlab-seat-limits`,
				`delete seat["lee"].exercise.app.Namespace.demo-lab-lee-app`,
				`delete seat["lee"].exercise.app.Pod.web`,
				`delete seat["lee"].exercise.app.ResourceQuota.podlab-seat-quota`,
				`delete seat["lee"].exercise.app.Role.podlab-student`,
				`delete seat["lee"].exercise.app.RoleBinding.podlab-student`,
				`delete seat["lee"].exercise.app.Service.web`,
				`delete seat["lee"].exercise.db.ConfigMap.db`,
				`delete seat["lee"].exercise.db.LimitRange.podlab-seat-limits`,
				`delete seat["lee"].exercise.db.Namespace.demo-lab-lee-db`,
				`delete seat["lee"].exercise.db.ResourceQuota.podlab-seat-quota`,
				`delete seat["lee"].exercise.db.Role.podlab-student`,
				`delete seat["lee"].exercise.db.RoleBinding.podlab-student`,
			},
		},
		{
			name:    "destroy of one seat",
			destroy: true,
			target:  []string{`seat["kim"].exercise.db`},
			want: []string{
				`delete seat["kim"].exercise.db.ConfigMap.db`,
				`delete seat["kim"].exercise.db.LimitRange.podlab-seat-limits`,
				`delete seat["kim"].exercise.db.Namespace.demo-lab-kim-db`,
				`delete seat["kim"].exercise.db.ResourceQuota.podlab-seat-quota`,
				`delete seat["kim"].exercise.db.Role.podlab-student`,
				`delete seat["kim"].exercise.db.RoleBinding.podlab-student`,
			},
		},
		{
			name:    "destroy of a namespace takes what is in it",
			destroy: true,
			target:  []string{`seat["kim"].exercise.db.Namespace.demo-lab-kim-db`},
			want: []string{
				`delete seat["kim"].exercise.db.ConfigMap.db`,
				`delete seat["kim"].exercise.db.LimitRange.podlab-seat-limits`,
				`delete seat["kim"].exercise.db.Namespace.demo-lab-kim-db`,
				`delete seat["kim"].exercise.db.ResourceQuota.podlab-seat-quota`,
				`delete seat["kim"].exercise.db.Role.podlab-student`,
				`delete seat["kim"].exercise.db.RoleBinding.podlab-student`,
			},
		},
		{
			name:   "an address that names nothing",
			target: []string{`seat["ki"]`},
			err:    `-target seat["ki"]: nothing in the configuration or the state has that address`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(all.Env, prior, "test")
			if tt.env {
				e = New(withoutLee, prior, "test")
			}
			p, err := e.Plan(ctx, PlanOptions{Destroy: tt.destroy, Target: tt.target, Replace: tt.replace})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(p.Targets, " ") != strings.Join(tt.target, " ") {
				t.Errorf("the plan records targets %q", p.Targets)
			}
			var got []string
			have := map[string]bool{}
			for _, ch := range p.Changes {
				have[ch.Address] = true
				if ch.Action != plan.NoOp {
					got = append(got, string(ch.Action)+" "+ch.Address)
				}
				for _, other := range []string{`seat["lee"]`, `seat["kim"]`, `seat["new"]`} {
					if !strings.HasPrefix(ch.Address, other) || ch.Action == plan.NoOp {
						continue
					}
					named := false
					for _, tg := range tt.target {
						named = named || strings.HasPrefix(tg, other)
					}
					if !named {
						t.Errorf("%s of another seat: %s", ch.Action, ch.Address)
					}
				}
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, a := range tt.noop {
				if !have[a] {
					t.Errorf("%s is not in the plan", a)
				}
			}
			instances := map[string]bool{}
			for _, ch := range p.Changes {
				instances[ch.Instance] = true
			}
			for _, c := range p.Checks {
				if !instances[c.Instance] {
					t.Errorf("check %s of an instance the plan does not keep", c.Address)
				}
			}
		})
	}
}
