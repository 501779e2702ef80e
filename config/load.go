package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "cluster", LabelNames: []string{"name"}},
		{Type: "lab"},
		{Type: "exercise", LabelNames: []string{"name"}},
		{Type: "backend", LabelNames: []string{"type"}},
	},
}

// LabFiles lists the lab files of dir in name order.
func LabFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), FileSuffix) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

// Load reads and checks every lab file in dir. It returns a Module even when
// there are errors, so that callers can render diagnostics with source.
func Load(dir string) (*Module, hcl.Diagnostics) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read lab directory", Detail: err.Error()}}
	}
	files, err := LabFiles(abs)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read lab directory",
			Detail:   fmt.Sprintf("%s. Run podlab in a lab directory, or name one with -chdir DIR.", err),
		}}
	}
	if len(files) == 0 {
		return &Module{Dir: abs, Files: map[string]*hcl.File{}}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No lab files",
			Detail: fmt.Sprintf("The directory %s has no *%s files. Write one, or run \"podlab init -example pod-basics\" in an empty directory.",
				abs, FileSuffix),
		}}
	}
	srcs := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read lab file", Detail: err.Error()}}
		}
		srcs[f] = b
	}
	return LoadSources(abs, files, srcs)
}

// LoadSources is Load for files already in memory (tests, fuzzing). Names
// are used as given in diagnostics.
func LoadSources(dir string, names []string, srcs map[string][]byte) (*Module, hcl.Diagnostics) {
	p := hclparse.NewParser()
	m := &Module{
		Dir:       dir,
		Files:     map[string]*hcl.File{},
		Variables: map[string]*Variable{},
		Locals:    map[string]*Local{},
		Outputs:   map[string]*Output{},
		Clusters:  map[string]*Cluster{},
		Exercises: map[string]*Exercise{},
	}
	var diags hcl.Diagnostics
	var bodies []hcl.Body
	for _, name := range names {
		f, ds := p.ParseHCL(srcs[name], displayName(dir, name))
		diags = append(diags, ds...)
		if f == nil {
			continue
		}
		m.Files[displayName(dir, name)] = f
		m.Sources = append(m.Sources, name)
		bodies = append(bodies, f.Body)
	}
	if diags.HasErrors() {
		// Syntax errors make later errors noise; report them alone.
		return m, diags
	}
	for _, body := range bodies {
		diags = append(diags, m.decodeFile(body)...)
	}
	diags = append(diags, m.checkReferences()...)
	return m, diags
}

// displayName is how a file is named in diagnostics: relative to the lab
// directory, as the user wrote it.
func displayName(dir, name string) string {
	if rel, err := filepath.Rel(dir, name); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return name
}

func (m *Module) decodeFile(body hcl.Body) hcl.Diagnostics {
	content, diags := bodyContent(body, rootSchema)
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			diags = append(diags, m.addVariable(b)...)
		case "locals":
			diags = append(diags, m.addLocals(b)...)
		case "output":
			diags = append(diags, m.addOutput(b)...)
		case "cluster":
			diags = append(diags, m.addCluster(b)...)
		case "lab":
			if m.Lab != nil {
				diags = append(diags, duplicate(b, "lab block", "", m.Lab.DeclRange))
				continue
			}
			m.Lab = &Lab{Body: b.Body, DeclRange: b.DefRange}
			diags = append(diags, checkLabShape(b.Body)...)
		case "exercise":
			diags = append(diags, m.addExercise(b)...)
		case "backend":
			diags = append(diags, m.addBackend(b)...)
		}
	}
	return diags
}

func duplicate(b *hcl.Block, what, name string, prev hcl.Range) *hcl.Diagnostic {
	if name != "" {
		what = fmt.Sprintf("%s %q", what, name)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + what,
		Detail:   fmt.Sprintf("%s %s was already declared at %s. Remove one or give it another name.", article(what), what, prev),
		Subject:  b.DefRange.Ptr(),
	}
}

// article is the indefinite article for a noun.
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "An"
	}
	return "A"
}

// checkName requires a block label to be an identifier, so that it can be
// referred to as kind.name.
func checkName(b *hcl.Block, what string) hcl.Diagnostics {
	if hclsyntax.ValidIdentifier(b.Labels[0]) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s name", what),
		Detail: fmt.Sprintf("%q is not a valid name: a %s name starts with a letter and holds only letters, digits, underscores and dashes, so that it can be referred to as %s.NAME.",
			b.Labels[0], what, refRootFor(what)),
		Subject: b.LabelRanges[0].Ptr(),
	}}
}

func refRootFor(what string) string {
	switch what {
	case "variable":
		return "var"
	default:
		return what
	}
}
