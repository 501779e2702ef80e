package views

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/podlab/podlab/state"
)

// What podlab output prints. Values are data: never colored.

// OutputNamed shows one output by name, as Terraform's output NAME does:
// in HCL, or with -json its recorded JSON, or with raw its bare string,
// number or bool (no newline, for $(podlab output -raw NAME)). A sensitive
// value is shown when asked for by name.
func (v *View) OutputNamed(o *state.Output, val cty.Value, raw bool) {
	switch {
	case raw:
		v.Data([]byte(rawString(val)))
	case v.JSON:
		v.Data(append(append([]byte(nil), o.Value...), '\n'))
	default:
		v.Data(append(hclwrite.TokensForValue(val).Bytes(), '\n'))
	}
}

// OutputsJSON shows every output as output -json does: one JSON document,
// indented as Terraform's is, of each output's value, type and
// sensitivity.
func (v *View) OutputsJSON(outs map[string]*state.Output) {
	doc := map[string]any{}
	for name, o := range outs {
		doc[name] = map[string]any{"value": json.RawMessage(o.Value), "type": json.RawMessage(o.Type), "sensitive": o.Sensitive}
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	v.Data(append(b, '\n'))
}

// NoOutputs says the environment has no outputs recorded.
func (v *View) NoOutputs(env string) {
	v.Notef("The environment %q has no outputs recorded; podlab apply records them.\n", env)
}

func rawString(val cty.Value) string {
	switch val.Type() {
	case cty.String:
		return val.AsString()
	case cty.Bool:
		return fmt.Sprint(val.True())
	}
	return val.AsBigFloat().Text('f', -1)
}
