package config

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/zclconf/go-cty/cty"
)

// TestVariables declares one variable "v" per case and checks the value it
// takes, from its default or from -var, or the error it gives.
func TestVariables(t *testing.T) {
	obj := func(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }
	tests := []struct {
		name    string
		block   string   // the body of variable "v"
		vars    []string // -var options
		want    cty.Value
		err     string // summary of the one error expected instead
		details []string
	}{
		// Types and defaults.
		{name: "untyped default", block: `default = "x"`, want: cty.StringVal("x")},
		{name: "untyped default keeps its type", block: `default = 3`, want: cty.NumberIntVal(3)},
		{name: "string", block: `
			type = string
			default = "x"`, want: cty.StringVal("x")},
		{name: "number default converts", block: `
			type = number
			default = "3"`, want: cty.NumberIntVal(3)},
		{name: "bool", block: `
			type = bool
			default = true`, want: cty.True},
		{name: "list of strings", block: `
			type = list(string)
			default = ["a", 1]`, want: cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("1")})},
		{name: "set drops duplicates", block: `
			type = set(string)
			default = ["b", "a", "b"]`, want: cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		{name: "map of numbers", block: `
			type = map(number)
			default = { a = 1, b = "2" }`, want: cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)})},
		{name: "tuple", block: `
			type = tuple([string, number])
			default = ["a", 1]`, want: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)})},
		{name: "object with optional attribute and its default", block: `
			type = object({ name = string, port = optional(number, 80), path = optional(string) })
			default = { name = "web" }`,
			want: obj(map[string]cty.Value{"name": cty.StringVal("web"), "port": cty.NumberIntVal(80), "path": cty.NullVal(cty.String)})},
		{name: "optional defaults inside a list", block: `
			type = list(object({ name = string, tags = optional(list(string), ["class"]) }))
			default = [{ name = "a" }, { name = "b", tags = [] }]`,
			want: cty.ListVal([]cty.Value{
				obj(map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.ListVal([]cty.Value{cty.StringVal("class")})}),
				obj(map[string]cty.Value{"name": cty.StringVal("b"), "tags": cty.ListValEmpty(cty.String)}),
			})},
		{name: "any keeps the default's type", block: `
			type = any
			default = { a = [1] }`, want: obj(map[string]cty.Value{"a": cty.TupleVal([]cty.Value{cty.NumberIntVal(1)})})},
		{name: "default does not fit the type", block: `
			type = number
			default = "three"`, err: "Invalid default value for variable", details: []string{"does not fit its type number"}},
		{name: "object default missing a required attribute", block: `
			type = object({ name = string })
			default = {}`, err: "Invalid default value for variable", details: []string{`attribute "name" is required`}},
		{name: "not a type", block: `type = strin`, err: "Invalid type specification"},
		{name: "default refers to a variable", block: `default = var.other`, err: "Variables not allowed"},
		{name: "description must be literal", block: `
			description = "a ${var.x}"
			default = 1`, err: "Variables not allowed"},
		{name: "sensitive must be a bool", block: `
			sensitive = "yes please"
			default = 1`, err: "Invalid sensitive"},
		{name: "unknown argument", block: `
			defualt = 1`, err: "Unsupported argument", details: []string{`Did you mean "default"?`}},

		// -var: text for string and untyped variables, an HCL expression
		// for others.
		{name: "-var for a string is taken literally", block: `type = string`, vars: []string{`v=[1, 2]`}, want: cty.StringVal("[1, 2]")},
		{name: "-var for an untyped variable is a string", block: `default = 1`, vars: []string{`v=[1, 2]`}, want: cty.StringVal("[1, 2]")},
		{name: "-var for a string keeps = and spaces", block: `type = string`, vars: []string{`v= a=b `}, want: cty.StringVal(" a=b ")},
		{name: "-var empty string", block: `type = string`, vars: []string{`v=`}, want: cty.StringVal("")},
		{name: "-var number", block: `type = number`, vars: []string{`v=42`}, want: cty.NumberIntVal(42)},
		{name: "-var number from a quoted string", block: `type = number`, vars: []string{`v="42"`}, want: cty.NumberIntVal(42)},
		{name: "-var bool", block: `type = bool`, vars: []string{`v=false`}, want: cty.False},
		{name: "-var list", block: `type = list(string)`, vars: []string{`v=["kim", "lee"]`},
			want: cty.ListVal([]cty.Value{cty.StringVal("kim"), cty.StringVal("lee")})},
		{name: "-var object with an optional default", block: `type = object({ name = string, port = optional(number, 80) })`,
			vars: []string{`v={ name = "web" }`}, want: obj(map[string]cty.Value{"name": cty.StringVal("web"), "port": cty.NumberIntVal(80)})},
		{name: "-var map", block: `type = map(string)`, vars: []string{`v={ a = "1" }`},
			want: cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1")})},
		{name: "-var number that is not one", block: `type = number`, vars: []string{`v=many`},
			err: "Variables not allowed", details: []string{"quote a string"}},
		{name: "-var list that does not parse", block: `type = list(string)`, vars: []string{`v=["a"`},
			err: "Unterminated tuple constructor expression", details: []string{"must be an HCL expression of its type"}},
		{name: "-var of the wrong type", block: `type = list(string)`, vars: []string{`v={ a = 1 }`},
			err: "Invalid value for variable", details: []string{"from the command line", "list(string)"}},
		{name: "the last -var wins", block: `type = number`, vars: []string{`v=1`, `v=2`}, want: cty.NumberIntVal(2)},

		// Null and nullable.
		{name: "null default", block: `
			type = string
			default = null`, want: cty.NullVal(cty.String)},
		{name: "-var null for a nullable variable", block: `
			type = number
			default = 1`, vars: []string{`v=null`}, want: cty.NullVal(cty.Number)},
		{name: "-var null for a non-nullable variable takes the default", block: `
			type = number
			default = 1
			nullable = false`, vars: []string{`v=null`}, want: cty.NumberIntVal(1)},
		{name: "-var null for a required non-nullable variable", block: `
			type = number
			nullable = false`, vars: []string{`v=null`}, err: "Invalid value for variable", details: []string{"not nullable"}},
		{name: "null default of a non-nullable variable", block: `
			type = number
			default = null
			nullable = false`, err: "Invalid default value for variable", details: []string{"not nullable"}},

		// Validation.
		{name: "validation passes", block: `
			type = string
			default = "gke"
			validation {
				condition     = contains(["gke", "onprem"], var.v)
				error_message = "v must be gke or onprem."
			}`, want: cty.StringVal("gke")},
		{name: "validation fails on the default", block: `
			type = string
			default = "aws"
			validation {
				condition     = contains(["gke", "onprem"], var.v)
				error_message = "v must be gke or onprem."
			}`, err: "Invalid value for variable", details: []string{"v must be gke or onprem.", "validation rule at lab.podlab.hcl:5"}},
		{name: "validation fails on -var with an interpolated message", block: `
			type = number
			validation {
				condition     = var.v >= 1
				error_message = "v is ${var.v}; it must be 1 or more."
			}`, vars: []string{"v=0"}, err: "Invalid value for variable", details: []string{"v is 0; it must be 1 or more."}},
		{name: "every failing validation is reported", block: `
			type = number
			default = 0
			validation {
				condition     = var.v >= 1
				error_message = "too small"
			}
			validation {
				condition     = var.v >= 2
				error_message = "smaller than 2"
			}`, err: "2 errors"},
		{name: "validation with can()", block: `
			type = string
			default = "Pods!"
			validation {
				condition     = can(regex("^[a-z]+$", var.v))
				error_message = "lower-case letters only"
			}`, err: "Invalid value for variable", details: []string{"lower-case letters only"}},
		{name: "validation condition is not a bool", block: `
			default = "x"
			validation {
				condition     = "maybe"
				error_message = "?"
			}`, err: "Invalid validation condition"},
		{name: "validation refers to another variable", block: `
			default = "x"
			validation {
				condition     = var.other == "x"
				error_message = "?"
			}`, err: "Invalid reference in variable validation"},
		{name: "validation without error_message", block: `
			default = "x"
			validation {
				condition = true
			}`, err: "Missing required argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := files{"lab.podlab.hcl": "variable \"v\" {\n" + tt.block + "\n}\n" + localCluster}
			m, diags := load(t, lab)
			if !diags.HasErrors() {
				var env *Env
				env, diags = Evaluate(m, EvalOptions{Inputs: cli(t, tt.vars...)})
				if !diags.HasErrors() {
					if tt.err != "" {
						t.Fatalf("want error %q, got v = %#v", tt.err, env.Variables["v"])
					}
					if got := env.Variables["v"]; !equal(got, tt.want) {
						t.Errorf("v = %#v, want %#v", got, tt.want)
					}
					return
				}
			}
			if tt.err == "" {
				t.Fatalf("unexpected errors:%s", describe(diags))
			}
			if tt.err == "2 errors" {
				if len(diags) != 2 {
					t.Fatalf("want 2 errors, got:%s", describe(diags))
				}
				return
			}
			wantDiag(t, diags, tt.err, tt.details...)
		})
	}
}

// TestSensitiveVariable follows a sensitive value: marked in expressions,
// refused by an output that does not say sensitive, accepted by one that
// does, and noted on the objects of a manifest it went into.
func TestSensitiveVariable(t *testing.T) {
	const decl = `
variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}
`
	t.Run("marked", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": decl + localCluster}, EvalOptions{})
		if !env.Variables["token"].HasMark(sensitiveMark) {
			t.Errorf("var.token is not marked sensitive: %#v", env.Variables["token"])
		}
	})
	t.Run("output without sensitive", func(t *testing.T) {
		_, diags := evaluate(t, files{"lab.podlab.hcl": decl + localCluster + `
output "t" {
  value = "token: ${var.token}"
}
`}, EvalOptions{})
		wantDiag(t, diags, "Output refers to sensitive values", "sensitive = true")
	})
	t.Run("sensitive output", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": decl + localCluster + `
output "t" {
  value     = upper(var.token)
  sensitive = true
}
`}, EvalOptions{})
		if len(env.Outputs) != 1 || !env.Outputs[0].Sensitive || !equal(env.Outputs[0].Value, cty.StringVal("S3CR3T")) {
			t.Errorf("outputs: %#v", env.Outputs)
		}
	})
	t.Run("failing validation does not show the value", func(t *testing.T) {
		lab := files{"lab.podlab.hcl": `
variable "token" {
  type      = string
  sensitive = true

  validation {
    condition     = strlen(var.token) > 10
    error_message = "The token ${var.token} is too short."
  }
}
` + localCluster}
		for _, inputs := range [][]RawValue{
			cli(t, "token=hunter2"),
			EnvValues([]string{"PODLAB_VAR_token=hunter2"}),
		} {
			env, diags := evaluate(t, lab, EvalOptions{Inputs: inputs})
			d := wantDiag(t, diags, "Invalid value for variable", "The value of var.token is not valid.")
			if strings.Contains(d.Detail, "hunter2") {
				t.Errorf("the diagnostic shows the sensitive value: %s", d.Detail)
			}
			for name, f := range env.Files {
				if strings.Contains(string(f.Bytes), "hunter2") {
					t.Errorf("the diagnostic's source %q shows the sensitive value", name)
				}
			}
		}
	})
	t.Run("manifest", func(t *testing.T) {
		env := mustEvaluate(t, files{"lab.podlab.hcl": decl + localCluster + `
exercise "web" {
  manifests = [{
    apiVersion = "v1"
    kind       = "Secret"
    metadata   = { name = "token" }
    stringData = { token = var.token }
  }]
}
`}, EvalOptions{})
		in := instance(t, env, "exercise.web")
		if len(in.Objects) != 1 || !in.Objects[0].Sensitive {
			t.Errorf("the Secret made from a sensitive value is not marked sensitive")
		}
	})
}

// TestRequiredVariables: a variable without a default is required only
// when what the chosen environment evaluates uses it.
func TestRequiredVariables(t *testing.T) {
	lab := files{"lab.podlab.hcl": `
variable "target" {
  default = "kubeconfig"
}
variable "project" {
  type = string
}
variable "zone" {
  type = string
}
variable "image" {
  type = string
}
variable "unused" {
  type = string
}

locals {
  location = var.zone
  never    = var.unused
}

lab {
  cluster = var.target
}

cluster "gke" {
  gke {
    project  = var.project
    location = local.location
    name     = "podlab"
    node_pool "default" {}
  }
}

cluster "kubeconfig" {
  kubeconfig {}
}
`}
	withExercise := files{
		"lab.podlab.hcl": lab["lab.podlab.hcl"] + `
exercise "web" {
  manifests = [{ apiVersion = "v1", kind = "Pod", metadata = { name = "web" }, spec = { containers = [{ name = "c", image = var.image }] } }]
}
`}
	tests := []struct {
		name    string
		lab     files
		vars    []string
		missing []string // the variables reported missing, in order
		details []string
	}{
		{"kubeconfig needs none", lab, []string{"target=kubeconfig"}, nil, nil},
		{"gke needs project and, through a local, zone", lab, []string{"target=gke"}, []string{"project", "zone"},
			[]string{"var.project has no default, and cluster.gke uses it.", "var.zone has no default, and cluster.gke uses it."}},
		{"gke with values", lab, []string{"target=gke", "project=p", "zone=asia-northeast3-a"}, nil, nil},
		{"an exercise's variable is needed everywhere", withExercise, []string{"target=kubeconfig"}, []string{"image"},
			[]string{"exercise.web uses it"}},
		{"the lab block's variable", files{"lab.podlab.hcl": `
variable "target" {
  type = string
}
lab {
  cluster = var.target
}
` + localCluster}, nil, []string{"target"}, []string{"the lab block uses it", "-var target=VALUE", "PODLAB_VAR_target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := evaluate(t, tt.lab, EvalOptions{Inputs: cli(t, tt.vars...)})
			var missing []string
			var details string
			for _, d := range diags {
				if d.Summary != "No value for required variable" {
					t.Errorf("unexpected diagnostic:%s", describe(hcl.Diagnostics{d}))
					continue
				}
				details += d.Detail + "\n"
				name, _, _ := strings.Cut(strings.TrimPrefix(d.Detail, "var."), " ")
				missing = append(missing, name)
				// The diagnostic points at the variable's declaration.
				if v := tt.lab.decl(t, name); d.Subject == nil || d.Subject.Start.Line != v {
					t.Errorf("the diagnostic about var.%s points at %v, not its declaration on line %d", name, d.Subject, v)
				}
			}
			if strings.Join(missing, ",") != strings.Join(tt.missing, ",") {
				t.Errorf("missing %v, want %v", missing, tt.missing)
			}
			for _, d := range tt.details {
				if !strings.Contains(details, d) {
					t.Errorf("the details do not say %q:\n%s", d, details)
				}
			}
		})
		// Validate mode requires nothing: every environment is checked
		// with unknown values.
		t.Run(tt.name+" (validate)", func(t *testing.T) {
			_, diags := evaluate(t, tt.lab, EvalOptions{Inputs: cli(t, tt.vars...), Validate: true})
			if diags.HasErrors() {
				t.Errorf("validate:%s", describe(diags))
			}
		})
	}
}
