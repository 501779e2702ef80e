package engine

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// TestPlanWithoutCluster: with no state and no cluster, everything the
// lab declares is a create, values only the cluster knows are computed,
// and the checks and outputs are listed.
func TestPlanWithoutCluster(t *testing.T) {
	e := New(env(t, appLab(`
exercise "probe" {
  manifests = [{ apiVersion = "v1", kind = "Pod", metadata = { name = "probe" }, spec = { nodeName = "node-1" } }]

  check "answers" {
    http {
      pod  = "probe"
      port = 80
      from = "node"
    }
  }
  check "serves pods" {
    api_resources {
      kind = "Pod"
    }
  }
}

output "ns" {
  value = exercise.probe.namespace
}

output "uid" {
  value = exercise.probe.pods["probe"].uid
}
`)), nil, "test")
	p, err := e.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.FormatVersion != plan.FormatVersion || p.PodlabVersion != "test" || p.Lab != "Demo Lab" || p.Environment != "local" || p.Refreshed {
		t.Errorf("plan header %+v", p)
	}
	// The lab's objects, and the namespace of the node-side check's probe.
	if len(p.Changes) != 9 {
		t.Fatalf("%d changes", len(p.Changes))
	}
	for _, ch := range p.Changes {
		if ch.Action != plan.Create {
			t.Errorf("%s: %s, want create", ch.Address, ch.Action)
		}
		if len(ch.Manifest) == 0 || ch.ManifestHash == "" {
			t.Errorf("%s has no manifest to apply", ch.Address)
		}
		if !ch.ExerciseNamespace && ch.After == nil {
			t.Errorf("%s has nothing to show", ch.Address)
		}
		want := []string{"metadata.uid"}
		switch ch.Address {
		case "exercise.probe.Pod.probe":
			// nodeName is set in the manifest, so only the IP is computed.
			want = append(want, "status.podIP")
		}
		if strings.Join(ch.Computed, ",") != strings.Join(want, ",") {
			t.Errorf("%s: computed %v, want %v", ch.Address, ch.Computed, want)
		}
		if strings.HasPrefix(ch.Address, "exercise.app.Service") && ch.Namespace != "demo-lab-app" {
			t.Errorf("%s in %q", ch.Address, ch.Namespace)
		}
	}
	if c := p.Counts(); c != (plan.Counts{Add: 9}) || !p.HasChanges() {
		t.Errorf("counts %+v", c)
	}
	var checks []string
	for _, c := range p.Checks {
		checks = append(checks, c.Address+" "+c.Summary)
	}
	if want := `exercise.probe.check["answers"] http from node|exercise.probe.check["serves pods"] api_resources`; strings.Join(checks, "|") != want {
		t.Errorf("checks %q", checks)
	}
	if len(p.Outputs) != 2 || !p.Outputs[0].Known || p.Outputs[0].Display != `"demo-lab-probe"` || string(p.Outputs[0].Value) != `"demo-lab-probe"` || p.Outputs[1].Known {
		t.Errorf("outputs %+v %+v", p.Outputs[0], p.Outputs[1])
	}
	if p.ConfigHash != ConfigHash(e.Env) || len(p.ConfigHash) != 64 {
		t.Errorf("config hash %q", p.ConfigHash)
	}
}

// TestPlanAgainstState: without a cluster to ask, the state decides:
// unchanged hashes are no-ops, changed ones updates, and objects the
// configuration dropped are deleted, namespaces last.
func TestPlanAgainstState(t *testing.T) {
	e := New(env(t, appLab("")), nil, "test")
	first, err := e.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prior := state.New("Demo Lab", "local")
	for _, ch := range first.Changes {
		o := &state.Object{Address: ch.Address, Instance: ch.Instance, APIVersion: ch.APIVersion, Kind: ch.Kind,
			Namespace: ch.Namespace, Name: ch.Name, ManifestHash: ch.ManifestHash, ExerciseNamespace: ch.ExerciseNamespace}
		if ch.Address == "exercise.app.Service.web" {
			o.ManifestHash = "old"
		}
		prior.SetObject(o)
	}
	prior.SetObject(&state.Object{Address: "exercise.gone.Namespace.demo-lab-gone", Kind: "Namespace", APIVersion: "v1", Name: "demo-lab-gone", ExerciseNamespace: true})
	prior.SetObject(&state.Object{Address: "exercise.gone.Pod.p", Kind: "Pod", APIVersion: "v1", Namespace: "demo-lab-gone", Name: "p"})
	e.Prior = prior
	p, err := e.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]plan.Action{}
	var order []string
	for _, ch := range p.Changes {
		actions[ch.Address] = ch.Action
		order = append(order, ch.Address)
	}
	if actions["exercise.app.Service.web"] != plan.Update || actions["exercise.app.Deployment.web"] != plan.NoOp {
		t.Errorf("actions %v", actions)
	}
	if n := len(order); order[n-2] != "exercise.gone.Pod.p" || order[n-1] != "exercise.gone.Namespace.demo-lab-gone" ||
		actions[order[n-1]] != plan.Delete || actions[order[n-2]] != plan.Delete {
		t.Errorf("deletes at the end, namespace last: %v", order)
	}
	if c := p.Counts(); c != (plan.Counts{Change: 1, Destroy: 2}) {
		t.Errorf("counts %+v", c)
	}

	d, err := e.Plan(context.Background(), PlanOptions{Destroy: true})
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Counts(); c.Destroy != len(prior.Objects) || c.Add != 0 || !d.Destroy {
		t.Errorf("destroy counts %+v of %d objects", c, len(prior.Objects))
	}
	last := d.Changes[len(d.Changes)-1]
	if !last.ExerciseNamespace {
		t.Errorf("destroy does not end with a namespace: %s", last.Address)
	}
	if len(d.Checks) != 0 || len(d.Outputs) != 0 {
		t.Errorf("a destroy plan runs checks or shows outputs")
	}
}

// TestPlanReplace: -replace turns an unchanged object into a replacement,
// by its own address or by its exercise's or seat's, never a namespace, and
// the access podlab adds only by exact address.
func TestPlanReplace(t *testing.T) {
	files := map[string]string{
		"lab.podlab.hcl": `
lab {
  name  = "Demo Lab"
  seats = ["kim", "lee"]
}
cluster "local" {
  kubeconfig {}
}
exercise "app" {
  manifests = [file("app.yaml")]
}
`,
		"app.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n",
	}
	e := New(env(t, files), nil, "test")
	first, err := e.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prior := state.New("Demo Lab", "local")
	for _, ch := range first.Changes {
		prior.SetObject(&state.Object{Address: ch.Address, Instance: ch.Instance, Seat: ch.Seat, APIVersion: ch.APIVersion, Kind: ch.Kind,
			Namespace: ch.Namespace, Name: ch.Name, ManifestHash: ch.ManifestHash, ExerciseNamespace: ch.ExerciseNamespace, UID: "uid-" + ch.Address})
	}
	e.Prior = prior

	tests := []struct {
		replace []string
		want    []string // replaced addresses
		err     string
	}{
		{replace: nil},
		{replace: []string{`seat["kim"].exercise.app.Service.web`}, want: []string{`seat["kim"].exercise.app.Service.web`}},
		{replace: []string{`seat["lee"]`}, want: []string{`seat["lee"].exercise.app.Deployment.web`, `seat["lee"].exercise.app.Service.web`}},
		{replace: []string{`seat["kim"].exercise.app`, `seat["lee"].exercise.app.Role.podlab-student`},
			want: []string{`seat["kim"].exercise.app.Deployment.web`, `seat["kim"].exercise.app.Service.web`, `seat["lee"].exercise.app.Role.podlab-student`}},
		{replace: []string{`seat["ki"]`}, err: `-replace seat["ki"]: no object`},
		{replace: []string{`seat["kim"].exercise.app.Namespace.demo-lab-kim-app`}, err: "namespaces are never replaced"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.replace, " "), func(t *testing.T) {
			p, err := e.Plan(context.Background(), PlanOptions{Replace: tt.replace})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range p.Changes {
				switch ch.Action {
				case plan.Replace:
					got = append(got, ch.Address)
					if ch.UID != "uid-"+ch.Address || ch.Reason == "" {
						t.Errorf("%s: uid %q, reason %q", ch.Address, ch.UID, ch.Reason)
					}
				case plan.NoOp:
				default:
					t.Errorf("%s: %s", ch.Address, ch.Action)
				}
			}
			sort.Strings(got)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("replaced %q, want %q", got, tt.want)
			}
		})
	}
}
