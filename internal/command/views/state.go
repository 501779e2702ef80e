package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/podlab/podlab/state"
)

// What podlab state and podlab show print of an environment's state.

// StateList lists addresses, one a line; with -json, the state's objects
// as one JSON list ("[]" when there are none).
func (v *View) StateList(addrs []string, objs []*state.Object) {
	if v.JSON {
		if objs == nil {
			objs = []*state.Object{} // "[]", not "null", for an empty state
		}
		_ = v.Raw(objs)
		return
	}
	for _, a := range addrs {
		v.Printf("%s\n", a)
	}
}

// StateCluster shows what the state records of the cluster: its
// attributes, long ones cut at 80 characters. With -json, the cluster as
// one JSON object.
func (v *View) StateCluster(c *state.Cluster) {
	if v.JSON {
		_ = v.Raw(c)
		return
	}
	v.Printf("# cluster.%s\nkind    = %q\nstatus  = %q\ncreated = %v\n", c.Name, c.Kind, c.Status, c.Created)
	if c.Operation != "" {
		v.Printf("operation = %q\n", c.Operation)
	}
	for _, k := range sortedKeys(c.Attributes) {
		val := c.Attributes[k]
		if len(val) > 80 {
			val = val[:77] + "..."
		}
		v.Printf("%s = %q\n", k, val)
	}
}

// StateObject shows what the state records of an object (nil when it
// records only checks at that address) and the last results of the checks
// at or within it. With -json, both as one JSON object.
func (v *View) StateObject(o *state.Object, checks []*state.CheckResult) {
	if v.JSON {
		_ = v.Raw(map[string]any{"object": o, "checks": checks})
		return
	}
	if o != nil {
		v.Printf("# %s\napi_version = %q\nkind        = %q\nnamespace   = %q\nname        = %q\nuid         = %q\n",
			o.Address, o.APIVersion, o.Kind, o.Namespace, o.Name, o.UID)
		for _, k := range sortedKeys(o.Attributes) {
			v.Printf("%-11s = %q\n", k, o.Attributes[k])
		}
		if len(o.Dependencies) > 0 {
			v.Printf("depends_on  = [%s]\n", strings.Join(o.Dependencies, ", "))
		}
	}
	if len(checks) > 0 {
		v.Printf("\n# last check results\n")
		for _, c := range checks {
			res := v.Green("PASS")
			if !c.Passed {
				res = v.Red("FAIL")
			}
			v.Printf("%s %s (%s) at %s, took %s\n", res, c.Address, c.Kind, c.At.Local().Format(time.DateTime), Duration(c.Duration))
			if !c.Passed && c.Message != "" {
				v.Printf("     %s\n", strings.ReplaceAll(c.Message, "\n", "\n     "))
			}
		}
	}
}

// StateWouldForget says what state rm -dry-run would forget; with -json
// one event per address.
func (v *View) StateWouldForget(addrs []string) {
	for _, a := range addrs {
		v.Printf("Would forget %s\n", a)
		v.Event("state_rm_planned", map[string]any{"@message": "Would forget " + a, "address": a})
	}
}

// StateForgot says state rm forgot these objects, and what becomes of
// them; with -json one event of them all.
func (v *View) StateForgot(addrs []string) {
	msg := fmt.Sprintf("Forgot %d object(s). They still exist in the cluster; the next plan finds them by label and records them again unless their labels are removed.", len(addrs))
	v.Printf("%s\n", msg)
	v.Event("state_rm_complete", map[string]any{"@message": msg, "addresses": addrs})
}

// StateEmpty says an environment's state records nothing (podlab show).
func (v *View) StateEmpty(env string) {
	v.Printf("The state of environment %q is empty: nothing is applied.\n", env)
}

// Separator is the empty line between two things shown.
func (v *View) Separator() { v.Printf("\n") }

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
