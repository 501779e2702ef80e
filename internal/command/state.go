package command

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/state"
)

func runState(m *Meta, args []string) int {
	a, fs, err := arguments.ParseState(args)
	if err != nil {
		return parseError(m, "state", "state list | state show ADDRESS | state rm ADDRESS...", fs, err)
	}
	v := m.view(a.View)
	l, diags := m.load(m.dir(a.Common), a.Vars, a.Workspace, false)
	v.Diagnostics(diags, l.Files)
	if diags.HasErrors() {
		return ExitError
	}
	if a.Sub != "rm" {
		a.State.Lock = false
	}
	mgr, err := m.openState(l, a.State, "state "+a.Sub)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	st := mgr.State()
	switch a.Sub {
	case "list":
		return stateList(m, v, st, a.Addresses)
	case "show":
		return stateShow(m, v, st, a.Addresses[0])
	default:
		return stateRm(m, v, mgr, a)
	}
}

func stateList(m *Meta, v *views.View, st *state.State, filter []string) int {
	if v.JSON {
		objs := st.Objects
		if objs == nil {
			objs = []*state.Object{} // "[]", not "null", for an empty state
		}
		b, _ := json.Marshal(objs)
		fmt.Fprintln(m.Stdout, string(b))
		return ExitOK
	}
	if st.Cluster != nil {
		fmt.Fprintf(m.Stdout, "cluster.%s\n", st.Cluster.Name)
	}
	for _, o := range st.Objects {
		fmt.Fprintln(m.Stdout, o.Address)
	}
	return ExitOK
}

func stateShow(m *Meta, v *views.View, st *state.State, addr string) int {
	if st.Cluster != nil && addr == "cluster."+st.Cluster.Name {
		if v.JSON {
			b, _ := json.Marshal(st.Cluster)
			fmt.Fprintln(m.Stdout, string(b))
			return ExitOK
		}
		c := st.Cluster
		fmt.Fprintf(m.Stdout, "# cluster.%s\nkind    = %q\nstatus  = %q\ncreated = %v\n", c.Name, c.Kind, c.Status, c.Created)
		if c.Operation != "" {
			fmt.Fprintf(m.Stdout, "operation = %q\n", c.Operation)
		}
		for _, k := range sortedKeys(c.Attributes) {
			val := c.Attributes[k]
			if len(val) > 80 {
				val = val[:77] + "..."
			}
			fmt.Fprintf(m.Stdout, "%s = %q\n", k, val)
		}
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
	if v.JSON {
		b, _ := json.Marshal(map[string]any{"object": o, "checks": checks})
		fmt.Fprintln(m.Stdout, string(b))
		return ExitOK
	}
	if o != nil {
		fmt.Fprintf(m.Stdout, "# %s\napi_version = %q\nkind        = %q\nnamespace   = %q\nname        = %q\nuid         = %q\n",
			o.Address, o.APIVersion, o.Kind, o.Namespace, o.Name, o.UID)
		for _, k := range sortedKeys(o.Attributes) {
			fmt.Fprintf(m.Stdout, "%-11s = %q\n", k, o.Attributes[k])
		}
		if len(o.Dependencies) > 0 {
			fmt.Fprintf(m.Stdout, "depends_on  = [%s]\n", strings.Join(o.Dependencies, ", "))
		}
	}
	if len(checks) > 0 {
		fmt.Fprintf(m.Stdout, "\n# last check results\n")
		for _, c := range checks {
			res := v.Green("PASS")
			if !c.Passed {
				res = v.Red("FAIL")
			}
			fmt.Fprintf(m.Stdout, "%s %s (%s) at %s, took %s\n", res, c.Address, c.Kind, c.At.Local().Format(time.DateTime), views.Duration(c.Duration))
			if !c.Passed && c.Message != "" {
				fmt.Fprintf(m.Stdout, "     %s\n", strings.ReplaceAll(c.Message, "\n", "\n     "))
			}
		}
	}
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
		for _, addr := range a.Addresses {
			fmt.Fprintf(m.Stdout, "Would forget %s\n", addr)
		}
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
	fmt.Fprintf(m.Stdout, "Forgot %d object(s). They still exist in the cluster; the next plan finds them by label and records them again unless their labels are removed.\n", len(a.Addresses))
	return ExitOK
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
