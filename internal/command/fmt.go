package command

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/internal/command/arguments"
	"github.com/podlab/podlab/internal/command/views"
)

func runFmt(m *Meta, args []string) int {
	a, fs, err := arguments.ParseFmt(args)
	if err != nil {
		return parseError(m, "fmt", "fmt [-check] [-diff] [-recursive] [PATH ...]", fs, err)
	}
	v := m.view(a.View)
	paths := a.Paths
	if len(paths) == 0 {
		paths = []string{m.dir(a.Common)}
	}
	if len(paths) == 1 && paths[0] == "-" {
		return fmtStdin(m, v)
	}
	files, err := fmtTargets(paths, a.Recursive)
	if err != nil {
		v.Errorf("%s", err)
		return ExitError
	}
	unformatted := false
	for _, f := range files {
		changed, code := fmtFile(v, a, f)
		if code != ExitOK {
			return code
		}
		unformatted = unformatted || changed
	}
	if a.Check && unformatted {
		return ExitUnformatted
	}
	return ExitOK
}

// fmtTargets lists the files to format: lab files and variable files in
// the given directories (and below, with -recursive), and files named.
func fmtTargets(paths []string, recursive bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("fmt: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (!recursive || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), config.FileSuffix) || strings.HasSuffix(d.Name(), ".podlabvars") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("fmt: %w", err)
		}
	}
	sort.Strings(out)
	return out, nil
}

func fmtFile(v *views.View, a *arguments.Fmt, path string) (bool, int) {
	src, err := os.ReadFile(path)
	if err != nil {
		v.Errorf("fmt: %s", err)
		return false, ExitError
	}
	out, diags := format(path, src)
	if diags.HasErrors() {
		v.Diagnostics(diags, map[string]*hcl.File{path: {Bytes: src}})
		return false, ExitError
	}
	if bytes.Equal(src, out) {
		return false, ExitOK
	}
	if a.List {
		v.FmtChanged(path)
	}
	if a.Diff {
		v.FmtDiff(unifiedDiff(path, src, out))
	}
	if a.Write {
		st, err := os.Stat(path)
		if err != nil {
			v.Errorf("fmt: %s", err)
			return true, ExitError
		}
		if err := os.WriteFile(path, out, st.Mode().Perm()); err != nil {
			v.Errorf("fmt: %s", err)
			return true, ExitError
		}
	}
	return true, ExitOK
}

// format rewrites a file in canonical style, refusing one with syntax
// errors rather than guessing at it.
func format(name string, src []byte) ([]byte, hcl.Diagnostics) {
	_, diags := hclwrite.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}

func unifiedDiff(path string, a, b []byte) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(a)), B: difflib.SplitLines(string(b)),
		FromFile: "old/" + filepath.ToSlash(path), ToFile: "new/" + filepath.ToSlash(path), Context: 3,
	})
	return d
}

func fmtStdin(m *Meta, v *views.View) int {
	src, err := io.ReadAll(m.Stdin)
	if err != nil {
		v.Errorf("fmt: %s", err)
		return ExitError
	}
	out, diags := format("<stdin>", src)
	if diags.HasErrors() {
		v.Diagnostics(diags, map[string]*hcl.File{"<stdin>": {Bytes: src}})
		return ExitError
	}
	v.Formatted(out)
	return ExitOK
}
