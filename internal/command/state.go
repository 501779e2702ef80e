package command

import (
	"strings"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/state"
)

func runState(m *Meta, args []string) int {
	a, fs, err := arguments.ParseState(args)
	if err != nil {
		return parseError(m, "state", "state list [ADDRESS...] | state show ADDRESS | state rm ADDRESS...", fs, err)
	}
	v := m.view(a.View)
	lock := a.State
	if a.Sub != "rm" {
		lock = lock.Unlocked()
	}
	_, mgr, ok := m.open(v, m.dir(a.Common), a.Vars, config.EvalOptions{Workspace: a.Workspace}, lock, "state "+a.Sub)
	if !ok {
		return ExitError
	}
	defer mgr.Close()
	st := mgr.State()
	switch a.Sub {
	case "list":
		return stateList(v, st, a.Addresses)
	case "show":
		return stateShow(v, st, a.Addresses[0])
	default:
		return stateRm(m, v, mgr, a)
	}
}

// stateList lists what the state records, as Terraform's state list does:
// everything, or with addresses only what is at or within one of them
// (exercise.web, seat["kim"], an object's own address). An address that
// matches nothing lists nothing.
func stateList(v *views.View, st *state.State, filter []string) int {
	wanted := func(addr string) bool {
		if len(filter) == 0 {
			return true
		}
		for _, f := range filter {
			if config.AddressWithin(addr, f) {
				return true
			}
		}
		return false
	}
	var addrs []string
	if st.Cluster != nil && wanted("cluster."+st.Cluster.Name) {
		addrs = append(addrs, "cluster."+st.Cluster.Name)
	}
	var objs []*state.Object
	for _, o := range st.Objects {
		if wanted(o.Address) {
			addrs = append(addrs, o.Address)
			objs = append(objs, o)
		}
	}
	v.StateList(addrs, objs)
	return ExitOK
}

// stateShow shows the cluster or an object the state records, with the
// last results of the checks at or within its address.
func stateShow(v *views.View, st *state.State, addr string) int {
	if st.Cluster != nil && addr == "cluster."+st.Cluster.Name {
		v.StateCluster(st.Cluster)
		return ExitOK
	}
	o := st.Object(addr)
	var checks []*state.CheckResult
	for _, c := range st.Checks {
		if c.Address == addr || c.Instance == addr || strings.HasPrefix(c.Address, addr+".") {
			checks = append(checks, c)
		}
	}
	if o == nil && len(checks) == 0 {
		v.Errorf("no %q in the state of %q; podlab state list shows what it has", addr, st.Environment)
		return ExitError
	}
	v.StateObject(o, checks)
	return ExitOK
}

func stateRm(m *Meta, v *views.View, mgr *state.Manager, a *arguments.StateCmd) int {
	st := mgr.State()
	var missing []string
	for _, addr := range a.Addresses {
		if st.Object(addr) == nil {
			missing = append(missing, addr)
		}
	}
	if len(missing) > 0 {
		v.Errorf("not in state: %s", strings.Join(missing, ", "))
		return ExitError
	}
	if a.DryRun {
		v.StateWouldForget(a.Addresses)
		return ExitOK
	}
	err := mgr.Update(m.Ctx, func(s *state.State) {
		for _, addr := range a.Addresses {
			s.RemoveObject(addr)
		}
	})
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	v.StateForgot(a.Addresses)
	return ExitOK
}
