package views

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/internal/golden"
	"github.com/podlab/podlab/plan"
)

// everyAction is a plan with one change of each kind the views draw.
func everyAction() *plan.Plan {
	return &plan.Plan{
		Lab: "pod-basics", Environment: "onprem", Refreshed: true,
		Cluster: &plan.ClusterChange{Name: "onprem", Kind: "kubeadm", Title: "kubeadm cluster on 1 host(s)", Action: plan.Update,
			Reason: "a worker was added", Attributes: []plan.Attribute{{Name: "workers", Value: `["10.0.0.11"]`}}},
		Changes: []*plan.Change{
			{Address: "exercise.a.Namespace.lab-a", Instance: "exercise.a", Action: plan.Create, APIVersion: "v1", Kind: "Namespace", Name: "lab-a", ExerciseNamespace: true},
			{Address: "exercise.a.Pod.web", Instance: "exercise.a", Action: plan.Create, APIVersion: "v1", Kind: "Pod", Namespace: "lab-a", Name: "web",
				After: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "web", "namespace": "lab-a",
					"labels": map[string]any{"app": "web", "podlab.dev/env": "x", "app.kubernetes.io/managed-by": "podlab"}}},
				Computed: []string{"metadata.uid", "status.podIP"}},
			{Address: "exercise.a.ConfigMap.settings", Instance: "exercise.a", Action: plan.Update, Reason: "it differs from the configuration",
				APIVersion: "v1", Kind: "ConfigMap", Namespace: "lab-a", Name: "settings",
				Before: map[string]any{"data": map[string]any{"a": "1", "gone": "x"}},
				After:  map[string]any{"data": map[string]any{"a": "2", "new": []any{}}}},
			{Address: "exercise.a.Service.web", Instance: "exercise.a", Action: plan.Replace, APIVersion: "v1", Kind: "Service", Namespace: "lab-a", Name: "web",
				Before:            map[string]any{"spec": map[string]any{"clusterIP": "10.96.0.10", "ports": []any{map[string]any{"port": 80}}}},
				After:             map[string]any{"spec": map[string]any{"clusterIP": "10.96.0.20", "ports": []any{map[string]any{"port": 80}}}},
				ForcesReplacement: []string{"spec.clusterIP"}},
			{Address: "exercise.a.Secret.token", Instance: "exercise.a", Action: plan.Create, APIVersion: "v1", Kind: "Secret", Namespace: "lab-a", Name: "token", Sensitive: true,
				After: map[string]any{"stringData": map[string]any{"token": "s3cr3t"}}},
			{Address: "exercise.b.*", Instance: "exercise.b", Action: plan.Create, Deferred: true, Reason: "its manifests depend on values known only after apply"},
			{Address: "exercise.c.Pod.left", Instance: "exercise.c", Action: plan.NoOp, Adopt: true, APIVersion: "v1", Kind: "Pod", Namespace: "lab-c", Name: "left"},
			{Address: "exercise.c.Pod.same", Instance: "exercise.c", Action: plan.NoOp, APIVersion: "v1", Kind: "Pod", Namespace: "lab-c", Name: "same"},
			{Address: "exercise.old.Pod.p", Instance: "exercise.old", Action: plan.Delete, Reason: "it is no longer in the configuration", APIVersion: "v1", Kind: "Pod", Namespace: "lab-old", Name: "p"},
		},
		Checks: []*plan.CheckRef{
			{Address: `exercise.a.check["running"]`, Instance: "exercise.a", Name: "running", Kind: "ready", Summary: "ready"},
			{Address: `exercise.a.check["answers"]`, Instance: "exercise.a", Name: "answers", Kind: "http", Summary: "http from node"},
		},
		Outputs: []*plan.Output{
			{Name: "ip", Known: false},
			{Name: "token", Known: true, Sensitive: true, Value: json.RawMessage(`"s3cr3t"`), Display: `"s3cr3t"`},
			{Name: "namespaces", Known: true, Value: json.RawMessage(`{"a":"lab-a"}`), Display: "{\n  a = \"lab-a\"\n}"},
		},
		Notes: []string{"1 object was found in the cluster and will be recorded in state."},
	}
}

var timestampRe = regexp.MustCompile(`"@timestamp":"[^"]*"`)

func TestGoldenPlanView(t *testing.T) {
	for _, tt := range []struct {
		name string
		json bool
		p    func() *plan.Plan
	}{
		{"every-action.txt", false, everyAction},
		{"every-action.jsonl", true, everyAction},
		{"no-changes.txt", false, func() *plan.Plan {
			return &plan.Plan{Lab: "pod-basics", Environment: "kubeconfig", Changes: []*plan.Change{{Action: plan.NoOp}}}
		}},
		{"destroy.txt", false, func() *plan.Plan {
			p := everyAction()
			p.Destroy, p.Cluster = true, &plan.ClusterChange{Name: "onprem", Title: "kubeadm cluster", Action: plan.Delete}
			p.Changes = p.Changes[len(p.Changes)-1:]
			return p
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			v := New(&out, &errOut, false, tt.json)
			v.Plan(tt.p())
			got := timestampRe.ReplaceAll(out.Bytes(), []byte(`"@timestamp":"TIME"`))
			golden.Check(t, filepath.Join("testdata", tt.name), got)
			if errOut.Len() > 0 {
				t.Errorf("stderr: %s", errOut.String())
			}
		})
	}
}

func TestDiagnosticJSON(t *testing.T) {
	src := []byte("variable \"x\" {\n  default = nope\n}\n")
	files := map[string]*hcl.File{"lab.podlab.hcl": {Bytes: src}}
	rng := func(l1, c1, b1, l2, c2, b2 int) *hcl.Range {
		return &hcl.Range{Filename: "lab.podlab.hcl", Start: hcl.Pos{Line: l1, Column: c1, Byte: b1}, End: hcl.Pos{Line: l2, Column: c2, Byte: b2}}
	}
	tests := []struct {
		name    string
		d       *hcl.Diagnostic
		snippet *JSONSnippet
	}{
		{"one line", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "s", Subject: rng(2, 13, 27, 2, 17, 31)},
			&JSONSnippet{Code: "  default = nope", StartLine: 2, HighlightStartOffset: 12, HighlightEndOffset: 16}},
		{"two lines", &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "s", Subject: rng(1, 1, 0, 2, 10, 24)},
			&JSONSnippet{Code: "variable \"x\" {\n  default = nope", StartLine: 1, HighlightStartOffset: 0, HighlightEndOffset: 24}},
		{"no subject", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "s"}, nil},
		{"file not known", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "s", Subject: &hcl.Range{Filename: "other.hcl"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := DiagnosticJSON(tt.d, files)
			if (tt.d.Subject == nil) != (j.Range == nil) {
				t.Errorf("range %+v", j.Range)
			}
			if tt.snippet == nil {
				if j.Snippet != nil {
					t.Errorf("snippet %+v", j.Snippet)
				}
				return
			}
			if j.Snippet == nil || *j.Snippet != *tt.snippet {
				t.Errorf("snippet %+v, want %+v", j.Snippet, tt.snippet)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:       "850ms",
		3200 * time.Millisecond:      "3.2s",
		125 * time.Second:            "2m05s",
		61*time.Minute + time.Second: "61m01s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestNoColorOffTerminal: a buffer is no terminal, so nothing is colored.
func TestNoColorOffTerminal(t *testing.T) {
	var out bytes.Buffer
	v := New(&out, &out, false, false)
	if v.Color || v.Green("x") != "x" {
		t.Error("color on a buffer")
	}
	v.Errorf("bad %s", "thing")
	if out.String() != "Error: bad thing\n" {
		t.Errorf("Errorf wrote %q", out.String())
	}
}

// TestPlanViewLeavesPlanAlone: plan -out saves the plan after showing it,
// so showing must not change it.
func TestPlanViewLeavesPlanAlone(t *testing.T) {
	p := everyAction()
	before, _ := json.Marshal(p)
	var out bytes.Buffer
	New(&out, &out, false, false).Plan(p)
	New(&out, &out, false, true).Plan(p)
	if after, _ := json.Marshal(p); !bytes.Equal(before, after) {
		t.Errorf("showing the plan changed it:\n%s\n%s", before, after)
	}
}
