package engine

import (
	"fmt"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/state"
)

// outputsForState keeps every output whose value is known.
func outputsForState(env *config.Env) (map[string]*state.Output, error) {
	out := map[string]*state.Output{}
	for _, o := range env.Outputs {
		if !o.Value.IsWhollyKnown() {
			continue
		}
		v, err := ctyjson.Marshal(o.Value, o.Value.Type())
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		t, err := ctyjson.MarshalType(o.Value.Type())
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		out[o.Name] = &state.Output{Value: v, Type: t, Sensitive: o.Sensitive}
	}
	return out, nil
}
