package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// seedFiles returns the contents of the files matching the patterns,
// relative to the repository root.
func seedFiles(f *testing.F, patterns ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, p := range patterns {
		paths, err := filepath.Glob(filepath.Join("..", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		f.Fatalf("no seeds in %v", patterns)
	}
	return out
}

// FuzzLoad feeds the loader arbitrary lab files: it may report anything,
// but must never panic, and must return a module to render diagnostics
// with. Seeds are the course lab, the broken labs of testdata/bad, and the
// hostile files of testdata/fuzz/FuzzLoad (random bytes, terminal escape
// sequences, a huge single line, deeply nested brackets, NULs, invalid
// UTF-8).
//
//	go test -run=^$ -fuzz=FuzzLoad -fuzztime=10s ./config/
func FuzzLoad(f *testing.F) {
	for _, b := range seedFiles(f, "examples/*/*.podlab.hcl", "testdata/bad/*/*.podlab.hcl") {
		f.Add(b)
	}
	dir, err := filepath.Abs(filepath.Join("..", "examples", "pod-basics"))
	if err != nil {
		f.Fatal(err)
	}
	name := filepath.Join(dir, "fuzz.podlab.hcl")
	f.Fuzz(func(t *testing.T, src []byte) {
		m, diags := LoadSources(dir, []string{name}, map[string][]byte{name: src})
		if m == nil {
			t.Fatal("LoadSources returned no module")
		}
		for _, d := range diags {
			if d.Summary == "" {
				t.Errorf("a diagnostic without a summary: %+v", d)
			}
		}
		if diags.HasErrors() {
			return
		}
		// A module that loads has an acyclic graph to walk.
		g := m.Graph()
		if order := g.TopoOrder(); len(order) != len(g.Nodes) {
			t.Errorf("TopoOrder has %d nodes of %d", len(order), len(g.Nodes))
		}
	})
}

// FuzzParseVarFlag feeds -var options to the parser and, when they parse,
// their values to the conversion for a typed variable. Seeds are the -var
// options of testdata/bad and values of every shape.
//
//	go test -run=^$ -fuzz=FuzzParseVarFlag -fuzztime=10s ./config/
func FuzzParseVarFlag(f *testing.F) {
	for _, s := range []string{
		"target=gke", "target=", "=gke", "target", "a=b=c", " spaced = value ", "students=[\"kim\", \"lee\"]",
		"obj={ name = \"web\", port = 80 }", "n=42", "b=true", "x=null", "t=${var.x}", "k=\"unterminated",
		"김=철수", "a.b=1", "1a=1", "ok=[1, [2, {a = 3}]]",
	} {
		f.Add(s)
	}
	for _, b := range seedFiles(f, "testdata/bad/*/expect.txt") {
		for _, line := range strings.Split(string(b), "\n") {
			if args, ok := strings.CutPrefix(line, "args:"); ok {
				fields := strings.Fields(args)
				for i := 0; i+1 < len(fields); i++ {
					if fields[i] == "-var" {
						f.Add(fields[i+1])
					}
				}
			}
		}
	}
	types := []cty.Type{
		cty.String, cty.Number, cty.Bool, cty.List(cty.String), cty.Map(cty.Number),
		cty.Object(map[string]cty.Type{"name": cty.String}), cty.DynamicPseudoType,
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := ParseVarFlag(s)
		if err != nil {
			if name != "" || value != "" {
				t.Errorf("an error with a result: %q %q", name, value)
			}
			return
		}
		if !validIdent(name) || strings.Contains(name, "=") {
			t.Errorf("ParseVarFlag(%q) accepted the name %q", s, name)
		}
		if !strings.HasSuffix(s, "="+value) || strings.TrimSpace(s[:len(s)-len(value)-1]) != name {
			t.Errorf("ParseVarFlag(%q) = %q, %q does not split it at the first =", s, name, value)
		}
		rv, err := CLIValue(s)
		if err != nil || rv.Name != name || rv.Text != value || rv.Source != SourceCLI {
			t.Fatalf("CLIValue(%q) = %+v, %v", s, rv, err)
		}
		for _, ty := range types {
			v, diags := rv.value(ty)
			// Taken literally (cty keeps strings in normalization form C).
			if (ty == cty.String || ty == cty.DynamicPseudoType) && (diags.HasErrors() || v.AsString() != cty.StringVal(value).AsString()) {
				t.Errorf("a string variable's -var %q became %#v", s, v)
			}
		}
	})
}

func validIdent(s string) bool {
	for i, r := range s {
		letter := r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r > 127
		if i == 0 && (r == '-' || !letter) {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// bigNumber finds numbers that would ask evaluation for that many
// instances or seats; FuzzEvaluate leaves them alone.
var bigNumber = regexp.MustCompile(`[0-9]{4,}|[0-9][eE]|range|pow|setproduct|\*`)

// FuzzEvaluate evaluates what FuzzLoad loads, in validate mode and as plan
// does: errors are fine, panics are not.
//
//	go test -run=^$ -fuzz=FuzzEvaluate -fuzztime=10s ./config/
func FuzzEvaluate(f *testing.F) {
	for _, b := range seedFiles(f, "examples/*/*.podlab.hcl", "testdata/bad/*/*.podlab.hcl") {
		f.Add(b)
	}
	dir, err := filepath.Abs(filepath.Join("..", "examples", "pod-basics"))
	if err != nil {
		f.Fatal(err)
	}
	name := filepath.Join(dir, "fuzz.podlab.hcl")
	var others []string
	srcs := map[string][]byte{}
	for _, p := range []string{"variables.podlab.hcl", "clusters.podlab.hcl"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			f.Fatal(err)
		}
		others = append(others, filepath.Join(dir, p))
		srcs[filepath.Join(dir, p)] = b
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if bigNumber.Match(src) {
			return
		}
		files := map[string][]byte{name: src}
		for k, v := range srcs {
			files[k] = v
		}
		// With the course lab's variables and clusters, and alone.
		for _, names := range [][]string{{name}, append([]string{name}, others...)} {
			m, diags := LoadSources(dir, names, files)
			if diags.HasErrors() {
				continue
			}
			for _, validate := range []bool{true, false} {
				env, _ := Evaluate(m, EvalOptions{Validate: validate, Inputs: []RawValue{{Name: "target", Source: SourceCLI, Text: "gke"}}})
				if env == nil {
					t.Fatal("Evaluate returned no Env")
				}
			}
		}
	})
}
