package config

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ValueSource says where a variable's value was given.
type ValueSource int

// Sources of values, lowest precedence first.
const (
	SourceDefault ValueSource = iota
	SourceFile
	SourceEnv
	SourceCLI
)

func (s ValueSource) String() string {
	return [...]string{"default", "var file", "environment", "command line"}[s]
}

// EnvPrefix introduces a variable's value in the environment.
const EnvPrefix = "PODLAB_VAR_"

// RawValue is a variable's value as given, before it is converted to the
// variable's type (which decides whether text is a string or an expression).
type RawValue struct {
	Name   string
	Source ValueSource
	Text   string         // for the command line and the environment
	Expr   hcl.Expression // for var files
	Range  hcl.Range      // where it was given, for diagnostics
}

// ParseVarFlag splits the text of a -var option.
func ParseVarFlag(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", fmt.Errorf("the -var option takes NAME=VALUE, as in -var target=gke; got %q", s)
	}
	if !validName(name) {
		return "", "", fmt.Errorf("%q in -var %s is not a valid variable name", name, s)
	}
	return name, value, nil
}

// validName reports whether s can name a variable. HCL's scanner takes
// some invalid UTF-8 for identifier characters (it accepts "\xea 0"), so
// the text must be UTF-8 first.
func validName(s string) bool {
	return utf8.ValidString(s) && hclsyntax.ValidIdentifier(s)
}

// CLIValue makes a RawValue from one -var option.
func CLIValue(s string) (RawValue, error) {
	name, value, err := ParseVarFlag(s)
	if err != nil {
		return RawValue{}, err
	}
	return RawValue{Name: name, Source: SourceCLI, Text: value, Range: syntheticRange(name, value)}, nil
}

// EnvValues collects PODLAB_VAR_name values from an environment list.
func EnvValues(environ []string) []RawValue {
	var out []RawValue
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, EnvPrefix) {
			continue
		}
		name := strings.TrimPrefix(k, EnvPrefix)
		if !validName(name) {
			continue
		}
		out = append(out, RawValue{Name: name, Source: SourceEnv, Text: v, Range: syntheticRange(name, v)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ReadVarFile reads a -var-file: HCL attributes (or JSON properties, for a
// .json file), one per variable. files gains the parsed file for diagnostics.
func ReadVarFile(path string, files map[string]*hcl.File) ([]RawValue, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read variables file",
			Detail:   fmt.Sprintf("%s. Check the path given to -var-file.", err),
		}}
	}
	p := hclparse.NewParser()
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, diags = p.ParseJSON(src, path)
	} else {
		f, diags = p.ParseHCL(src, path)
	}
	if f == nil || diags.HasErrors() {
		return nil, diags
	}
	if files != nil {
		files[path] = f
	}
	attrs, ds := f.Body.JustAttributes()
	diags = append(diags, ds...)
	var out []RawValue
	for _, a := range sortedAttrs(attrs) {
		out = append(out, RawValue{Name: a.Name, Source: SourceFile, Expr: a.Expr, Range: a.Expr.Range()})
	}
	return out, diags
}

// syntheticRange places a value given outside any file in a pseudo-file,
// so diagnostics about it can still show it.
func syntheticRange(name, text string) hcl.Range {
	return hcl.Range{
		Filename: fmt.Sprintf("<value for var.%s>", name),
		Start:    hcl.InitialPos,
		End:      hcl.Pos{Line: 1, Column: len(text) + 1, Byte: len(text)},
	}
}

// value converts a raw value for a variable of type ty: text is taken
// literally for string (and untyped) variables and parsed as an HCL
// expression otherwise, as Terraform does.
func (r RawValue) value(ty cty.Type) (cty.Value, hcl.Diagnostics) {
	if r.Expr != nil {
		if vars := r.Expr.Variables(); len(vars) > 0 {
			return cty.DynamicVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Variables not allowed",
				Detail:   "A value in a variables file must be a literal; it cannot refer to " + traversalString(vars[0]) + ".",
				Subject:  vars[0].SourceRange().Ptr(),
			}}
		}
		return r.Expr.Value(nil)
	}
	if ty == cty.String || ty == cty.DynamicPseudoType {
		return cty.StringVal(r.Text), nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(r.Text), r.Range.Filename, hcl.InitialPos)
	if diags.HasErrors() {
		for _, d := range diags {
			d.Detail += fmt.Sprintf(" The value of var.%s must be an HCL expression of its type, such as [\"a\", \"b\"] for a list.", r.Name)
		}
		return cty.DynamicVal, diags
	}
	if vars := expr.Variables(); len(vars) > 0 {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Variables not allowed",
			Detail:   fmt.Sprintf("The value of var.%s must be a literal; quote a string that looks like a reference.", r.Name),
			Subject:  vars[0].SourceRange().Ptr(),
		}}
	}
	return expr.Value(nil)
}

// syntheticFile lets the diagnostic writer show a value given on the
// command line or in the environment.
func syntheticFile(r RawValue) *hcl.File {
	return &hcl.File{Body: hcl.EmptyBody(), Bytes: []byte(r.Text)}
}
