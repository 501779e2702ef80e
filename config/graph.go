package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
)

// Graph is the dependency graph of a module's blocks: an edge from A to B
// means A refers to B (or depends_on it), so B is evaluated and applied
// first.
type Graph struct {
	Nodes []string
	Deps  map[string][]string
	// refs keeps each node's references with their source ranges, for
	// diagnostics and for the order in which exercises are applied.
	refs map[string][]Ref
}

// LabNode is the graph node of the lab block.
const LabNode = "lab"

// Graph returns the module's dependency graph. It is valid only when Load
// reported no errors.
func (m *Module) Graph() *Graph {
	g, _ := m.buildGraph()
	return g
}

// allowed lists which references each kind of node may make.
var allowed = map[string][]RefKind{
	"local":    {RefVar, RefLocal, RefExercise, RefCluster, RefPath, RefPodlab},
	"cluster":  {RefVar, RefLocal, RefPath},
	LabNode:    {RefVar, RefLocal, RefPath},
	"exercise": {RefVar, RefLocal, RefExercise, RefCluster, RefSeat, RefPath, RefPodlab},
	"output":   {RefVar, RefLocal, RefExercise, RefCluster, RefPath, RefPodlab},
}

func (m *Module) buildGraph() (*Graph, hcl.Diagnostics) {
	g := &Graph{Deps: map[string][]string{}, refs: map[string][]Ref{}}
	var diags hcl.Diagnostics
	add := func(node, kind string, trs []hcl.Traversal, extra ...RefKind) {
		g.Nodes = append(g.Nodes, node)
		seen := map[string]bool{}
		for _, tr := range trs {
			ref, ds := parseRef(tr)
			if ds.HasErrors() {
				diags = append(diags, ds...)
				continue
			}
			if !refAllowed(ref.Kind, append(allowed[kind], extra...)) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   fmt.Sprintf("%s cannot be used in %s: %s", ref.Root, describeNode(node), whyNotAllowed(kind, ref.Kind)),
					Subject:  ref.Range.Ptr(),
				})
				continue
			}
			if d := m.checkTarget(ref); d != nil {
				diags = append(diags, d)
				continue
			}
			g.refs[node] = append(g.refs[node], ref)
			if dep := ref.Node(); dep != "" && !seen[dep] && !strings.HasPrefix(dep, "var.") {
				seen[dep] = true
				g.Deps[node] = append(g.Deps[node], dep)
			}
		}
	}
	for _, name := range m.VariableOrder {
		g.Nodes = append(g.Nodes, "var."+name)
	}
	for _, name := range m.LocalOrder {
		add("local."+name, "local", m.Locals[name].Expr.Variables())
	}
	for _, name := range m.ClusterOrder {
		// Dynamic blocks' own iterators are not references.
		c := m.Clusters[name]
		add("cluster."+name, "cluster", dynblock.VariablesHCLDec(c.Body, clusterKinds[c.Kind].Spec))
	}
	if m.Lab != nil {
		add(LabNode, LabNode, bodyTraversals(m.Lab.Body))
	}
	for _, name := range m.ExerciseOrder {
		e := m.Exercises[name]
		var extra []RefKind
		if e.ForEach != nil {
			extra = append(extra, RefEach)
		}
		if e.Count != nil {
			extra = append(extra, RefCount)
		}
		// The body's traversals include depends_on's.
		add("exercise."+name, "exercise", bodyTraversals(e.body), extra...)
	}
	for _, name := range m.OutputOrder {
		o := m.Outputs[name]
		add("output."+name, "output", append(o.Value.Variables(), o.DependsOn...))
	}
	for _, n := range g.Nodes {
		for _, d := range g.Deps[n] {
			if d == n {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Self-referential block",
					Detail:   fmt.Sprintf("%s refers to itself. A block cannot use its own values.", describeNode(n)),
					Subject:  g.refTo(n, d).Ptr(),
				})
			}
		}
	}
	diags = append(diags, g.cycles()...)
	diags = append(diags, g.labOnlyOnInputs()...)
	return g, diags
}

func refAllowed(k RefKind, list []RefKind) bool {
	for _, a := range list {
		if a == k {
			return true
		}
	}
	return false
}

func whyNotAllowed(nodeKind string, k RefKind) string {
	switch {
	case k == RefEach:
		return "each is available only in an exercise that sets for_each."
	case k == RefCount:
		return "count.index is available only in an exercise that sets count."
	case k == RefSeat:
		return "seat is available only inside an exercise, which is instantiated once per seat."
	case nodeKind == "cluster" || nodeKind == LabNode:
		return "cluster and lab blocks are read before anything is applied, so they may use only variables, locals and path."
	}
	return "this reference is not available here."
}

func describeNode(n string) string {
	if n == LabNode {
		return "the lab block"
	}
	return n
}

// checkTarget reports a reference to a block that does not exist.
func (m *Module) checkTarget(ref Ref) *hcl.Diagnostic {
	var names []string
	var what string
	switch ref.Kind {
	case RefVar:
		if _, ok := m.Variables[ref.Name]; ok {
			return nil
		}
		names, what = keys(m.Variables), "input variable"
	case RefLocal:
		if _, ok := m.Locals[ref.Name]; ok {
			return nil
		}
		names, what = keys(m.Locals), "local value"
	case RefExercise:
		if _, ok := m.Exercises[ref.Name]; ok {
			return nil
		}
		names, what = keys(m.Exercises), "exercise"
	case RefCluster:
		if _, ok := m.Clusters[ref.Name]; ok {
			return nil
		}
		names, what = keys(m.Clusters), "cluster"
	default:
		return nil
	}
	detail := fmt.Sprintf("There is no %s named %q.", what, ref.Name)
	if s := suggest(ref.Name, names); s != "" {
		detail += fmt.Sprintf(" Did you mean %s.%s?", ref.Root, s)
	} else if len(names) > 0 {
		detail += fmt.Sprintf(" The lab declares: %s.", strings.Join(names, ", "))
	} else {
		detail += fmt.Sprintf(" Declare it with a %s block.", blockFor(ref.Kind))
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference to undeclared " + what,
		Detail:   detail,
		Subject:  ref.Range.Ptr(),
	}
}

func blockFor(k RefKind) string {
	switch k {
	case RefVar:
		return "variable"
	case RefLocal:
		return "locals"
	}
	return refNames[k]
}

var refNames = map[RefKind]string{RefExercise: "exercise", RefCluster: "cluster"}

func (g *Graph) refTo(from, to string) hcl.Range {
	for _, r := range g.refs[from] {
		if r.Node() == to {
			return r.Range
		}
	}
	return hcl.Range{}
}

// cycles finds every cycle (each reported once) with Tarjan's algorithm.
func (g *Graph) cycles() hcl.Diagnostics {
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var comps [][]string
	next := 0
	var visit func(n string)
	visit = func(n string) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		for _, d := range g.Deps[n] {
			if _, seen := index[d]; !seen {
				visit(d)
				low[n] = min(low[n], low[d])
			} else if onStack[d] {
				low[n] = min(low[n], index[d])
			}
		}
		if low[n] == index[n] {
			var comp []string
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[top] = false
				comp = append(comp, top)
				if top == n {
					break
				}
			}
			if len(comp) > 1 {
				comps = append(comps, comp)
			}
		}
	}
	for _, n := range g.Nodes {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	var diags hcl.Diagnostics
	for _, comp := range comps {
		path := g.cyclePath(comp)
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in references",
			Detail: fmt.Sprintf("These blocks refer to each other in a circle: %s. Break the circle by removing one of the references.",
				strings.Join(path, " → ")),
			Subject: g.refTo(path[0], path[1]).Ptr(),
		})
	}
	return diags
}

// cyclePath orders a strongly connected component as one walk around it,
// starting from its first node in declaration order.
func (g *Graph) cyclePath(comp []string) []string {
	in := map[string]bool{}
	for _, n := range comp {
		in[n] = true
	}
	order := map[string]int{}
	for i, n := range g.Nodes {
		order[n] = i
	}
	sort.Slice(comp, func(i, j int) bool { return order[comp[i]] < order[comp[j]] })
	start := comp[0]
	// Breadth-first search for the shortest way back to start.
	prev := map[string]string{}
	queue := []string{start}
	visited := map[string]bool{start: true}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range g.Deps[n] {
			if !in[d] {
				continue
			}
			if d == start {
				var back []string
				for c := n; c != start; c = prev[c] {
					back = append(back, c)
				}
				path := append([]string{start}, reverse(back)...)
				return append(path, start)
			}
			if !visited[d] {
				visited[d] = true
				prev[d] = n
				queue = append(queue, d)
			}
		}
	}
	return append(comp, start)
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// labOnlyOnInputs keeps the lab and cluster blocks evaluable before anything
// is applied: a local they use must not itself depend on an exercise.
func (g *Graph) labOnlyOnInputs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range g.Nodes {
		if n != LabNode && !strings.HasPrefix(n, "cluster.") {
			continue
		}
		for _, via := range g.Deps[n] {
			if bad := g.reachesApplied(via, map[string]bool{}); bad != "" {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail: fmt.Sprintf("%s uses %s, which depends on %s; the lab and cluster blocks may use only values known before anything is applied.",
						describeNode(n), via, bad),
					Subject: g.refTo(n, via).Ptr(),
				})
			}
		}
	}
	return diags
}

func (g *Graph) reachesApplied(n string, seen map[string]bool) string {
	if seen[n] {
		return ""
	}
	seen[n] = true
	if strings.HasPrefix(n, "exercise.") || strings.HasPrefix(n, "cluster.") {
		return n
	}
	for _, d := range g.Deps[n] {
		if bad := g.reachesApplied(d, seen); bad != "" {
			return bad
		}
	}
	return ""
}

// Uses lists every block node refers to, variables included (Deps leaves
// them out because variables are evaluated before everything else).
func (g *Graph) Uses(node string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range g.refs[node] {
		if n := r.Node(); n != "" && !seen[n] && n != node {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// TopoOrder returns the nodes so that every node comes after the nodes it
// depends on, keeping declaration order where the graph allows. It assumes
// the graph has no cycles.
func (g *Graph) TopoOrder() []string {
	done := map[string]bool{}
	var out []string
	var visit func(n string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		for _, d := range g.Deps[n] {
			visit(d)
		}
		out = append(out, n)
	}
	for _, n := range g.Nodes {
		visit(n)
	}
	return out
}

func (m *Module) checkReferences() hcl.Diagnostics {
	_, diags := m.buildGraph()
	return diags
}
