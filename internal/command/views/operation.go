package views

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podlab/podlab/engine"
	"github.com/podlab/podlab/internal/operation"
	"github.com/podlab/podlab/plan"
	"github.com/podlab/podlab/state"
)

// Operation shows an operation (plan, apply, destroy, check) as it runs:
// the view of a command that hands its work to package operation.
type Operation struct {
	*View
	// In is where the answer to a confirmation is read.
	In io.Reader
	// Files are the lab's files, for diagnostics to quote.
	Files map[string]*hcl.File
}

var _ operation.View = (*Operation)(nil)

// Diagnostics shows warnings and errors, quoting the lab's files.
func (o *Operation) Diagnostics(diags hcl.Diagnostics) { o.View.Diagnostics(diags, o.Files) }

// Progress starts showing an apply's or destroy's work.
func (o *Operation) Progress() operation.Progress { return o.NewProgress() }

// Confirm asks for "yes", as Terraform does.
func (o *Operation) Confirm(question string) bool {
	fmt.Fprintf(o.Out, "\n%s\n  podlab will do exactly what is shown above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", o.Bold(question))
	line, _ := bufio.NewReader(o.In).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// Cancelled says the user did not approve.
func (o *Operation) Cancelled(m operation.Mode) {
	if m == operation.Destroy {
		o.Printf("\nDestroy cancelled.\n")
		return
	}
	o.Printf("\nApply cancelled.\n")
}

// Interrupted says a signal stopped the operation.
func (o *Operation) Interrupted(detail string) {
	o.Printf("\n%s %s\n", o.Bold(o.Yellow("Interrupted.")), detail)
}

// ApplyFailed says what an apply did before its error.
func (o *Operation) ApplyFailed(res *engine.Result) {
	if res.Added+res.Changed+res.Destroyed == 0 {
		o.Printf("\n%s Nothing was changed.\n", o.Bold(o.Red("Apply failed.")))
		return
	}
	o.Printf("\n%s %d added, %d changed, %d destroyed before the error; state records them.\n", o.Bold(o.Red("Apply failed.")), res.Added, res.Changed, res.Destroyed)
}

// Applied says an apply finished, and what it did.
func (o *Operation) Applied(p *plan.Plan, res *engine.Result) {
	if p.RefreshOnly {
		o.Printf("\n%s The state of environment %q now records what the cluster holds; nothing in the cluster was changed.\n", o.Bold(o.Green("Apply complete!")), p.Environment)
		o.Event("apply_summary", map[string]any{"changes": map[string]any{"add": 0, "change": 0, "remove": 0}, "refresh_only": true})
		return
	}
	o.Printf("\n%s %s\n", o.Bold(o.Green(o.T("Apply complete!"))), o.T("Resources: %d added, %d changed, %d destroyed.", res.Added, res.Changed, res.Destroyed))
	o.Event("apply_summary", map[string]any{"changes": map[string]any{"add": res.Added, "change": res.Changed, "remove": res.Destroyed}})
}

// Destroyed says a destroy finished.
func (o *Operation) Destroyed(_ *plan.Plan, res *engine.Result) {
	o.Printf("\n%s %s\n", o.Bold(o.Green(o.T("Destroy complete!"))), o.T("Resources: %d destroyed.", res.Destroyed))
	o.Event("destroy_summary", map[string]any{"changes": map[string]any{"remove": res.Destroyed}})
}

// ChecksStarting says how many checks are about to run.
func (o *Operation) ChecksStarting(n int) {
	o.Printf("\n%s\n", o.T("Running %d checks...", n))
}

// Outputs shows the outputs recorded in st, after an apply.
func (o *Operation) Outputs(st *state.State) {
	if o.JSON {
		outs := map[string]any{}
		for n, out := range st.Outputs {
			entry := map[string]any{"sensitive": out.Sensitive, "type": json.RawMessage(out.Type)}
			if !out.Sensitive {
				entry["value"] = json.RawMessage(out.Value)
			}
			outs[n] = entry
		}
		o.Event("outputs", map[string]any{"outputs": outs})
		return
	}
	o.OutputValues(st.Outputs, true)
}

// OutputValues prints name = value lines; sensitive values are hidden.
// heading adds the "Outputs:" title, as after an apply.
func (v *View) OutputValues(outs map[string]*state.Output, heading bool) {
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	if heading && len(names) > 0 {
		v.Printf("\nOutputs:\n\n")
	}
	for _, n := range names {
		o := outs[n]
		text := "(sensitive value)"
		if !o.Sensitive {
			if val, err := OutputValue(o); err == nil {
				text = string(hclwrite.TokensForValue(val).Bytes())
			}
		}
		v.Printf("%s = %s\n", n, text)
	}
}

// OutputValue is a recorded output's value.
func OutputValue(o *state.Output) (cty.Value, error) {
	ty, err := ctyjson.UnmarshalType(o.Type)
	if err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(o.Value, ty)
}
