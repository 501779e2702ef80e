package command

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/operation"
)

func runGraph(m *Meta, args []string) int {
	a, fs, err := arguments.ParseGraph(args)
	if err != nil {
		return parseError(m, "graph", "graph [-var NAME=VALUE] [-objects=false]", fs, err)
	}
	v := m.view(a.View)
	l, diags := m.load(m.dir(a.Common), a.Vars, "", false)
	v.Diagnostics(diags, l.Files)
	if diags.HasErrors() {
		return ExitError
	}
	fmt.Fprint(m.Stdout, dot(l, a.Objects))
	return ExitOK
}

// dot renders the lab's dependency graph: blocks, and with objects the
// Kubernetes objects of each exercise instance in apply order. An edge
// points from a node to what it depends on, as in Terraform's graph.
func dot(l *operation.Lab, objects bool) string {
	g := l.Module.Graph()
	var b strings.Builder
	b.WriteString("digraph podlab {\n  compound = \"true\"\n  newrank = \"true\"\n  rankdir = \"RL\"\n")
	q := strconv.Quote
	nodes := append([]string(nil), g.Nodes...)
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
		fmt.Fprintf(&b, "  %s [label = %s, shape = %q]\n", q(n), q(n), shape)
	}
	for _, n := range nodes {
		for _, d := range g.Uses(n) {
			fmt.Fprintf(&b, "  %s -> %s\n", q(n), q(d))
		}
	}
	if objects && l.Env != nil {
		for _, in := range l.Env.Instances {
			ns := engine.NamespaceAddress(in)
			fmt.Fprintf(&b, "  %s [label = %s, shape = \"folder\"]\n", q(ns), q("Namespace "+in.Namespace))
			fmt.Fprintf(&b, "  %s -> %s [style = \"dashed\"]\n", q(ns), q("exercise."+in.Exercise.Name))
			for _, o := range in.Objects {
				fmt.Fprintf(&b, "  %s [label = %s, shape = \"ellipse\"]\n", q(o.Address), q(o.GetKind()+" "+o.GetName()))
				fmt.Fprintf(&b, "  %s -> %s\n", q(o.Address), q(ns))
			}
		}
		if l.Env.Cluster != nil {
			for _, in := range l.Env.Instances {
				fmt.Fprintf(&b, "  %s -> %s [style = \"dotted\"]\n", q(engine.NamespaceAddress(in)), q("cluster."+l.Env.Cluster.Name))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}
