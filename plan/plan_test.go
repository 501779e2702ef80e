package plan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

func TestSaveLoad(t *testing.T) {
	p := &Plan{
		FormatVersion: FormatVersion, PodlabVersion: "test", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Lab: "pod-basics", Environment: "gke", ConfigHash: "abc",
		Variables: map[string]json.RawMessage{"target": json.RawMessage(`{"value":"gke","type":"string"}`)},
		Cluster:   &ClusterChange{Name: "gke", Kind: "gke", Action: Create, Attributes: []Attribute{{"name", `"c"`}}},
		Changes: []*Change{{Address: "exercise.a.Pod.p", Action: Create, APIVersion: "v1", Kind: "Pod", Name: "p",
			Manifest: json.RawMessage(`{"kind":"Pod"}`), After: map[string]any{"kind": "Pod"}, Computed: []string{"status.podIP"}}},
		Checks:  []*CheckRef{{Address: "exercise.a.check[\"c\"]", Name: "c", Kind: "ready"}},
		Outputs: []*Output{{Name: "ip", Known: false}},
	}
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := Save(p, path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// Compared as JSON: raw messages come back indented.
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(p)
	if string(a) != string(b) {
		t.Errorf("round trip:\n%s\nwant\n%s", a, b)
	}
	if !reflect.DeepEqual(got.Changes[0].After, p.Changes[0].After) || got.Cluster.Attributes[0] != p.Cluster.Attributes[0] {
		t.Errorf("round trip lost fields")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files", len(entries))
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, err string
	}{
		{"not JSON", "plan", "is not a podlab plan file"},
		{"no format version", `{"lab": "x"}`, "no format_version"},
		{"newer format", `{"format_version": 99}`, "was saved by a newer podlab (plan format 99"},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
		if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "read plan") {
		t.Errorf("missing file: %v", err)
	}
	if err := Save(&Plan{FormatVersion: 1}, filepath.Join(dir, "no-such-dir", "p")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}

func TestCounts(t *testing.T) {
	p := &Plan{
		Cluster: &ClusterChange{Action: Create},
		Changes: []*Change{{Action: Create}, {Action: Update}, {Action: Replace}, {Action: Delete}, {Action: NoOp}, {Action: Create}},
	}
	// A replacement counts as one to add and one to destroy.
	if got := p.Counts(); got != (Counts{Add: 4, Change: 1, Destroy: 2, Replace: 1}) {
		t.Errorf("counts %+v", got)
	}
	if !p.HasChanges() {
		t.Error("no changes")
	}
	idle := &Plan{Cluster: &ClusterChange{Action: NoOp}, Changes: []*Change{{Action: NoOp}}}
	if idle.HasChanges() {
		t.Error("a plan of no-ops has changes")
	}
	// Adopting an object found in the cluster is a change to the state.
	idle.Changes[0].Adopt = true
	if !idle.HasChanges() {
		t.Error("adoption is not a change")
	}
}

func TestSymbols(t *testing.T) {
	for a, s := range map[Action]string{Create: "+", Update: "~", Replace: "-/+", Delete: "-", NoOp: " "} {
		if a.Symbol() != s {
			t.Errorf("%s: %q, want %q", a, a.Symbol(), s)
		}
	}
}
