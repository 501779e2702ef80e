package views

import (
	"fmt"
	"strconv"
	"strings"
)

// Graph is what podlab graph shows: nodes and edges, in the order they
// were added, which is the order of the DOT.
type Graph struct {
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`

	// order interleaves nodes (index >= 0) and edges (^index), so that the
	// DOT keeps each node beside its edges.
	order []int
}

// GraphNode is a block, a namespace or an object.
type GraphNode struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Shape string `json:"shape"`
}

// GraphEdge points from a node to what it depends on; Style is DOT's
// ("dashed", "dotted"), empty for a plain line.
type GraphEdge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Style string `json:"style,omitempty"`
}

// Node adds a node.
func (g *Graph) Node(id, label, shape string) {
	g.order = append(g.order, len(g.Nodes))
	g.Nodes = append(g.Nodes, GraphNode{ID: id, Label: label, Shape: shape})
}

// Edge adds an edge.
func (g *Graph) Edge(from, to, style string) {
	g.order = append(g.order, ^len(g.Edges))
	g.Edges = append(g.Edges, GraphEdge{From: from, To: to, Style: style})
}

// DOT renders the graph in Graphviz's language, as Terraform's graph does.
func (g *Graph) DOT() string {
	q := strconv.Quote
	var b strings.Builder
	b.WriteString("digraph podlab {\n  compound = \"true\"\n  newrank = \"true\"\n  rankdir = \"RL\"\n")
	for _, i := range g.order {
		if i >= 0 {
			n := g.Nodes[i]
			fmt.Fprintf(&b, "  %s [label = %s, shape = %q]\n", q(n.ID), q(n.Label), n.Shape)
			continue
		}
		e := g.Edges[^i]
		fmt.Fprintf(&b, "  %s -> %s", q(e.From), q(e.To))
		if e.Style != "" {
			fmt.Fprintf(&b, " [style = %q]", e.Style)
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// ShowGraph writes the graph: DOT, data for Graphviz and never colored;
// with -json one object of its nodes and edges.
func (v *View) ShowGraph(g *Graph) {
	if v.JSON {
		if g.Nodes == nil {
			g.Nodes = []GraphNode{}
		}
		if g.Edges == nil {
			g.Edges = []GraphEdge{}
		}
		_ = v.Raw(g)
		return
	}
	v.Data([]byte(g.DOT()))
}
