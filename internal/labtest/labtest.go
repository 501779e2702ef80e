// Package labtest loads labs written inline in tests, for packages that
// test what they add to the language (providers' cluster blocks).
package labtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/podlab/podlab/config"
)

// Files are a lab's files by name.
type Files map[string]string

// Write writes a lab into a fresh temporary directory.
func Write(t testing.TB, fs Files) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range fs {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Evaluate loads and evaluates a lab as plan does.
func Evaluate(t testing.TB, fs Files, opts config.EvalOptions) (*config.Env, hcl.Diagnostics) {
	t.Helper()
	m, diags := config.Load(Write(t, fs))
	if diags.HasErrors() {
		return nil, diags
	}
	env, ds := config.Evaluate(m, opts)
	return env, append(diags, ds...)
}

// MustEvaluate is Evaluate that fails the test on any error.
func MustEvaluate(t testing.TB, fs Files, opts config.EvalOptions) *config.Env {
	t.Helper()
	env, diags := Evaluate(t, fs, opts)
	if diags.HasErrors() {
		t.Fatalf("evaluate: %s", Describe(diags))
	}
	return env
}

// Check evaluates a lab and expects exactly one error, with summary, on
// line of lab.podlab.hcl, its detail saying every string in details; or
// none when summary is "".
func Check(t testing.TB, fs Files, summary string, line int, details ...string) {
	t.Helper()
	_, diags := Evaluate(t, fs, config.EvalOptions{})
	if summary == "" {
		if diags.HasErrors() {
			t.Fatalf("unexpected errors:%s", Describe(diags))
		}
		return
	}
	errs := diags.Errs()
	if len(errs) != 1 {
		t.Fatalf("want one error %q, got:%s", summary, Describe(diags))
	}
	d := errs[0].(*hcl.Diagnostic)
	if d.Summary != summary {
		t.Fatalf("want error %q, got:%s", summary, Describe(diags))
	}
	for _, s := range details {
		if !strings.Contains(d.Detail, s) {
			t.Errorf("%q: detail %q does not say %q", summary, d.Detail, s)
		}
	}
	if d.Subject == nil || d.Subject.Filename != "lab.podlab.hcl" || d.Subject.Start.Line != line {
		t.Errorf("%q points at %v, want lab.podlab.hcl:%d", summary, d.Subject, line)
	}
}

// Describe lists diagnostics as "FILE:LINE: SUMMARY: DETAIL".
func Describe(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		at := "-"
		if d.Subject != nil {
			at = fmt.Sprintf("%s:%d", d.Subject.Filename, d.Subject.Start.Line)
		}
		fmt.Fprintf(&b, "\n  %s: %s: %s", at, d.Summary, d.Detail)
	}
	return b.String()
}
