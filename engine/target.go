package engine

import (
	"fmt"
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// targeting is what -target asked for: the plan is limited to the objects
// at these addresses (or within them: an exercise, an instance, a seat)
// and to what they need, as Terraform's -target is. It is how one student
// is added or removed without touching the others' objects. Addresses are
// read as -replace reads them.
type targeting struct {
	addrs []string
	used  map[string]bool
}

func newTargeting(addrs []string) *targeting {
	if len(addrs) == 0 {
		return nil
	}
	return &targeting{addrs: addrs, used: map[string]bool{}}
}

// matches reports whether addr is, or is within, a target, and notes the
// target as used.
func (t *targeting) matches(addr string) bool {
	if t == nil {
		return true
	}
	hit := false
	for _, a := range t.addrs {
		if config.AddressWithin(addr, a) {
			t.used[a] = true
			hit = true
		}
	}
	return hit
}

// unused reports the targets that named nothing.
func (t *targeting) unused() error {
	if t == nil {
		return nil
	}
	missing := unmatched(t.addrs, t.used)
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("-target %s: nothing in the configuration or the state has that address; "+
		"give an object's address as the plan or \"podlab state list\" shows it, or an exercise's or seat's for all its objects, "+
		`such as exercise.nginx_pod or seat["kim"]`, strings.Join(missing, ", "))
}

// selectTargets keeps the targeted objects and everything they need: the
// objects they depend on (their namespace, what depends_on names), a
// seat's access to the exercises kept (the student's Role and RoleBinding,
// and through them the seat's namespace and ServiceAccount), and the
// probes' namespace when a check kept sends requests from a node.
func (e *Engine) selectTargets(want []*desired, t *targeting) []*desired {
	if t == nil {
		return want
	}
	byAddr := make(map[string]*desired, len(want))
	for _, d := range want {
		byAddr[d.Address] = d
	}
	keep := map[string]bool{}
	var visit func(addr string)
	visit = func(addr string) {
		d, ok := byAddr[addr]
		if !ok || keep[addr] {
			return
		}
		keep[addr] = true
		for _, dep := range d.DependsOn {
			visit(dep)
		}
		if in := d.Instance; in != nil && in.Seat != nil && in.Address != config.SeatAddress(in.Seat) {
			visit(in.Address + ".Role." + StudentRole)
			visit(in.Address + ".RoleBinding." + StudentRole)
		}
	}
	for _, d := range want {
		if t.matches(d.Address) {
			visit(d.Address)
		}
	}
	needProbes := false
	for _, d := range want {
		if keep[d.Address] && d.Instance != nil {
			for _, c := range d.Instance.Checks {
				if c.HTTP != nil && c.HTTP.From == config.FromNode {
					needProbes = true
				}
			}
		}
	}
	var out []*desired
	for _, d := range want {
		if keep[d.Address] || (needProbes && d.Instance != nil && d.Instance.Address == config.ProbesAddress) {
			out = append(out, d)
		}
	}
	return out
}

// priorTargeted are the state's objects a targeted destroy (or the
// deletes of a targeted plan) takes: those within a target, and those
// that depend on one of them, since deleting a namespace takes what is
// in it.
func priorTargeted(objs []*state.Object, t *targeting) map[string]bool {
	in := map[string]bool{}
	if t == nil {
		for _, o := range objs {
			in[o.Address] = true
		}
		return in
	}
	for _, o := range objs {
		if t.matches(o.Address) {
			in[o.Address] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, o := range objs {
			if in[o.Address] {
				continue
			}
			for _, dep := range o.Dependencies {
				if in[dep] {
					in[o.Address] = true
					changed = true
					break
				}
			}
		}
	}
	return in
}

// targetedChecks limits a plan's checks to the instances it keeps.
func targetedChecks(p *plan.Plan) {
	kept := map[string]bool{}
	for _, ch := range p.Changes {
		kept[ch.Instance] = true
	}
	var out []*plan.CheckRef
	for _, c := range p.Checks {
		if kept[c.Instance] {
			out = append(out, c)
		}
	}
	p.Checks = out
}
