package views

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/podlab/podlab/plan"
)

// Plan shows a plan: each change with what it does to the object, the
// checks apply will run, the outputs and a summary line.
func (v *View) Plan(p *plan.Plan) {
	if v.JSON {
		v.planJSON(p)
		return
	}
	var b strings.Builder
	if !p.HasChanges() && p.Destroy {
		fmt.Fprintf(&b, "\n%s The environment %q of lab %q has nothing to destroy.\n",
			v.Bold(v.Green("No changes.")), p.Environment, p.Lab)
		v.Printf("%s", b.String())
		return
	}
	if !p.HasChanges() {
		fmt.Fprintf(&b, "\n%s %s\n",
			v.Bold(v.Green(v.T("No changes."))), v.T("The environment %q of lab %q matches the configuration.", p.Environment, p.Lab))
		if !p.Refreshed && !p.Destroy {
			b.WriteString(v.Dim("(The cluster was not asked; the state was trusted.)") + "\n")
		}
		v.Printf("%s", b.String())
		return
	}
	verb := "perform the following actions"
	if p.Destroy {
		verb = "destroy the following"
	}
	if p.RefreshOnly {
		verb = "record the following in state (-refresh-only: nothing in the cluster changes)"
	}
	fmt.Fprintf(&b, "\npodlab will %s in environment %s of lab %s:\n", verb, v.Bold(strconv.Quote(p.Environment)), v.Bold(strconv.Quote(p.Lab)))
	switch {
	case p.Cluster != nil && p.Cluster.Action == plan.Create:
		b.WriteString(v.Dim("(The cluster does not exist yet: it and everything in it will be created.)") + "\n")
	case !p.Refreshed && !p.Destroy:
		b.WriteString(v.Dim("(The cluster was not asked: the plan compares the configuration with the state only.)") + "\n")
	}
	if p.Cluster != nil && p.Cluster.Action != plan.NoOp {
		v.clusterChange(&b, p.Cluster)
	}
	v.changes(&b, p.Changes)
	if len(p.Checks) > 0 && !p.Destroy {
		b.WriteString("\nChecks that apply will run afterwards:\n")
		v.plannedChecks(&b, p.Checks)
	}
	if len(p.Outputs) > 0 && !p.Destroy {
		b.WriteString("\nOutputs:\n")
		width := 0
		for _, o := range p.Outputs {
			width = max(width, Width(o.Name))
		}
		for _, o := range p.Outputs {
			text := strings.ReplaceAll(v.outputText(o), "\n", "\n"+strings.Repeat(" ", width+5))
			fmt.Fprintf(&b, "  %s = %s\n", PadRight(o.Name, width), text)
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\n%s %s\n", v.Bold("Note:"), n)
	}
	c := p.Counts()
	fmt.Fprintf(&b, "\n%s %s\n", v.Bold(v.T("Plan:")), v.T("%d to add, %d to change, %d to destroy.", c.Add, c.Change, c.Destroy))
	v.Printf("%s", b.String())
}

func (v *View) outputText(o *plan.Output) string {
	switch {
	case o.Sensitive:
		return "(sensitive value)"
	case !o.Known:
		return v.Dim("(known after apply)")
	}
	return o.Display
}

func (v *View) symbol(a plan.Action) string {
	s := a.Symbol()
	switch a {
	case plan.Create:
		return v.Green(s)
	case plan.Update:
		return v.Yellow(s)
	case plan.Delete:
		return v.Red(s)
	case plan.Replace:
		return v.Red("-") + "/" + v.Green("+")
	}
	return s
}

func verbFor(a plan.Action) string {
	switch a {
	case plan.Create:
		return "will be created"
	case plan.Update:
		return "will be updated in place"
	case plan.Replace:
		return "must be replaced"
	case plan.Delete:
		return "will be destroyed"
	}
	return "will be recorded in state"
}

func (v *View) clusterChange(b *strings.Builder, c *plan.ClusterChange) {
	fmt.Fprintf(b, "\n  %s\n", v.Bold(fmt.Sprintf("# cluster.%s %s", c.Name, verbFor(c.Action))))
	if c.Reason != "" {
		fmt.Fprintf(b, "  %s\n", v.Dim("# ("+c.Reason+")"))
	}
	fmt.Fprintf(b, "%s %s\n", pad(v.symbol(c.Action), c.Action), c.Title)
	width := 0
	for _, a := range c.Attributes {
		width = max(width, Width(a.Name))
	}
	for _, a := range c.Attributes {
		sym := v.symbol(c.Action)
		if c.Action == plan.Update && !strings.Contains(a.Value, "→") {
			// Only what changes carries the mark; the rest is context.
			sym = " "
		}
		fmt.Fprintf(b, "      %s %s = %s\n", sym, PadRight(a.Name, width), a.Value)
	}
}

// pad right-aligns a symbol in a 3-column gutter, as Terraform does.
func pad(sym string, a plan.Action) string {
	if a == plan.Replace {
		return sym
	}
	return "  " + sym
}

func (v *View) objectChange(b *strings.Builder, ch *plan.Change) {
	header := fmt.Sprintf("# %s %s", ch.Address, verbFor(ch.Action))
	if ch.Adopt && ch.Action == plan.NoOp {
		header = fmt.Sprintf("# %s exists in the cluster and will be recorded in state", ch.Address)
	}
	if ch.Forget {
		header = fmt.Sprintf("# %s is gone from the cluster and will be removed from state", ch.Address)
	}
	fmt.Fprintf(b, "\n  %s\n", v.Bold(header))
	if ch.Reason != "" {
		fmt.Fprintf(b, "  %s\n", v.Dim("# ("+ch.Reason+")"))
	}
	where := ""
	if ch.Namespace != "" {
		where = " in namespace " + strconv.Quote(ch.Namespace)
	}
	kind, name := ch.Kind, strconv.Quote(ch.Name)
	if ch.Deferred {
		kind, name = "objects", v.Dim("(known after apply)")
	}
	fmt.Fprintf(b, "%s %s %s%s\n", pad(v.symbol(ch.Action), ch.Action), kind, name, where)
	switch {
	case ch.Deferred:
	case ch.Sensitive && ch.Action != plan.Delete:
		fmt.Fprintf(b, "      %s\n", v.Dim("(the manifest holds sensitive values and is not shown)"))
	case ch.Action == plan.Create && ch.ExerciseNamespace:
		// The namespace podlab makes says nothing beyond its name and
		// the Pod Security it enforces.
		if ps := podSecurity(ch.After); ps != "" {
			fmt.Fprintf(b, "      %s %s\n", v.Green("+"), ps)
		}
	case ch.Action == plan.Create:
		v.body(b, "+", withComputed(ch.After, ch.Computed))
	case ch.Action == plan.Update || ch.Action == plan.Replace:
		v.fieldDiff(b, ch)
	}
}

// body shows a manifest as YAML, each line marked, without podlab's own
// labels and annotations (they are on every object and say nothing new).
func (v *View) body(b *strings.Builder, mark string, obj map[string]any) {
	if obj == nil {
		return
	}
	y, err := yaml.Marshal(withoutBookkeeping(obj))
	if err != nil {
		return
	}
	for _, line := range strings.Split(strings.TrimRight(string(y), "\n"), "\n") {
		fmt.Fprintf(b, "      %s %s\n", v.Green(mark), line)
	}
}

// KnownAfterApply stands in for a value no one knows before apply.
const KnownAfterApply = "(known after apply)"

// withComputed marks the fields known only after apply in a copy of obj,
// so they show in place in the YAML.
func withComputed(obj map[string]any, paths []string) map[string]any {
	if obj == nil {
		return nil
	}
	out := deepCopyMap(obj)
	for _, p := range paths {
		parts := strings.Split(p, ".")
		m := out
		for _, k := range parts[:len(parts)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = KnownAfterApply
	}
	return out
}

func deepCopyMap(obj map[string]any) map[string]any {
	b, _ := json.Marshal(obj)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func withoutBookkeeping(obj map[string]any) map[string]any {
	out := deepCopyMap(obj)
	md, _ := out["metadata"].(map[string]any)
	if md == nil {
		return out
	}
	for _, field := range []string{"labels", "annotations"} {
		m, _ := md[field].(map[string]any)
		for k := range m {
			if strings.HasPrefix(k, "podlab.dev/") || k == "app.kubernetes.io/managed-by" {
				delete(m, k)
			}
		}
		if len(m) == 0 {
			delete(md, field)
		}
	}
	if ns, ok := md["namespace"]; ok && ns != "" {
		delete(md, "namespace")
	}
	return out
}

// fieldDiff shows the leaves that change, one path per line.
func (v *View) fieldDiff(b *strings.Builder, ch *plan.Change) {
	// podlab's own labels stay in: when one changed, that is the change.
	before, after := flatten(ch.Before), flatten(ch.After)
	paths := map[string]bool{}
	for p := range before {
		paths[p] = true
	}
	for p := range after {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	forces := map[string]bool{}
	for _, f := range ch.ForcesReplacement {
		forces[f] = true
	}
	shown := 0
	for _, p := range sorted {
		bv, inB := before[p]
		av, inA := after[p]
		note := ""
		if forces[p] || forcedBy(p, ch.ForcesReplacement) {
			note = " " + v.Red("# forces replacement")
		}
		switch {
		case inB && inA && bv != av:
			fmt.Fprintf(b, "      %s %s: %s -> %s%s\n", v.Yellow("~"), p, bv, av, note)
		case inA && !inB:
			fmt.Fprintf(b, "      %s %s: %s%s\n", v.Green("+"), p, av, note)
		case inB && !inA:
			fmt.Fprintf(b, "      %s %s: %s%s\n", v.Red("-"), p, bv, note)
		default:
			continue
		}
		shown++
	}
	if shown == 0 && len(ch.ForcesReplacement) > 0 {
		for _, f := range ch.ForcesReplacement {
			fmt.Fprintf(b, "      %s %s %s\n", v.Yellow("~"), f, v.Red("# forces replacement"))
		}
	}
}

func forcedBy(p string, forces []string) bool {
	for _, f := range forces {
		if strings.HasPrefix(p, f+".") || strings.HasPrefix(p, f+"[") {
			return true
		}
	}
	return false
}

// flatten maps every leaf of an object to its path, as
// "spec.containers[0].image" = "\"nginx\"".
func flatten(obj map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 0 && prefix != "" {
				out[prefix] = "{}"
			}
			for k, e := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, e)
			}
		case []any:
			if len(t) == 0 {
				out[prefix] = "[]"
			}
			for i, e := range t {
				walk(fmt.Sprintf("%s[%d]", prefix, i), e)
			}
		default:
			b, _ := json.Marshal(t)
			out[prefix] = string(b)
		}
	}
	if obj != nil {
		walk("", obj)
	}
	return out
}

func (v *View) planJSON(p *plan.Plan) {
	if p.Cluster != nil && p.Cluster.Action != plan.NoOp {
		v.Event("planned_change", map[string]any{
			"@message": fmt.Sprintf("cluster.%s: plan to %s", p.Cluster.Name, p.Cluster.Action),
			"change":   map[string]any{"resource": map[string]any{"addr": "cluster." + p.Cluster.Name, "kind": p.Cluster.Kind}, "action": p.Cluster.Action, "reason": p.Cluster.Reason},
		})
	}
	for _, ch := range p.Changes {
		if ch.Action == plan.NoOp && !ch.Adopt {
			continue
		}
		v.Event("planned_change", map[string]any{
			"@message": fmt.Sprintf("%s: plan to %s", ch.Address, ch.Action),
			"change": map[string]any{
				"resource": map[string]any{
					"addr": ch.Address, "instance": ch.Instance, "api_version": ch.APIVersion, "kind": ch.Kind,
					"namespace": ch.Namespace, "name": ch.Name,
				},
				"action": ch.Action, "reason": ch.Reason, "forces_replacement": ch.ForcesReplacement,
				"deferred": ch.Deferred, "adopt": ch.Adopt,
			},
		})
	}
	for _, c := range p.Checks {
		v.Event("planned_check", map[string]any{"@message": "check " + c.Address, "check": c})
	}
	for _, n := range p.Notes {
		v.Event("plan_note", map[string]any{"@message": n})
	}
	c := p.Counts()
	op := "plan"
	if p.Destroy {
		op = "destroy"
	}
	v.Event("change_summary", map[string]any{
		"@message": fmt.Sprintf("Plan: %d to add, %d to change, %d to destroy.", c.Add, c.Change, c.Destroy),
		"changes":  map[string]any{"add": c.Add, "change": c.Change, "remove": c.Destroy, "operation": op},
	})
	outs := map[string]any{}
	for _, o := range p.Outputs {
		entry := map[string]any{"sensitive": o.Sensitive, "known": o.Known}
		if o.Known && !o.Sensitive {
			entry["value"] = o.Value
		}
		outs[o.Name] = entry
	}
	if len(outs) > 0 {
		v.Event("outputs", map[string]any{"outputs": outs})
	}
}

func shown(ch *plan.Change) bool {
	return ch.Action != plan.NoOp || ch.Adopt || ch.Forget
}

// changes shows the object changes. Seats whose changes are alike (the
// same objects, actions and reasons) are shown once, for the first of
// them, with the list of seats; -verbose shows every seat.
func (v *View) changes(b *strings.Builder, changes []*plan.Change) {
	var seats []string
	bySeat := map[string][]*plan.Change{}
	for _, ch := range changes {
		if !shown(ch) {
			continue
		}
		if ch.Seat == "" || v.Verbose {
			v.objectChange(b, ch)
			continue
		}
		if _, ok := bySeat[ch.Seat]; !ok {
			seats = append(seats, ch.Seat)
		}
		bySeat[ch.Seat] = append(bySeat[ch.Seat], ch)
	}
	var groups [][]string
	bySig := map[string]int{}
	for _, seat := range seats {
		sig := seatSignature(bySeat[seat])
		i, ok := bySig[sig]
		if !ok {
			i = len(groups)
			bySig[sig] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], seat)
	}
	for _, g := range groups {
		rep := bySeat[g[0]]
		if len(g) > 1 {
			names := g
			more := ""
			if len(names) > 8 {
				names, more = names[:8], fmt.Sprintf(" and %d more", len(g)-8)
			}
			fmt.Fprintf(b, "\n  %s\n", v.Bold(fmt.Sprintf("# %d seats × %d objects alike: %s%s", len(g), len(rep), strings.Join(names, ", "), more)))
			fmt.Fprintf(b, "  %s\n", v.Dim(fmt.Sprintf("# (shown for seat %q; -verbose shows every seat)", g[0])))
		}
		for _, ch := range rep {
			v.objectChange(b, ch)
		}
	}
}

// seatSignature describes a seat's changes without the seat's name, so
// that alike seats compare equal.
func seatSignature(chs []*plan.Change) string {
	var parts []string
	for _, ch := range chs {
		addr := ch.Address
		if i := strings.Index(addr, "]."); strings.HasPrefix(addr, "seat[") && i > 0 {
			addr = addr[i+2:]
		}
		if ch.Kind == "Namespace" {
			addr = addr[:strings.LastIndex(addr, ".")+1] + "*"
		}
		parts = append(parts, fmt.Sprintf("%s|%s|%s|%v", addr, ch.Action, ch.Reason, ch.ForcesReplacement))
	}
	return strings.Join(parts, "\n")
}

// plannedChecks lists the checks by instance; with seats, each exercise's
// checks once, "for each of N seats", unless -verbose.
func (v *View) plannedChecks(b *strings.Builder, checks []*plan.CheckRef) {
	type group struct {
		instance string
		checks   []*plan.CheckRef // of the group's first instance
	}
	var groups []*group
	index := map[string]*group{}
	for _, c := range checks {
		inst := c.Instance
		if i := strings.Index(inst, "]."); strings.HasPrefix(inst, "seat[") && i > 0 && !v.Verbose {
			inst = "seat[*]." + inst[i+2:]
		}
		g, ok := index[inst]
		if !ok {
			g = &group{instance: inst}
			index[inst] = g
			groups = append(groups, g)
		}
		if len(g.checks) == 0 || g.checks[0].Instance == c.Instance {
			g.checks = append(g.checks, c)
		}
	}
	for _, g := range groups {
		head := g.instance
		if strings.HasPrefix(head, "seat[*].") {
			head += v.Dim(" (for each seat)")
		}
		fmt.Fprintf(b, "  %s\n", head)
		for _, c := range g.checks {
			fmt.Fprintf(b, "    - %s %s\n", c.Name, v.Dim("("+c.Summary+")"))
		}
	}
}

// podSecurity describes a namespace's Pod Security labels in a line, as
// "Pod Security: enforce baseline, warn restricted, audit restricted".
func podSecurity(obj map[string]any) string {
	md, _ := obj["metadata"].(map[string]any)
	labels, _ := md["labels"].(map[string]any)
	var parts []string
	for _, mode := range []string{"enforce", "warn", "audit"} {
		if l, ok := labels["pod-security.kubernetes.io/"+mode].(string); ok {
			parts = append(parts, mode+" "+l)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Pod Security: " + strings.Join(parts, ", ")
}
