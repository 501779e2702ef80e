package command

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
	"github.com/podlab/podlab/state"
)

func runOutput(m *Meta, args []string) int {
	a, fs, err := arguments.ParseOutput(args)
	if err != nil {
		return parseError(m, "output", "output [NAME] [-json] [-raw]", fs, err)
	}
	v := m.view(a.View)
	l, diags := m.load(m.dir(a.Common), a.Vars, a.Workspace, false)
	v.Diagnostics(diags, l.Files)
	if diags.HasErrors() {
		return ExitError
	}
	a.State.Lock = false
	mgr, err := m.openState(l, a.State, "output")
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	defer mgr.Close()
	outs := mgr.State().Outputs
	if a.Name != "" {
		o, ok := outs[a.Name]
		if !ok {
			v.Errorf("no output %q in environment %q; podlab output lists them (outputs are recorded by apply)", a.Name, l.Env.Name)
			return ExitError
		}
		val, err := outputValue(o)
		if err != nil {
			v.Errorf("output %s: %s", a.Name, err)
			return ExitError
		}
		switch {
		case a.Raw:
			if val.Type() != cty.String && val.Type() != cty.Number && val.Type() != cty.Bool {
				v.Errorf("-raw prints strings, numbers and booleans; %s is %s: use -json", a.Name, val.Type().FriendlyName())
				return ExitError
			}
			fmt.Fprint(m.Stdout, rawString(val))
		case a.JSON:
			fmt.Fprintln(m.Stdout, string(o.Value))
		default:
			fmt.Fprintln(m.Stdout, string(hclwrite.TokensForValue(val).Bytes()))
		}
		return ExitOK
	}
	if a.JSON {
		doc := map[string]any{}
		for name, o := range outs {
			doc[name] = map[string]any{"value": json.RawMessage(o.Value), "type": json.RawMessage(o.Type), "sensitive": o.Sensitive}
		}
		b, _ := json.MarshalIndent(doc, "", "  ")
		fmt.Fprintln(m.Stdout, string(b))
		return ExitOK
	}
	if len(outs) == 0 {
		fmt.Fprintf(m.Stderr, "The environment %q has no outputs recorded; podlab apply records them.\n", l.Env.Name)
		return ExitOK
	}
	printOutputs(m.Stdout, outs, false)
	return ExitOK
}

func outputValue(o *state.Output) (cty.Value, error) {
	ty, err := ctyjson.UnmarshalType(o.Type)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(o.Value, ty)
}

func rawString(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return fmt.Sprint(v.True())
	}
	return v.AsBigFloat().Text('f', -1)
}

type writer interface{ Write([]byte) (int, error) }

// printOutputs prints name = value lines; sensitive values are hidden
// unless shown by name.
func printOutputs(w writer, outs map[string]*state.Output, heading bool) {
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	if heading && len(names) > 0 {
		fmt.Fprintf(w, "\nOutputs:\n\n")
	}
	for _, n := range names {
		o := outs[n]
		text := "(sensitive value)"
		if !o.Sensitive {
			if val, err := outputValue(o); err == nil {
				text = string(hclwrite.TokensForValue(val).Bytes())
			}
		}
		fmt.Fprintf(w, "%s = %s\n", n, text)
	}
}

func showOutputs(v *views.View, st *state.State) {
	if v.JSON {
		outs := map[string]any{}
		for n, o := range st.Outputs {
			entry := map[string]any{"sensitive": o.Sensitive, "type": json.RawMessage(o.Type)}
			if !o.Sensitive {
				entry["value"] = json.RawMessage(o.Value)
			}
			outs[n] = entry
		}
		v.Event("outputs", map[string]any{"outputs": outs})
		return
	}
	printOutputs(v.Out, st.Outputs, true)
}
