package config

import (
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// Small constructors keep the block schemas below readable as a reference.

func required(name string, ty cty.Type) hcldec.Spec {
	return &hcldec.AttrSpec{Name: name, Type: ty, Required: true}
}

func optional(name string, ty cty.Type, def cty.Value) hcldec.Spec {
	return &hcldec.DefaultSpec{
		Primary: &hcldec.AttrSpec{Name: name, Type: ty},
		Default: &hcldec.LiteralSpec{Value: def},
	}
}

func str(name, def string) hcldec.Spec { return optional(name, cty.String, cty.StringVal(def)) }

func boolean(name string, def bool) hcldec.Spec { return optional(name, cty.Bool, cty.BoolVal(def)) }

func number(name string, def int64) hcldec.Spec {
	return optional(name, cty.Number, cty.NumberIntVal(def))
}

func strings_(name string) hcldec.Spec {
	return optional(name, cty.List(cty.String), cty.ListValEmpty(cty.String))
}

func stringMap(name string) hcldec.Spec {
	return optional(name, cty.Map(cty.String), cty.MapValEmpty(cty.String))
}
