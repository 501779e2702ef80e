package command

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/golden"
)

// graph prints the course lab's graph as DOT, byte for byte as before;
// with -json, the same nodes and edges as one JSON object.
func TestGraphGolden(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	lab := copyLab(t, exampleDir)
	r := run(t, lab, nil, "graph", "-var", "target=onprem")
	if r.code != ExitOK || r.stderr != "" {
		t.Fatalf("graph: exit %d\n%s", r.code, r.stderr)
	}
	golden.Check(t, filepath.Join("testdata", "graph", "pod-basics-onprem.dot"), []byte(r.stdout))

	js := run(t, lab, nil, "graph", "-var", "target=onprem", "-json")
	var g views.Graph
	if js.code != ExitOK || strings.Count(js.stdout, "\n") != 1 || json.Unmarshal([]byte(js.stdout), &g) != nil {
		t.Fatalf("graph -json: exit %d, not one JSON object on one line:\n%s%s", js.code, js.stdout, js.stderr)
	}
	for _, n := range g.Nodes {
		if !strings.Contains(r.stdout, "  "+quote(n.ID)+" [label = "+quote(n.Label)+", shape = "+quote(n.Shape)+"]\n") {
			t.Errorf("graph -json has node %+v, the DOT does not", n)
		}
	}
	edges := 0
	for _, e := range g.Edges {
		if !strings.Contains(r.stdout, "  "+quote(e.From)+" -> "+quote(e.To)) {
			t.Errorf("graph -json has edge %+v, the DOT does not", e)
		}
		edges++
	}
	if want := strings.Count(r.stdout, " -> "); edges != want || len(g.Nodes) != strings.Count(r.stdout, "[label = ") {
		t.Errorf("graph -json has %d nodes and %d edges; the DOT %d and %d", len(g.Nodes), edges, strings.Count(r.stdout, "[label = "), want)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
