package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestCycles(t *testing.T) {
	tests := []struct {
		name   string
		lab    string
		cycles []string // the details' circles, in order
	}{
		{"two exercises", "exercise \"a\" {\n  depends_on = [exercise.b]\n  manifests = []\n}\nexercise \"b\" {\n  namespace = exercise.a.namespace\n  manifests = []\n}\n",
			[]string{"exercise.a → exercise.b → exercise.a"}},
		{"three locals, started from the first declared", "locals {\n  c = local.a\n  a = local.b\n  b = local.c\n}\n",
			[]string{"local.c → local.a → local.b → local.c"}},
		{"two separate circles, each once", "locals {\n  a = local.b\n  b = local.a\n  x = local.y\n  y = local.x\n}\n",
			[]string{"local.a → local.b → local.a", "local.x → local.y → local.x"}},
		{"an output in a circle through an exercise and a local", "locals {\n  ns = exercise.e.namespace\n}\nexercise \"e\" {\n  namespace = \"${local.ns}-x\"\n  manifests = []\n}\n",
			[]string{"local.ns → exercise.e → local.ns"}},
		{"the shortest way round a bigger knot", "locals {\n  a = [local.b, local.c]\n  b = local.a\n  c = local.b\n}\n",
			[]string{"local.a → local.b → local.a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, files{"lab.podlab.hcl": localCluster + tt.lab})
			var got []string
			for _, d := range diags {
				if d.Summary != "Cycle in references" {
					t.Errorf("unexpected:%s", describe(hclDiags(d)))
					continue
				}
				_, circle, _ := strings.Cut(d.Detail, ": ")
				circle, _, _ = strings.Cut(circle, ". ")
				got = append(got, circle)
				if d.Subject == nil || d.Subject.Filename != "lab.podlab.hcl" {
					t.Errorf("the cycle is not placed: %v", d.Subject)
				}
			}
			if !reflect.DeepEqual(got, tt.cycles) {
				t.Errorf("cycles %q, want %q", got, tt.cycles)
			}
		})
	}
}

func TestGraphOrder(t *testing.T) {
	m, diags := load(t, files{"lab.podlab.hcl": `
variable "target" {
  default = "local"
}

locals {
  prefix = "x-${var.target}"
}

output "ns" {
  value = exercise.b.namespace
}

exercise "b" {
  depends_on = [exercise.a]
  namespace  = "${local.prefix}-b"
  manifests  = []
}

exercise "a" {
  manifests = []
}

lab {
  cluster = var.target
}

cluster "local" {
  kubeconfig {}
}
`})
	if diags.HasErrors() {
		t.Fatal(describe(diags))
	}
	g := m.Graph()
	order := g.TopoOrder()
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	for _, edge := range [][2]string{
		{"local.prefix", "exercise.b"}, {"exercise.a", "exercise.b"}, {"exercise.b", "output.ns"},
	} {
		if pos[edge[0]] > pos[edge[1]] {
			t.Errorf("%s comes after %s in %v", edge[0], edge[1], order)
		}
	}
	if len(order) != len(g.Nodes) {
		t.Errorf("order %v of nodes %v", order, g.Nodes)
	}
	if got := g.Uses("exercise.b"); !reflect.DeepEqual(got, []string{"exercise.a", "local.prefix"}) {
		t.Errorf("exercise.b uses %v", got)
	}
	if got := g.Uses("lab"); !reflect.DeepEqual(got, []string{"var.target"}) {
		t.Errorf("the lab uses %v", got)
	}
	// Variables are nodes but no dependencies: they are evaluated first.
	if deps := g.Deps["local.prefix"]; len(deps) != 0 {
		t.Errorf("local.prefix depends on %v", deps)
	}
}
