package command

import (
	"sort"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/internal/operation"
)

func runGraph(m *Meta, args []string) int {
	a, fs, err := arguments.ParseGraph(args)
	if err != nil {
		return parseError(m, "graph", "graph [-var NAME=VALUE] [-objects=false] [-json]", fs, err)
	}
	v := m.view(a.View)
	l, ok := m.loadLab(v, m.dir(a.Common), a.Vars, config.EvalOptions{})
	if !ok {
		return ExitError
	}
	v.ShowGraph(graph(l, a.Objects))
	return ExitOK
}

// graph is the lab's dependency graph: blocks, and with objects the
// Kubernetes objects of each exercise instance in apply order. An edge
// points from a node to what it depends on, as in Terraform's graph.
func graph(l *operation.Lab, objects bool) *views.Graph {
	mg := l.Module.Graph()
	g := &views.Graph{}
	nodes := append([]string(nil), mg.Nodes...)
	sort.Strings(nodes)
	for _, n := range nodes {
		shape := "box"
		switch {
		case strings.HasPrefix(n, "var."):
			shape = "note"
		case strings.HasPrefix(n, "output."):
			shape = "note"
		case strings.HasPrefix(n, "cluster."):
			shape = "component"
		}
		g.Node(n, n, shape)
	}
	for _, n := range nodes {
		for _, d := range mg.Uses(n) {
			g.Edge(n, d, "")
		}
	}
	if objects && l.Env != nil {
		for _, in := range l.Env.Instances {
			ns := engine.NamespaceAddress(in)
			g.Node(ns, "Namespace "+in.Namespace, "folder")
			g.Edge(ns, "exercise."+in.Exercise.Name, "dashed")
			for _, o := range in.Objects {
				g.Node(o.Address, o.GetKind()+" "+o.GetName(), "ellipse")
				g.Edge(o.Address, ns, "")
			}
		}
		if l.Env.Cluster != nil {
			for _, in := range l.Env.Instances {
				g.Edge(engine.NamespaceAddress(in), "cluster."+l.Env.Cluster.Name, "dotted")
			}
		}
	}
	return g
}
